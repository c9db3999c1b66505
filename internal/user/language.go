package user

import (
	"context"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/sqldb"
)

// SetLanguage sets the language a reads the pages in: one of i18n.Langs,
// or "" for what their browser asks.
func (s *Service) SetLanguage(ctx context.Context, a access.Actor, lang string) error {
	if lang != "" && !i18n.Valid(lang) {
		return &fault.Error{Code: fault.Invalid, Message: "unknown language",
			Fields: map[string]string{"language": "must be one of en, ro, it, nb"}}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET language = ? WHERE id = ?`, lang, a.ID); err != nil {
			return fmt.Errorf("user store: set language of %d: %w", a.ID, err)
		}
		return audit.Record(ctx, tx, a, "user.language", "user", a.ID, map[string]string{"language": lang})
	})
}

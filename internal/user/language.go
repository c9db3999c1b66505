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

// teamLanguageKey is the settings row of the team's language.
const teamLanguageKey = "language"

// TeamLanguage is the language the team writes to people who chose none
// (a lead from an import or the API, a user without a setting who gets
// an email): the admins' setting, or i18n.Default.
func TeamLanguage(ctx context.Context, q sqldb.Querier) string {
	var lang string
	// A setting that cannot be read leaves emails in the default
	// language rather than unsent.
	q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, teamLanguageKey).Scan(&lang)
	if !i18n.Valid(lang) {
		return i18n.Default
	}
	return lang
}

// TeamLanguage is the team's language (see the function TeamLanguage).
func (s *Service) TeamLanguage(ctx context.Context) string { return TeamLanguage(ctx, s.db.R) }

// SetTeamLanguage sets the team's language; only admins may.
func (s *Service) SetTeamLanguage(ctx context.Context, a access.Actor, lang string) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only admins set the team's language")
	}
	if !i18n.Valid(lang) {
		return &fault.Error{Code: fault.Invalid, Message: "unknown language",
			Fields: map[string]string{"team_language": "must be one of en, ro, it, nb"}}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, teamLanguageKey, lang); err != nil {
			return fmt.Errorf("user store: set team language: %w", err)
		}
		return audit.Record(ctx, tx, a, "settings.language", "settings", 0, map[string]string{"language": lang})
	})
}

// LanguageOf is the language user id reads: their setting, or the
// team's. Emails to users (a webhook disabled, an invitation) speak it.
func LanguageOf(ctx context.Context, q sqldb.Querier, id int64) string {
	var lang string
	q.QueryRow(ctx, `SELECT language FROM users WHERE id = ?`, id).Scan(&lang)
	if i18n.Valid(lang) {
		return lang
	}
	return TeamLanguage(ctx, q)
}

package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

const reasonsKey = "disqualify_reasons"

// DisqualifyReasons returns the reasons a lead may be disqualified for.
func (s *Service) DisqualifyReasons(ctx context.Context) ([]string, error) {
	return disqualifyReasonsIn(ctx, s.db.R)
}

func disqualifyReasonsIn(ctx context.Context, q sqldb.Querier) ([]string, error) {
	var text string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, reasonsKey).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultDisqualifyReasons, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lead store: disqualify reasons: %w", err)
	}
	return strings.Split(text, "\n"), nil
}

// SetDisqualifyReasons replaces the list, given one reason a line. Leads
// already disqualified keep the reason they were given.
func (s *Service) SetDisqualifyReasons(ctx context.Context, a access.Actor, text string) ([]string, error) {
	if !a.ManagesSettings() {
		return nil, fault.Errorf(fault.Forbidden, "only an admin can change the disqualify reasons")
	}
	var reasons []string
	bad := fault.Fields{}
	for _, line := range strings.Split(text, "\n") {
		r := strings.TrimSpace(line)
		switch {
		case r == "":
		case utf8.RuneCountInString(r) > 60:
			bad.Add("disqualify_reasons", fmt.Sprintf("%q is longer than 60 characters", r))
		case knownReason(reasons, r):
			bad.Add("disqualify_reasons", fmt.Sprintf("%q is listed twice", r))
		default:
			reasons = append(reasons, r)
		}
	}
	if len(reasons) == 0 && bad["disqualify_reasons"] == "" {
		bad.Add("disqualify_reasons", "list at least one reason, one a line")
	}
	if len(reasons) > 30 {
		bad.Add("disqualify_reasons", "list at most 30 reasons")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, reasonsKey, strings.Join(reasons, "\n")); err != nil {
			return fmt.Errorf("lead store: set disqualify reasons: %w", err)
		}
		return audit.Record(ctx, tx, a, "settings.disqualify_reasons", "settings", 0, map[string][]string{"reasons": reasons})
	})
	return reasons, err
}

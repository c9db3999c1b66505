package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
	"leadflow/internal/sqldb"
)

// configKey is the settings row holding the matching configuration.
const configKey = "matching.config"

// Config returns the team's matching weights, threshold and tolerance,
// the defaults until someone saves their own. It is read from the
// database each time, so every instance ranks with the same weights.
func (s *Service) Config(ctx context.Context) (matching.Config, error) {
	var raw string
	err := s.db.R.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, configKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return matching.DefaultConfig(), nil
	}
	if err != nil {
		return matching.Config{}, fmt.Errorf("catalog: matching config: %w", err)
	}
	var c matching.Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return matching.Config{}, fmt.Errorf("catalog: matching config: %w", err)
	}
	return c, nil
}

// MayConfigure refuses a unless it may change the matching weights: an
// admin, since every match is ranked with them.
func (s *Service) MayConfigure(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only admins can change the matching weights")
	}
	return nil
}

// SaveConfig validates and stores the matching configuration (admin).
func (s *Service) SaveConfig(ctx context.Context, a access.Actor, c matching.Config) (matching.Config, error) {
	if err := s.MayConfigure(a); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return c, s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, configKey, string(raw)); err != nil {
			return fmt.Errorf("catalog: save matching config: %w", err)
		}
		return audit.Record(ctx, tx, a, "matching.config", "setting", 0, nil)
	})
}

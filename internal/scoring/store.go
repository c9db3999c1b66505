package scoring

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Ruleset is one saved version of the rules.
type Ruleset struct {
	Version   int64
	Rules     Rules
	Note      string
	CreatedBy string // email, "" for leadflow itself
	CreatedAt time.Time
}

// Store keeps the versions of the rules and serves the current one from
// memory; a change made through it is seen at once, one made by another
// server within a few seconds.
type Store struct {
	db  *sqldb.DB
	now func() time.Time

	mu      sync.Mutex
	current *Ruleset
	loaded  time.Time
}

// NewStore returns a Store over db.
func NewStore(db *sqldb.DB) *Store { return &Store{db: db, now: time.Now} }

// reloadAfter bounds how stale another server's rule change may look.
const reloadAfter = 5 * time.Second

// Current returns the rules in force; the defaults until someone saves.
func (s *Store) Current(ctx context.Context) (Ruleset, error) {
	return s.CurrentIn(ctx, s.db.R)
}

// CurrentIn is Current reading through q, so code inside a transaction
// never waits for a second connection from a pool its own may exhaust.
func (s *Store) CurrentIn(ctx context.Context, q sqldb.Querier) (Ruleset, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil && s.now().Sub(s.loaded) < reloadAfter {
		return *s.current, nil
	}
	rs, err := s.load(ctx, q)
	if errors.Is(err, sql.ErrNoRows) {
		rs, err = Ruleset{Rules: Defaults(), Note: "the defaults"}, nil
	}
	if err != nil {
		return rs, err
	}
	s.current, s.loaded = &rs, s.now()
	return rs, nil
}

func (s *Store) load(ctx context.Context, q sqldb.Querier) (Ruleset, error) {
	rows, err := s.history(ctx, q, 1)
	if err != nil {
		return Ruleset{}, err
	}
	if len(rows) == 0 {
		return Ruleset{}, sql.ErrNoRows
	}
	return rows[0], nil
}

// MayChange returns a Forbidden fault unless a may change the rules (and
// so rescore every lead). Save asks it first; the scoring page asks it
// before showing the editor. Reading the rules needs no role: every user
// may see why a lead scores what it does.
func (s *Store) MayChange(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users change the scoring rules")
	}
	return nil
}

// Save validates rules and makes them the current version, saved by a.
func (s *Store) Save(ctx context.Context, a access.Actor, r Rules, note string) (Ruleset, error) {
	if err := s.MayChange(a); err != nil {
		return Ruleset{}, err
	}
	if err := r.Validate(); err != nil {
		return Ruleset{}, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Ruleset{}, err
	}
	var by any
	if a.ID != 0 {
		by = a.ID
	}
	rs := Ruleset{Rules: r, Note: note, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO scoring_rulesets (rules, note, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			string(b), note, by, rs.CreatedAt.UnixMilli()).Scan(&rs.Version); err != nil {
			return err
		}
		if err := SaveKeyset(ctx, tx, r.Keyset()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "scoring.save", "scoring_rules", rs.Version, map[string]string{"note": note})
	})
	if err != nil {
		return Ruleset{}, fmt.Errorf("scoring: save rules: %w", err)
	}
	s.mu.Lock()
	s.current = nil // the next Current reads the new version with its author
	s.mu.Unlock()
	return s.Current(ctx)
}

// History lists the latest versions, newest first.
func (s *Store) History(ctx context.Context, limit int) ([]Ruleset, error) {
	return s.history(ctx, s.db.R, limit)
}

func (s *Store) history(ctx context.Context, q sqldb.Querier, limit int) ([]Ruleset, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.rules, r.note, COALESCE(u.email, ''), r.created_at
		FROM scoring_rulesets r LEFT JOIN users u ON u.id = r.created_by ORDER BY r.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("scoring: history: %w", err)
	}
	defer rows.Close()
	var out []Ruleset
	for rows.Next() {
		var rs Ruleset
		var rules string
		var at int64
		if err := rows.Scan(&rs.Version, &rules, &rs.Note, &rs.CreatedBy, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(rules), &rs.Rules); err != nil {
			return nil, fmt.Errorf("scoring: version %d: %w", rs.Version, err)
		}
		rs.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, rs)
	}
	return out, rows.Err()
}

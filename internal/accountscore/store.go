package accountscore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

const settingsKey = "account_scoring"

// Service reads and keeps account rules, scores accounts, sets their
// tiers and lists what their people did.
type Service struct {
	db    *sqldb.DB
	leads *scoring.Store // the lead ruleset, whose behaviour rules and decay score people
	now   func() time.Time
}

// NewService returns a Service over db; leads is the lead ruleset's store.
func NewService(db *sqldb.DB, leads *scoring.Store) *Service {
	return &Service{db: db, leads: leads, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Rules returns the account rules in force; the defaults until saved.
func (s *Service) Rules(ctx context.Context) (Rules, error) {
	var raw string
	err := s.db.R.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Defaults(), nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("accountscore: rules: %w", err)
	}
	var r Rules
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Rules{}, fmt.Errorf("accountscore: rules: %w", err)
	}
	return r, nil
}

// MayChange refuses a unless it may change the account rules: as for the
// lead rules, admin and marketing.
func MayChange(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users change the account scoring rules")
	}
	return nil
}

// SaveRules validates and stores r.
func (s *Service) SaveRules(ctx context.Context, a access.Actor, r Rules) (Rules, error) {
	if err := MayChange(a); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	b, _ := json.Marshal(r) // plain data always marshals
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingsKey, string(b)); err != nil {
			return fmt.Errorf("accountscore: save rules: %w", err)
		}
		// Every stored score was made with the old rules.
		if _, err := tx.Exec(ctx, `INSERT INTO account_changes (account_id) SELECT id FROM accounts`); err != nil {
			return fmt.Errorf("accountscore: save rules: %w", err)
		}
		return audit.Record(ctx, tx, a, "account_scoring.save", "settings", 0, map[string]int{"fit_rules": len(r.Fit)})
	})
	return r, err
}

// peopleOf selects the ids of an account's people: the leads converted
// into it and those linked to it and not undone. Its two arguments are
// the account's id.
const peopleOf = `SELECT id FROM leads WHERE account_id = ?
	UNION SELECT lead_id FROM account_links WHERE account_id = ? AND undone_at IS NULL`

// Score computes account id's score now; any user may read it (it
// reveals no one's lead).
func (s *Service) Score(ctx context.Context, id int64) (Result, error) {
	facts, err := factsOf(ctx, s.db.R, id)
	if err != nil {
		return Result{}, err
	}
	people, err := peopleWithEvents(ctx, s.db.R, id)
	if err != nil {
		return Result{}, err
	}
	rules, err := s.Rules(ctx)
	if err != nil {
		return Result{}, err
	}
	leads, err := s.leads.Current(ctx)
	if err != nil {
		return Result{}, err
	}
	return Score(facts, people, rules, leads.Rules, s.now()), nil
}

func factsOf(ctx context.Context, q sqldb.Querier, id int64) (scoring.Facts, error) {
	var industry, country, city, domain string
	var employees, revenue sql.NullInt64
	err := q.QueryRow(ctx, `SELECT industry, employees, annual_revenue, country, city, domain FROM accounts WHERE id = ?`, id).
		Scan(&industry, &employees, &revenue, &country, &city, &domain)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.Errorf(fault.NotFound, "account %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("accountscore: account %d: %w", id, err)
	}
	f := scoring.Facts{"industry": industry, "country": country, "city": city, "domain": domain}
	if employees.Valid {
		f["employees"] = strconv.FormatInt(employees.Int64, 10)
	}
	if revenue.Valid {
		f["revenue"] = strconv.FormatInt(revenue.Int64, 10)
	}
	return f, nil
}

func peopleWithEvents(ctx context.Context, q sqldb.Querier, id int64) ([]Person, error) {
	rows, err := q.Query(ctx, `SELECT l.id, l.first_name, l.last_name, l.email, e.id, e.type, e.url, e.occurred_at
		FROM leads l LEFT JOIN events e ON e.lead_id = l.id
		WHERE l.id IN (`+peopleOf+`) ORDER BY l.id, e.occurred_at`, id, id)
	if err != nil {
		return nil, fmt.Errorf("accountscore: people of account %d: %w", id, err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var leadID int64
		var first, last, email string
		var eid, at sql.NullInt64
		var typ, url sql.NullString
		if err := rows.Scan(&leadID, &first, &last, &email, &eid, &typ, &url, &at); err != nil {
			return nil, fmt.Errorf("accountscore: people of account %d: %w", id, err)
		}
		if len(out) == 0 || out[len(out)-1].LeadID != leadID {
			out = append(out, Person{LeadID: leadID, Name: nameOf(first, last, email)})
		}
		if eid.Valid {
			p := &out[len(out)-1]
			p.Events = append(p.Events, scoring.Event{ID: eid.Int64, Type: typ.String, URL: url.String, At: time.UnixMilli(at.Int64).UTC()})
		}
	}
	return out, rows.Err()
}

func nameOf(first, last, email string) string {
	switch {
	case first != "" && last != "":
		return first + " " + last
	case first+last != "":
		return first + last
	}
	return email
}

// SetTier makes account id a target account of tier 1, 2 or 3, or none
// (0). Accounts are shared: any user may.
func (s *Service) SetTier(ctx context.Context, a access.Actor, id int64, tier int) error {
	if tier < 0 || tier > 3 {
		return &fault.Error{Code: fault.Invalid, Message: "bad tier", Fields: map[string]string{"tier": "must be 1, 2 or 3, or none"}}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var was sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT tier FROM accounts a WHERE a.id = ?`+tx.ForUpdate("a"), id).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "account %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("accountscore: tier of %d: %w", id, err)
		}
		if int(was.Int64) == tier {
			return nil
		}
		var v any
		if tier != 0 {
			v = tier
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET tier = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			v, s.now().UTC().UnixMilli(), id); err != nil {
			return fmt.Errorf("accountscore: tier of %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "account.tier", "account", id, map[string]int64{"from": was.Int64, "to": int64(tier)})
	})
}

// Entry is one thing one of an account's people did.
type Entry struct {
	At     time.Time
	Type   string
	URL    string
	LeadID int64
	Name   string
}

// Timeline lists what account id's people did, newest first, at most
// limit: for a sales user, the people whose leads it may see.
func (s *Service) Timeline(ctx context.Context, a access.Actor, id int64, limit int) ([]Entry, error) {
	cond, args := "", []any{id, id}
	if !a.SeesAllLeads() {
		cond, args = " AND (l.owner_id = ? OR l.owner_id IS NULL)", append(args, a.ID)
	}
	rows, err := s.db.R.Query(ctx, `SELECT e.occurred_at, e.type, e.url, l.id, l.first_name, l.last_name, l.email
		FROM events e JOIN leads l ON l.id = e.lead_id
		WHERE e.lead_id IN (`+peopleOf+`)`+cond+` ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("accountscore: timeline of account %d: %w", id, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var first, last, email string
		if err := rows.Scan(&at, &e.Type, &e.URL, &e.LeadID, &first, &last, &email); err != nil {
			return nil, fmt.Errorf("accountscore: timeline of account %d: %w", id, err)
		}
		e.At, e.Name = time.UnixMilli(at).UTC(), nameOf(first, last, email)
		out = append(out, e)
	}
	return out, rows.Err()
}

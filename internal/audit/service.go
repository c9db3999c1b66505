package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Service reads the audit log, for admins.
type Service struct{ db *sqldb.DB }

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

// Filter selects entries; zero fields select all.
type Filter struct {
	// Actor is the acting user's email, or "leadflow".
	Actor string
	// Action is a prefix of the action: "lead." selects every lead action.
	Action      string
	SubjectType string
	SubjectID   int64
	// From and To bound the time, To excluded.
	From, To time.Time
	// Before pages: only entries with a smaller id (the Next of the
	// previous page).
	Before int64
	// Limit is the page size; 0 means DefaultLimit, at most MaxLimit.
	Limit int
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	// Next is the Before of the next page, 0 on the last.
	Next int64
}

// MayRead refuses everyone but admins: the log names every user and
// everything they did.
func (s *Service) MayRead(a access.Actor) error { return mayRead(a) }

func mayRead(a access.Actor) error {
	if !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "only admins read the audit log")
	}
	return nil
}

// List returns a page of the entries f selects, newest first.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) (Page, error) {
	if err := mayRead(a); err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	var p Page
	err := s.each(ctx, f, limit+1, func(e Entry) error {
		p.Entries = append(p.Entries, e)
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if len(p.Entries) > limit {
		p.Entries = p.Entries[:limit]
		p.Next = p.Entries[limit-1].ID
	}
	return p, nil
}

// Each calls fn with every entry f selects, newest first, ignoring
// f.Limit: for the CSV download.
func (s *Service) Each(ctx context.Context, a access.Actor, f Filter, fn func(Entry) error) error {
	if err := mayRead(a); err != nil {
		return err
	}
	return s.each(ctx, f, 0, fn)
}

func (s *Service) each(ctx context.Context, f Filter, limit int, fn func(Entry) error) error {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, strings.ToLower(strings.TrimSpace(f.Actor)))
	}
	if f.Action != "" {
		where, args = append(where, `substr(action, 1, ?) = ?`), append(args, len(f.Action), f.Action)
	}
	if f.SubjectType != "" {
		where, args = append(where, `subject_type = ?`), append(args, f.SubjectType)
	}
	if f.SubjectID != 0 {
		where, args = append(where, `subject_id = ?`), append(args, f.SubjectID)
	}
	if !f.From.IsZero() {
		where, args = append(where, `at >= ?`), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where, args = append(where, `at < ?`), append(args, f.To.UnixMilli())
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	q := `SELECT id, at, actor_id, actor, action, subject_type, subject_id, detail FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := s.db.R.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var at int64
		var actorID, subjectID sql.NullInt64
		var detail string
		if err := rows.Scan(&e.ID, &at, &actorID, &e.Actor, &e.Action, &e.SubjectType, &subjectID, &detail); err != nil {
			return fmt.Errorf("audit: list: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		e.ActorID, e.SubjectID, e.Detail = actorID.Int64, subjectID.Int64, []byte(detail)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

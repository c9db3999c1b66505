// Package savedview keeps the lead list views each user saves: a name
// for a set of filters and an order, to come back to in one click.
package savedview

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// View is one saved view of the lead list.
type View struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"` // the list's query string: filters and sort
	CreatedAt time.Time `json:"created_at"`
}

// Path is the lead list the view shows.
func (v View) Path() string { return "/leads?" + v.Query }

// MaxPerUser bounds the views one user keeps.
const MaxPerUser = 50

// Service keeps saved views.
type Service struct{ db *sqldb.DB }

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

func mine(a access.Actor) error {
	if a.ID == 0 {
		return fault.Errorf(fault.Forbidden, "saved views belong to a user; sign in as one")
	}
	return nil
}

// List returns a's views by name.
func (s *Service) List(ctx context.Context, a access.Actor) ([]View, error) {
	if err := mine(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT id, name, query, created_at FROM saved_views WHERE user_id = ? ORDER BY lower(name), id`, a.ID)
	if err != nil {
		return nil, fmt.Errorf("savedview: list: %w", err)
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		var v View
		var at int64
		if err := rows.Scan(&v.ID, &v.Name, &v.Query, &at); err != nil {
			return nil, err
		}
		v.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Save keeps the lead list's query under name for a, replacing a view
// of a of the same name. The query must be one the list takes: its
// filters are checked as the list checks them, and paging is dropped.
func (s *Service) Save(ctx context.Context, a access.Actor, name, query string) (View, error) {
	if err := mine(a); err != nil {
		return View{}, err
	}
	bad := fault.Fields{}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 80 {
		bad.Add("name", "is required, at most 80 characters")
	}
	q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(query), "?"))
	var f lead.Filter
	if err == nil {
		q.Del("cursor") // a view is the list from its first page
		f, err = lead.ParseFilter(q)
	}
	if err != nil {
		bad.Add("query", "is not a filter of the lead list: "+err.Error())
	}
	if err := bad.Err(); err != nil {
		return View{}, err
	}
	kept := f.Query() // the filters and the order, without a page
	v := View{Name: name, Query: kept.Encode(), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM saved_views WHERE user_id = ? AND lower(name) = lower(?)`, a.ID, name); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM saved_views WHERE user_id = ?`, a.ID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPerUser {
			return &fault.Error{Code: fault.Invalid, Message: "too many views", Fields: map[string]string{"name": fmt.Sprintf("you keep at most %d views; delete one first", MaxPerUser)}}
		}
		return tx.QueryRow(ctx, `INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			a.ID, v.Name, v.Query, v.CreatedAt.UnixMilli()).Scan(&v.ID)
	})
	return v, err
}

// Get returns a's view id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (View, error) {
	if err := mine(a); err != nil {
		return View{}, err
	}
	var v View
	var at int64
	err := s.db.R.QueryRow(ctx, `SELECT id, name, query, created_at FROM saved_views WHERE id = ? AND user_id = ?`, id, a.ID).Scan(&v.ID, &v.Name, &v.Query, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fault.Errorf(fault.NotFound, "you have no saved view %d", id)
	}
	v.CreatedAt = time.UnixMilli(at).UTC()
	return v, err
}

// Delete removes a's view id; another user's is not found.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if _, err := s.Get(ctx, a, id); err != nil {
		return err
	}
	_, err := s.db.W.Exec(ctx, `DELETE FROM saved_views WHERE id = ? AND user_id = ?`, id, a.ID)
	return err
}

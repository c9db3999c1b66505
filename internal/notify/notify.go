// Package notify keeps in-app notifications: short notices for one user,
// each with a link to what it is about, read or not. Other packages add
// notices inside their own transactions (a lead assigned, a first contact
// about to be late), so a notice exists exactly when its cause committed;
// this package only stores, lists and marks them.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/live"
	"leadflow/internal/sqldb"
)

// The kinds of notice.
const (
	Assigned = "assigned" // a lead was given to the user
	DueSoon  = "due_soon" // the first contact with one of the user's leads is due soon
	Hot      = "hot"      // one of the user's leads turned hot
)

// AccountLead is the kind of notice that tells an account's owner a new
// lead was linked to their account.
const AccountLead = "account_lead"

// Notice is one notification.
type Notice struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// Title is the notice in English, as stored; pages show TitleIn.
	Title string `json:"title"`
	// Args fill in the kind's message (notice.<kind> in the catalogs);
	// nil for a notice stored before they were kept, which reads as its
	// Title.
	Args      Args       `json:"-"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Args are the values a notice's message is filled in with, by the
// names of its placeholders ("Lead", "Score").
type Args map[string]string

// TitleIn is n's title in l's language: its kind's message filled in
// with its arguments, or the stored title when it has none (an older
// notice) or its kind has no message.
func (n Notice) TitleIn(l *i18n.Locale) string {
	if n.Args == nil || !i18n.Has("notice."+n.Kind) {
		return n.Title
	}
	return title(l, n.Kind, n.Args)
}

// title fills in kind's message in l. A lead known by no name, phone
// or company is named by its number; a count (Count) picks the plural.
func title(l *i18n.Locale, kind string, args Args) string {
	var pairs []any
	for k, v := range args {
		if k == "Count" {
			n, _ := strconv.Atoi(v)
			pairs = append(pairs, k, n)
			continue
		}
		pairs = append(pairs, k, v)
	}
	if args["Lead"] == "" {
		pairs = append(pairs, "Lead", l.T("notice.lead_number", "ID", args["LeadID"]))
	}
	return l.T("notice."+kind, pairs...)
}

// KindIn is the name of kind in l's language.
func KindIn(l *i18n.Locale, kind string) string {
	return l.Or("notice.kind."+kind, kind)
}

// Note is a notice to add.
type Note struct {
	UserID int64
	Kind   string
	// Args fill in the kind's message; the title is stored in English
	// too, for the API and for readers of the table.
	Args Args
	// Title is written as is when the kind has no message.
	Title string
	Link  string
	// Dedupe, when set, makes the notice once per user: a second one
	// with the same key is dropped.
	Dedupe string
	At     time.Time
}

// Add stores n through q, in the caller's transaction.
func Add(ctx context.Context, q sqldb.Querier, n Note) error {
	if n.UserID == 0 {
		return nil
	}
	var dedupe any
	if n.Dedupe != "" {
		dedupe = n.Dedupe
	}
	args := ""
	if n.Args != nil && i18n.Has("notice."+n.Kind) {
		n.Title = title(i18n.For(i18n.Default), n.Kind, n.Args)
		b, _ := json.Marshal(n.Args) // a map of strings always marshals
		args = string(b)
	}
	_, err := q.Exec(ctx, `INSERT INTO notifications (user_id, kind, title, args, link, dedupe, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		n.UserID, n.Kind, n.Title, args, n.Link, dedupe, n.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("notify: add: %w", err)
	}
	sqldb.Touch(q, live.User(n.UserID))
	return nil
}

// Service lists and marks a user's notices.
type Service struct{ db *sqldb.DB }

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

func mine(a access.Actor) error {
	if a.ID == 0 {
		return fault.Errorf(fault.Forbidden, "notifications belong to a user; sign in as one")
	}
	return nil
}

// Page is one page of notices, newest first.
type Page struct {
	Items []Notice
	// Next is the cursor of the following page, "" on the last.
	Next string
}

// MaxLimit bounds a page.
const MaxLimit = 100

// List returns a's notices newest first, after cursor (a Next of an
// earlier page, or ""), unread ones only when unread is set.
func (s *Service) List(ctx context.Context, a access.Actor, unread bool, cursor string, limit int) (Page, error) {
	if err := mine(a); err != nil {
		return Page{}, err
	}
	bad := fault.Fields{}
	before := int64(1<<62 - 1)
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n <= 0 {
			bad.Add("cursor", "must be a next_cursor this list gave")
		}
		before = n
	}
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > MaxLimit {
		bad.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	if err := bad.Err(); err != nil {
		return Page{}, err
	}
	where := ""
	if unread {
		where = " AND read_at IS NULL"
	}
	rows, err := s.db.R.Query(ctx, `SELECT id, kind, title, args, link, created_at, read_at FROM notifications
		WHERE user_id = ? AND id < ?`+where+` ORDER BY id DESC LIMIT ?`, a.ID, before, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	p := Page{Items: []Notice{}}
	for rows.Next() {
		var n Notice
		var at int64
		var read sql.NullInt64
		var args string
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &args, &n.Link, &at, &read); err != nil {
			return Page{}, err
		}
		n.Args = parseArgs(args)
		n.CreatedAt = time.UnixMilli(at).UTC()
		if read.Valid {
			t := time.UnixMilli(read.Int64).UTC()
			n.ReadAt = &t
		}
		p.Items = append(p.Items, n)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = strconv.FormatInt(p.Items[limit-1].ID, 10)
	}
	return p, nil
}

// parseArgs reads the stored arguments; "" (a notice from before they
// were kept) or anything unreadable is none.
func parseArgs(s string) Args {
	if s == "" {
		return nil
	}
	var a Args
	if json.Unmarshal([]byte(s), &a) != nil {
		return nil
	}
	return a
}

// Unread counts a's unread notices; the top bar shows it on every page.
func (s *Service) Unread(ctx context.Context, a access.Actor) (int, error) {
	if a.ID == 0 {
		return 0, nil
	}
	var n int
	err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, a.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// Read marks a's notice id read and returns it, for the link it leads
// to. Another user's notice is not found.
func (s *Service) Read(ctx context.Context, a access.Actor, id int64, now time.Time) (Notice, error) {
	if err := mine(a); err != nil {
		return Notice{}, err
	}
	var n Notice
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`,
			now.UnixMilli(), id, a.ID); err != nil {
			return fmt.Errorf("notify: read %d: %w", id, err)
		}
		var at, read int64
		var args string
		err := tx.QueryRow(ctx, `SELECT id, kind, title, args, link, created_at, read_at FROM notifications WHERE id = ? AND user_id = ?`,
			id, a.ID).Scan(&n.ID, &n.Kind, &n.Title, &args, &n.Link, &at, &read)
		n.Args = parseArgs(args)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "notification %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("notify: read %d: %w", id, err)
		}
		n.CreatedAt = time.UnixMilli(at).UTC()
		r := time.UnixMilli(read).UTC()
		n.ReadAt = &r
		return nil
	})
	return n, err
}

// ReadAll marks every notice of a read and says how many were unread.
func (s *Service) ReadAll(ctx context.Context, a access.Actor, now time.Time) (int64, error) {
	if err := mine(a); err != nil {
		return 0, err
	}
	res, err := s.db.W.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now.UnixMilli(), a.ID)
	if err != nil {
		return 0, fmt.Errorf("notify: read all: %w", err)
	}
	return res.RowsAffected()
}

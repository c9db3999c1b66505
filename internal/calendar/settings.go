// Package calendar shows activities by date: each user's time zone, the
// month and week grids and the agenda, and the iCalendar feed a user's
// calendar app subscribes to at a secret address.
package calendar

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones work on hosts without a zone database

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/linktoken"
	"leadflow/internal/sqldb"
)

// Store keeps each user's time zone and calendar feed.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewStore returns a Store over db.
func NewStore(db *sqldb.DB) *Store { return &Store{db: db, now: time.Now} }

// Settings are one user's calendar settings.
type Settings struct {
	Zone *time.Location
	// FeedOn says whether the user's feed address works; FeedSince is
	// when it was made.
	FeedOn    bool
	FeedSince time.Time
}

// ZoneName is the IANA name of the zone.
func (s Settings) ZoneName() string { return s.Zone.String() }

// LoadZone reads an IANA time zone name such as Europe/Bucharest,
// refusing anything else (a path, "Local", an empty name) by field.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	bad := &fault.Error{Code: fault.Invalid, Message: "unknown time zone",
		Fields: map[string]string{"time_zone": "must be an IANA time zone name such as Europe/Bucharest or UTC"}}
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || len(name) > 64 {
		return nil, bad
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad
	}
	return loc, nil
}

// Get returns user id's settings; UTC and no feed until set.
func (s *Store) Get(ctx context.Context, userID int64) (Settings, error) {
	var zone string
	var hash sql.NullString
	var since sql.NullInt64
	err := s.db.R.QueryRow(ctx, `SELECT time_zone, feed_hash, feed_created_at FROM user_calendars WHERE user_id = ?`, userID).Scan(&zone, &hash, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{Zone: time.UTC}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("calendar: settings of %d: %w", userID, err)
	}
	st := Settings{Zone: time.UTC, FeedOn: hash.Valid}
	if loc, err := time.LoadLocation(zone); err == nil {
		st.Zone = loc
	}
	if since.Valid {
		st.FeedSince = time.UnixMilli(since.Int64).UTC()
	}
	return st, nil
}

// Zone returns user id's time zone, UTC when it cannot be read.
func (s *Store) Zone(ctx context.Context, userID int64) *time.Location {
	st, err := s.Get(ctx, userID)
	if err != nil {
		return time.UTC
	}
	return st.Zone
}

// SetZone sets a's own time zone by its IANA name.
func (s *Store) SetZone(ctx context.Context, a access.Actor, name string) (*time.Location, error) {
	loc, err := LoadZone(name)
	if err != nil {
		return nil, err
	}
	return loc, s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO user_calendars (user_id, time_zone) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone`, a.ID, loc.String())
		if err != nil {
			return fmt.Errorf("calendar: set zone of %d: %w", a.ID, err)
		}
		return audit.Record(ctx, tx, a, "calendar.zone", "user", a.ID, map[string]string{"time_zone": loc.String()})
	})
}

// NewFeed makes a fresh secret for a's calendar feed and returns it; an
// address made before stops working. Only the secret's SHA-256 is kept,
// so the address is shown once and cannot be read back.
func (s *Store) NewFeed(ctx context.Context, a access.Actor) (string, error) {
	secret, hash := linktoken.New()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO user_calendars (user_id, feed_hash, feed_created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET feed_hash = excluded.feed_hash, feed_created_at = excluded.feed_created_at`,
			a.ID, hash, s.now().UnixMilli())
		if err != nil {
			return fmt.Errorf("calendar: new feed of %d: %w", a.ID, err)
		}
		return audit.Record(ctx, tx, a, "calendar.feed.create", "user", a.ID, nil)
	})
	return secret, err
}

// RevokeFeed turns a's feed address off.
func (s *Store) RevokeFeed(ctx context.Context, a access.Actor) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE user_calendars SET feed_hash = NULL, feed_created_at = NULL WHERE user_id = ?`, a.ID); err != nil {
			return fmt.Errorf("calendar: revoke feed of %d: %w", a.ID, err)
		}
		return audit.Record(ctx, tx, a, "calendar.feed.revoke", "user", a.ID, nil)
	})
}

// FeedOwner returns the user whose feed secret is secret, with their
// zone; NotFound for a secret that is unknown or revoked, or whose user
// is disabled.
func (s *Store) FeedOwner(ctx context.Context, secret string) (access.Actor, *time.Location, error) {
	var a access.Actor
	var role, zone string
	err := s.db.R.QueryRow(ctx, `SELECT u.id, u.email, u.role, c.time_zone FROM user_calendars c JOIN users u ON u.id = c.user_id
		WHERE c.feed_hash = ? AND u.disabled_at IS NULL`, linktoken.Hash(secret)).Scan(&a.ID, &a.Email, &role, &zone)
	if errors.Is(err, sql.ErrNoRows) || secret == "" {
		return a, nil, fault.Errorf(fault.NotFound, "no calendar feed has this address")
	}
	if err != nil {
		return a, nil, fmt.Errorf("calendar: feed: %w", err)
	}
	a.Role = access.Role(role)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return a, loc, nil
}

// Package webhook sends leadflow's events to the URLs admins subscribe
// them to, signed as the Standard Webhooks specification says
// (webhook-id, webhook-timestamp, webhook-signature).
//
// Database triggers write each change worth telling into webhook_events
// in the change's own transaction, while some subscription is active; a
// dispatch job turns them into one delivery per subscription, and a
// delivery job per delivery sends it, retried with exponential back-off.
// A subscription that keeps failing disables itself and says why.
package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/sqldb"
)

// Events are the event types a subscription may ask for.
var Events = []string{
	"lead.created", "lead.updated", "lead.merged", "lead.deleted",
	"lead.stage_changed", "lead.grade_changed", "lead.mql", "lead.sql", "lead.converted",
	"opportunity.won", "opportunity.lost",
	"form.submission_refused", "import.finished",
}

// Subscription is where to send which events.
type Subscription struct {
	ID          int64
	URL         string
	Description string
	Events      []string
	// Secret signs every message: "whsec_" and the base64 of the key.
	Secret string
	// AllowPrivate lets messages go to private and loopback addresses,
	// which are refused otherwise (at connection time, after DNS).
	AllowPrivate bool
	// Failures counts failed attempts in a row.
	Failures       int
	DisabledAt     *time.Time
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Active says whether the subscription is sent messages.
func (s Subscription) Active() bool { return s.DisabledAt == nil }

// Wants says whether s is subscribed to event.
func (s Subscription) Wants(event string) bool { return slices.Contains(s.Events, event) }

// Patch is a change to a subscription; nil fields stay as they are.
type Patch struct {
	URL          *string
	Description  *string
	Events       []string // nil leaves them; empty is refused
	AllowPrivate *bool
	// Active re-enables a disabled subscription (resetting its failure
	// count) or disables one.
	Active *bool
}

// Service keeps subscriptions and sends their messages.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	// Jobs, when set, is woken when deliveries are queued.
	Jobs *job.Runner
	// Timeout bounds one attempt, from dialling to the end of the
	// answer; default 10 s.
	Timeout time.Duration
	// Attempts is how often a message is tried; default 8.
	Attempts int
	// Retry is how long to wait after the n-th failed attempt; default
	// Backoff.
	Retry func(n int) time.Duration
	// DisableAfter is how many failed attempts in a row disable a
	// subscription; default 20.
	DisableAfter int
	// Mail, when set and configured, emails every admin when a
	// subscription disables itself.
	Mail *mail.Outbox
	Log  *slog.Logger
	now  func() time.Time
}

// NewService returns a Service over db; leads are read for the payloads.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, Timeout: 10 * time.Second, Attempts: 8, Retry: Backoff, DisableAfter: 20,
		Log: slog.New(slog.DiscardHandler), now: time.Now}
}

// Backoff is the wait after the n-th failed attempt: 5 s doubling each
// time (5 s, 10 s, 20 s... ), at most 2 h; with 8 attempts the last
// comes about 10 minutes after the first.
func Backoff(n int) time.Duration {
	d := 5 * time.Second << min(max(n-1, 0), 12)
	return min(d, 2*time.Hour)
}

// MayManage refuses anyone but admins: subscriptions send lead data out.
func MayManage(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only admins manage webhooks")
	}
	return nil
}

const columns = `id, url, description, events, secret, allow_private, failures, disabled_at, disabled_reason, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var events string
	var allow int
	var disabled sql.NullInt64
	var created, updated int64
	err := row.Scan(&s.ID, &s.URL, &s.Description, &events, &s.Secret, &allow, &s.Failures, &disabled, &s.DisabledReason, &created, &updated)
	if err != nil {
		return s, err
	}
	s.Events = strings.Fields(events)
	s.AllowPrivate = allow != 0
	if disabled.Valid {
		t := time.UnixMilli(disabled.Int64).UTC()
		s.DisabledAt = &t
	}
	s.CreatedAt, s.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return s, nil
}

// List returns every subscription, oldest first.
func (s *Service) List(ctx context.Context, a access.Actor) ([]Subscription, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, wrap("list", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scan(rows)
		if err != nil {
			return nil, wrap("list", err)
		}
		out = append(out, sub)
	}
	return out, wrap("list", rows.Err())
}

// Get returns subscription id.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Subscription, error) {
	if err := MayManage(a); err != nil {
		return Subscription{}, err
	}
	return get(ctx, s.db.R, id)
}

func get(ctx context.Context, q sqldb.Querier, id int64) (Subscription, error) {
	sub, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fault.Errorf(fault.NotFound, "webhook %d not found", id)
	}
	return sub, wrap(fmt.Sprintf("get %d", id), err)
}

// Create validates p and stores a new, active subscription with a new
// secret.
func (s *Service) Create(ctx context.Context, a access.Actor, p Patch) (Subscription, error) {
	if err := MayManage(a); err != nil {
		return Subscription{}, err
	}
	sub := Subscription{Events: []string{}}
	if p.Events == nil {
		p.Events = []string{}
	}
	if p.URL == nil {
		p.URL = new(string)
	}
	if err := apply(&sub, p); err != nil {
		return sub, err
	}
	sub.Secret = NewSecret()
	now := s.now().UTC().Truncate(time.Millisecond)
	sub.CreatedAt, sub.UpdatedAt, sub.DisabledAt = now, now, nil
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO webhooks (url, description, events, secret, allow_private, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, sub.URL, sub.Description, strings.Join(sub.Events, " "), sub.Secret,
			boolInt(sub.AllowPrivate), now.UnixMilli(), now.UnixMilli()).Scan(&sub.ID)
		if err != nil {
			return wrap("create", err)
		}
		return audit.Record(ctx, tx, a, "webhook.create", "webhook", sub.ID, map[string]any{"url": sub.URL, "events": sub.Events})
	})
	return sub, err
}

// Update applies p to subscription id.
func (s *Service) Update(ctx context.Context, a access.Actor, id int64, p Patch) (Subscription, error) {
	if err := MayManage(a); err != nil {
		return Subscription{}, err
	}
	var sub Subscription
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		sub, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM webhooks WHERE id = ?`+tx.ForUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "webhook %d not found", id)
		}
		if err != nil {
			return wrap("update", err)
		}
		if err := apply(&sub, p); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		sub.UpdatedAt = now
		var disabled any
		switch {
		case p.Active != nil && *p.Active:
			sub.DisabledAt, sub.DisabledReason, sub.Failures = nil, "", 0
		case p.Active != nil && sub.DisabledAt == nil:
			sub.DisabledAt, sub.DisabledReason = &now, "disabled by "+actorName(a)
		}
		if sub.DisabledAt != nil {
			disabled = sub.DisabledAt.UnixMilli()
		}
		_, err = tx.Exec(ctx, `UPDATE webhooks SET url = ?, description = ?, events = ?, allow_private = ?, failures = ?,
			disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`, sub.URL, sub.Description, strings.Join(sub.Events, " "),
			boolInt(sub.AllowPrivate), sub.Failures, disabled, sub.DisabledReason, now.UnixMilli(), id)
		if err != nil {
			return wrap("update", err)
		}
		return audit.Record(ctx, tx, a, "webhook.update", "webhook", id, map[string]any{"url": sub.URL, "events": sub.Events, "active": sub.Active()})
	})
	return sub, err
}

// Delete removes subscription id with its delivery log.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := MayManage(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
		if err != nil {
			return wrap("delete", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "webhook %d not found", id)
		}
		return audit.Record(ctx, tx, a, "webhook.delete", "webhook", id, nil)
	})
}

// apply validates p and sets it on sub.
func apply(sub *Subscription, p Patch) error {
	bad := fault.Fields{}
	if p.URL != nil {
		sub.URL = strings.TrimSpace(*p.URL)
	}
	if p.Description != nil {
		sub.Description = strings.TrimSpace(*p.Description)
		if len(sub.Description) > 500 {
			bad.Add("description", "must be at most 500 characters")
		}
	}
	if p.AllowPrivate != nil {
		sub.AllowPrivate = *p.AllowPrivate
	}
	if p.Events != nil {
		sub.Events = nil
		for _, e := range p.Events {
			e = strings.TrimSpace(e)
			if !slices.Contains(Events, e) {
				bad.Add("events", fmt.Sprintf("%q is not an event; the events are %s", e, strings.Join(Events, ", ")))
				continue
			}
			if !slices.Contains(sub.Events, e) {
				sub.Events = append(sub.Events, e)
			}
		}
		if len(p.Events) == 0 {
			bad.Add("events", "choose at least one event")
		}
	}
	if reason := checkURL(sub.URL, sub.AllowPrivate); reason != "" {
		bad.Add("url", reason)
	}
	return bad.Err()
}

// checkURL says what is wrong with u as a webhook URL, or "". The
// address is checked again when connecting, after DNS: a name that
// resolves to a private address is refused then.
func checkURL(raw string, allowPrivate bool) string {
	if raw == "" {
		return "is required"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http:// or https:// URL"
	}
	if len(raw) > 2000 {
		return "must be at most 2000 characters"
	}
	if !allowPrivate && privateHost(u.Hostname()) {
		return "is a private or loopback address; an admin may allow private addresses for this webhook"
	}
	return ""
}

func actorName(a access.Actor) string {
	if a.Email == "" {
		return audit.SystemActor
	}
	return a.Email
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("webhook: %s: %w", what, err)
}

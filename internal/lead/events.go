package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// EventInput is one behaviour to record: of a known lead (by id or
// email) or of an anonymous visitor, whose events become a lead's when
// the visitor submits a form.
type EventInput struct {
	LeadID     int64
	Email      string
	VisitorID  string
	Type       string
	URL        string
	OccurredAt time.Time // zero: now
	Properties map[string]string
	Source     string // api, tracking, pixel
}

// EventResult is the outcome of one recorded event.
type EventResult struct {
	LeadID int64 // 0 for an anonymous visitor's event
	Score  int
	Grade  Grade
}

// MaxEventBatch bounds one call of RecordEvents.
const MaxEventBatch = 1000

// validate names what is wrong with event i.
func (e *EventInput) validate(i int, bad fault.Fields) {
	at := ""
	if i >= 0 {
		at = "events." + strconv.Itoa(i) + "."
	}
	e.Type = strings.TrimSpace(e.Type)
	e.Email = strings.TrimSpace(e.Email)
	e.VisitorID = strings.TrimSpace(e.VisitorID)
	if e.Type == "" || len(e.Type) > 64 || strings.ContainsAny(e.Type, " \t\n") {
		bad.Add(at+"type", "must be an event type such as page_view (no spaces, at most 64 characters)")
	}
	if e.LeadID == 0 && e.Email == "" && e.VisitorID == "" {
		bad.Add(at+"lead_id", "give lead_id, email or visitor_id")
	}
	if len(e.VisitorID) > 100 {
		bad.Add(at+"visitor_id", "must be at most 100 characters")
	}
	if len(e.URL) > 2000 {
		bad.Add(at+"url", "must be at most 2000 characters")
	}
	if len(e.Properties) > 50 {
		bad.Add(at+"properties", "at most 50 properties")
	}
}

// RecordEvents stores a batch of events in one transaction and rescores
// every lead they belong to. An event for an email or id no lead has is
// refused by name; nothing of a refused batch is stored.
func (s *Service) RecordEvents(ctx context.Context, a access.Actor, in []EventInput) ([]EventResult, error) {
	bad := fault.Fields{}
	if len(in) == 0 || len(in) > MaxEventBatch {
		bad.Add("events", fmt.Sprintf("send 1 to %d events", MaxEventBatch))
	}
	idx := func(i int) int {
		if len(in) == 1 {
			return -1 // a single event names its fields plainly
		}
		return i
	}
	for i := range in {
		in[i].validate(idx(i), bad)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	out := make([]EventResult, len(in))
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		touched := map[int64]bool{}
		for i := range in {
			id, err := s.eventLead(ctx, tx, a, &in[i], idx(i))
			if err != nil {
				return err
			}
			if err := storeEvent(ctx, tx, id, in[i], now); err != nil {
				return err
			}
			out[i].LeadID = id
			if id != 0 {
				touched[id] = true
			}
		}
		// Rescore in id order, so concurrent batches lock leads alike.
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		scores := map[int64]Lead{}
		for _, id := range ids {
			l, err := getLead(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.rescoreTx(ctx, tx, &l, "new activity", now); err != nil {
				return err
			}
			scores[id] = l
		}
		for i := range out {
			if l, ok := scores[out[i].LeadID]; ok {
				out[i].Score, out[i].Grade = l.Score, l.Grade
			}
		}
		return nil
	})
	return out, err
}

// eventLead resolves which lead an event belongs to (0 for a visitor's).
func (s *Service) eventLead(ctx context.Context, tx *sqldb.Tx, a access.Actor, e *EventInput, i int) (int64, error) {
	at := ""
	if i >= 0 {
		at = "events." + strconv.Itoa(i) + "."
	}
	// Only the id and the owner are needed here: the whole lead is read
	// once, for its rescore, however many of the batch's events it has.
	var id, owner int64
	var err error
	switch {
	case e.LeadID != 0:
		err = tx.QueryRow(ctx, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE id = ?`, e.LeadID).Scan(&id, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, &fault.Error{Code: fault.Invalid, Message: "unknown lead", Fields: map[string]string{at + "lead_id": "no lead has this id"}}
		}
	case e.Email != "":
		err = tx.QueryRow(ctx, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE lower(email) = lower(?)`, e.Email).Scan(&id, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, &fault.Error{Code: fault.Invalid, Message: "unknown lead", Fields: map[string]string{at + "email": "no lead has this email"}}
		}
	default:
		// A browser once tied to a lead keeps counting for it.
		var vid sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT lead_id FROM events WHERE visitor_id = ? AND lead_id IS NOT NULL LIMIT 1`, e.VisitorID).Scan(&vid)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !vid.Valid) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("lead store: visitor %s: %w", e.VisitorID, err)
		}
		return vid.Int64, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lead store: lead of an event: %w", err)
	}
	if !a.CanSeeLead(owner) {
		return 0, fault.Errorf(fault.Forbidden, "lead %d belongs to another sales user", id)
	}
	return id, nil
}

func storeEvent(ctx context.Context, tx *sqldb.Tx, leadID int64, e EventInput, now time.Time) error {
	at := e.OccurredAt
	if at.IsZero() {
		at = now
	}
	props := ""
	if len(e.Properties) > 0 {
		b, _ := json.Marshal(e.Properties) // a map of strings always marshals
		props = string(b)
	}
	var lead any
	if leadID != 0 {
		lead = leadID
	}
	_, err := tx.Exec(ctx, `INSERT INTO events (lead_id, visitor_id, type, url, occurred_at, properties, source)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, lead, e.VisitorID, e.Type, e.URL, at.UTC().UnixMilli(), props, e.Source)
	if err != nil {
		return fmt.Errorf("lead store: record event: %w", err)
	}
	return nil
}

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
	"leadflow/internal/live"
	"leadflow/internal/scoring"
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

// MaxClockSkew is how far ahead of leadflow's clock an event may be
// dated: a sender's clock a little fast. Further ahead it would hold its
// rule's points undecayed, and the lead's older points decayed to its
// date, until that date came.
const MaxClockSkew = 5 * time.Minute

// validate names what is wrong with event i, received at now.
func (e *EventInput) validate(i int, bad fault.Fields, now time.Time) {
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
	if e.OccurredAt.After(now.Add(MaxClockSkew)) {
		bad.Add(at+"occurred_at", "must not be in the future (at most 5 minutes ahead of the server's clock)")
	}
	if len(e.Properties) > 50 {
		bad.Add(at+"properties", "at most 50 properties")
	}
}

// RecordEvents stores a batch of events in one transaction and rescores
// every lead they belong to. An event for an email or id no lead has is
// refused by name; nothing of a refused batch is stored. Each batch is
// answered once its own events are durable.
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
	now := s.now().UTC().Truncate(time.Millisecond)
	for i := range in {
		in[i].validate(idx(i), bad, now)
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	out := make([]EventResult, len(in))
	err := s.eventsTx(ctx, func(tx *sqldb.Tx) error {
		known, err := leadsByID(ctx, tx, in)
		if err != nil {
			return err
		}
		touched := map[int64]bool{}
		for i := range in {
			id, err := s.eventLead(ctx, tx, a, known, &in[i], idx(i))
			if err != nil {
				return err
			}
			out[i].LeadID = id
			if id != 0 {
				touched[id] = true
			}
		}
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		scores, err := s.recordScored(ctx, tx, in, out, ids, now)
		if err != nil {
			return err
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

// eventsTx runs a batch of events in a transaction. On SQLite, batches
// that arrive together share one (the single writer commits once for
// all); PostgreSQL runs them side by side, which measured faster there.
func (s *Service) eventsTx(ctx context.Context, fn func(*sqldb.Tx) error) error {
	if s.db.Dialect == sqldb.SQLite {
		return s.events.Do(ctx, fn)
	}
	return s.db.InTx(ctx, fn)
}

// recordScored stores the events of in (out names each one's lead, 0
// for a visitor's) and updates the score of every lead ids names from
// its stored sums: one read of the leads and their sums, then multi-row
// statements for the events and the sums, and the scores that moved
// with the timeline entries they call for (saveEach, saveTogether).
// A lead whose sums are missing or of other rules has them rebuilt from
// its events first; one whose window moved has that rule recomputed from
// the events inside the window.
//
// The leads are locked, in id order, before their events are stored, so
// the events of one lead get their ids in the order they are added to
// its sums, also when two batches for it run at once on PostgreSQL: the
// order the full recomputation folds them in (see scoring.Keyset).
func (s *Service) recordScored(ctx context.Context, tx *sqldb.Tx, in []EventInput, out []EventResult, ids []int64, now time.Time) (map[int64]Lead, error) {
	rs, err := s.rules.CurrentIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	k := rs.Rules.Keyset()
	nowMs := now.UnixMilli()
	leads := make(map[int64]Lead, len(ids))
	sums := make(map[int64]scoring.Sums, len(ids))
	for part := range slices.Chunk(ids, maxInList) {
		if err := s.lockWithSums(ctx, tx, part, k, nowMs, leads, sums); err != nil {
			return nil, err
		}
	}
	times, err := storeEvents(ctx, tx, in, out, now)
	if err != nil {
		return nil, err
	}
	for i := range in {
		if s, ok := sums[out[i].LeadID]; ok {
			k.Add(s, scoring.Event{Type: in[i].Type, URL: in[i].URL, At: times[i]}, nowMs)
		}
	}
	found := make([]int64, 0, len(ids))
	results := make(map[int64]scoring.Result, len(ids))
	for _, id := range ids {
		l, ok := leads[id]
		if !ok {
			continue // deleted meanwhile
		}
		found = append(found, id)
		results[id] = scoring.ScoreSums(scoring.Facts(l.Values()), sums[id], k, rs.Rules, nowMs)
	}
	if err := scoring.PutSumsOf(ctx, tx, found, k, sums); err != nil {
		return nil, err
	}
	save := s.saveEach
	if tx.Dialect() == sqldb.Postgres {
		save = s.saveTogether
	}
	if err := save(ctx, tx, found, leads, results, rs.Rules, now); err != nil {
		return nil, err
	}
	return leads, nil
}

// saveEach stores the results of the leads found (locked by the caller)
// that moved, and updates leads to match: the scores that moved alone
// in multi-row statements, a lead whose grade or stage moved too by
// itself, with its timeline entries (storeResult). That is for SQLite,
// where a statement is no round trip: saving those leads together
// measured 5–10 % slower there (see saveTogether).
func (s *Service) saveEach(ctx context.Context, tx *sqldb.Tx, found []int64, leads map[int64]Lead, results map[int64]scoring.Result, rules scoring.Rules, now time.Time) error {
	var quiet []scoreWrite
	for _, id := range found {
		l := leads[id]
		next := l
		changed, changes := applyScore(&next, results[id], rules, ReasonActivity, now)
		switch {
		case !changed:
		case len(changes) == 0 && next.Grade == l.Grade && next.Stage == l.Stage:
			quiet = append(quiet, scoreWrite{id: id, version: l.Version, score: next.Score})
			next.Version++
			leads[id] = next
		default:
			if err := s.storeResult(ctx, tx, &l, results[id], rules, ReasonActivity, now); err != nil {
				return err
			}
			leads[id] = l
		}
	}
	return saveScores(ctx, tx, quiet)
}

// saveTogether is saveEach for PostgreSQL, where a statement a lead was
// a round trip each, taken while the batch held its leads' locks: every
// lead that moved is saved in a few multi-row statements by kind of save
// (saveMoves), then their timeline entries in one COPY, then the
// notices to the owners of leads that turned hot.
func (s *Service) saveTogether(ctx context.Context, tx *sqldb.Tx, found []int64, leads map[int64]Lead, results map[int64]scoring.Result, rules scoring.Rules, now time.Time) error {
	var moves []scoreMove
	for _, id := range found {
		l := leads[id]
		next := l
		if moved, changes := applyScore(&next, results[id], rules, ReasonActivity, now); moved {
			moves = append(moves, scoreMove{now: next, was: l, changes: changes})
			next.Version++
			leads[id] = next
		}
	}
	saved, err := saveMoves(ctx, tx, moves)
	if err != nil {
		return err
	}
	if len(saved) != len(moves) {
		return fmt.Errorf("lead store: stored %d scores of %d: a version is stale under the leads' locks", len(saved), len(moves))
	}
	var changes []Change
	for _, m := range moves {
		changes = append(changes, m.changes...)
	}
	if err := insertChanges(ctx, tx, changes); err != nil {
		return err
	}
	for _, m := range moves {
		if m.now.Grade == Hot && m.was.Grade != Hot {
			if err := noticeHot(ctx, tx, m.now, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// lockWithSums locks the leads ids names (at most maxInList, in id order;
// see lockLead: an edit of one waits for the batch, and the batch for the
// edit) and reads their sums into leads and sums, made current for k at
// now.
func (s *Service) lockWithSums(ctx context.Context, tx *sqldb.Tx, ids []int64, k scoring.Keyset, now int64, leads map[int64]Lead, sums map[int64]scoring.Sums) error {
	in, args := inList(ids)
	locked, err := queryLeads(ctx, tx, `SELECT `+columns+fromLeads+` WHERE l.id IN (`+in+`) ORDER BY l.id`+tx.ForUpdate("l"), args...)
	if err != nil {
		return fmt.Errorf("lead store: leads to score: %w", err)
	}
	stored, err := scoring.ReadSums(ctx, tx, in, args)
	if err != nil {
		return err
	}
	var rebuild []int64
	for _, l := range locked {
		leads[l.ID] = l
		if got, ok := stored[l.ID].For(k); ok {
			sums[l.ID] = got
		} else {
			rebuild = append(rebuild, l.ID)
		}
	}
	if len(rebuild) > 0 {
		in, args := inList(rebuild)
		events, err := eventsOfMany(ctx, tx, in, args)
		if err != nil {
			return err
		}
		for _, id := range rebuild {
			sums[id] = k.Fold(events[id], now)
		}
	}
	for _, l := range locked {
		if err := refreshWindows(ctx, tx, l.ID, k, sums[l.ID], now); err != nil {
			return err
		}
	}
	return nil
}

// refreshWindows recomputes the windowed rules of a lead's sums that an
// event has left by now, from the lead's events inside the window.
func refreshWindows(ctx context.Context, q sqldb.Querier, id int64, k scoring.Keyset, sums scoring.Sums, now int64) error {
	stale, days := k.Stale(sums, now)
	if stale == nil {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT lead_id, id, type, url, occurred_at FROM events WHERE lead_id = ? AND occurred_at >= ?`,
		id, now-int64(days)*24*int64(time.Hour/time.Millisecond))
	if err != nil {
		return fmt.Errorf("lead store: events in the window of %d: %w", id, err)
	}
	events, err := collectEvents(rows)
	if err != nil {
		return err
	}
	k.FoldInto(sums, stale, events[id], now)
	return nil
}

// maxInList is the most ids one IN list holds.
const maxInList = 256

// inList makes the placeholders and arguments of an IN list of ids. The
// list is padded (repeating the last id) to a power of two, so a handful
// of statements serve every length and stay prepared.
func inList(ids []int64) (string, []any) {
	size := 1
	for size < len(ids) {
		size *= 2
	}
	args := make([]any, size)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return placeholders(size), args
}

// eventsOfMany loads the events of the leads an IN list names, by lead.
func eventsOfMany(ctx context.Context, tx sqldb.Querier, in string, args []any) (map[int64][]scoring.Event, error) {
	rows, err := tx.Query(ctx, `SELECT lead_id, id, type, url, occurred_at FROM events WHERE lead_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("lead store: events to rescore: %w", err)
	}
	return collectEvents(rows)
}

// collectEvents reads rows of (lead_id, id, type, url, occurred_at) into
// each lead's events, and closes them.
func collectEvents(rows *sql.Rows) (map[int64][]scoring.Event, error) {
	defer rows.Close()
	out := map[int64][]scoring.Event{}
	for rows.Next() {
		var leadID, at int64
		var e scoring.Event
		if err := rows.Scan(&leadID, &e.ID, &e.Type, &e.URL, &at); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out[leadID] = append(out[leadID], e)
	}
	return out, rows.Err()
}

// leadsByID reads the owner of every lead the events name by id, with
// one query per 256 ids rather than one per event. Leads that do not
// exist are missing from the answer.
func leadsByID(ctx context.Context, tx *sqldb.Tx, in []EventInput) (map[int64]int64, error) {
	var ids []int64
	for _, e := range in {
		if e.LeadID != 0 {
			ids = append(ids, e.LeadID)
		}
	}
	owners := make(map[int64]int64, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), maxInList)
		list, args := inList(ids[:n])
		ids = ids[n:]
		rows, err := tx.Query(ctx, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE id IN (`+list+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("lead store: leads of events: %w", err)
		}
		for rows.Next() {
			var id, owner int64
			if err := rows.Scan(&id, &owner); err != nil {
				rows.Close()
				return nil, err
			}
			owners[id] = owner
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return owners, nil
}

// eventLead resolves which lead an event belongs to (0 for a visitor's);
// known holds the owners of the leads the batch names by id.
func (s *Service) eventLead(ctx context.Context, tx *sqldb.Tx, a access.Actor, known map[int64]int64, e *EventInput, i int) (int64, error) {
	at := ""
	if i >= 0 {
		at = "events." + strconv.Itoa(i) + "."
	}
	// Only the id and the owner are needed here: the whole lead is read
	// once, for its rescore, however many of the batch's events it has.
	var id, owner int64
	var err error
	field := "lead_id" // the field the event named its lead by
	switch {
	case e.LeadID != 0:
		var ok bool
		if owner, ok = known[e.LeadID]; !ok {
			return 0, &fault.Error{Code: fault.Invalid, Message: "unknown lead", Fields: map[string]string{at + "lead_id": "no lead has this id"}}
		}
		id = e.LeadID
	case e.Email != "":
		field = "email"
		err = tx.QueryRow(ctx, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE `+emailIs, e.Email).Scan(&id, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, &fault.Error{Code: fault.Invalid, Message: "unknown lead", Fields: map[string]string{at + "email": "no lead has this email"}}
		}
	default:
		field = "visitor_id"
		// A browser once tied to a lead keeps counting for it. The
		// visitor's lead is checked as one named by id: otherwise the
		// answer would tell anyone its id, score and grade.
		err := tx.QueryRow(ctx, `SELECT l.id, COALESCE(l.owner_id, 0) FROM events e JOIN leads l ON l.id = e.lead_id
			WHERE e.visitor_id = ? AND e.visitor_id <> '' LIMIT 1`, e.VisitorID).Scan(&id, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil // an anonymous visitor, so far
		}
		if err != nil {
			return 0, fmt.Errorf("lead store: visitor %s: %w", e.VisitorID, err)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("lead store: lead of an event: %w", err)
	}
	if !a.CanSeeLead(owner) {
		// Named by the field the event used, never by the lead's id,
		// which a visitor id or an email must not reveal.
		return 0, &fault.Error{Code: fault.Forbidden, Message: "the event's lead belongs to another sales user",
			Fields: map[string]string{at + field: "is another sales user's lead"}}
	}
	return id, nil
}

// storeEvents stores the events of in (out names each one's lead, 0 for
// a visitor's) in a few multi-row statements rather than one a row, in
// the order given: the ids they get follow it, as their leads' sums do.
// It returns each event's time as stored.
func storeEvents(ctx context.Context, tx *sqldb.Tx, in []EventInput, out []EventResult, now time.Time) ([]time.Time, error) {
	times := make([]time.Time, len(in))
	rows := make([][]any, len(in))
	for i, e := range in {
		at := e.OccurredAt
		if at.IsZero() {
			at = now
		}
		times[i] = time.UnixMilli(at.UnixMilli()).UTC()
		props := ""
		if len(e.Properties) > 0 {
			b, _ := json.Marshal(e.Properties) // a map of strings always marshals
			props = string(b)
		}
		var lead any
		if id := out[i].LeadID; id != 0 {
			lead = id
			tx.Touch(live.Lead(id))
		}
		rows[i] = []any{lead, e.VisitorID, e.Type, e.URL, times[i].UnixMilli(), props, e.Source}
	}
	err := tx.InsertMany(ctx, "events", []string{"lead_id", "visitor_id", "type", "url", "occurred_at", "properties", "source"}, rows)
	if err != nil {
		return nil, fmt.Errorf("lead store: record events: %w", err)
	}
	return times, nil
}

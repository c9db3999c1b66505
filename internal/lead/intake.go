package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/live"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// Origin says where incoming lead data came from, for the timeline and the
// event it leaves.
type Origin struct {
	Channel   string            // form, import, api
	Reason    string            // e.g. `form "Contact us"`, `import 3 (leads.csv)`
	EventType string            // the event every arrival records; "" records one only on a match
	URL       string            // the page it came from, if any
	Props     map[string]string // event properties
	VisitorID string            // the tracked browser it came from, whose earlier events become the lead's
	Consent   ConsentProof      // kept with a consent it gives, and whether it must be confirmed
	// Language is the language it was spoken to in (a form's, or the
	// visitor's browser's), which a lead without one keeps for the
	// emails it gets later.
	Language string
}

// Special columns an intake may carry besides the editable fields: they
// restore a lead exported from leadflow and apply only to new leads.
const (
	FCreatedAt = "created_at"
	FConsentAt = "consent_at"
)

// IntakeResult is what happened to one piece of incoming data.
type IntakeResult struct {
	Lead      Lead
	Created   bool                 // a new lead
	Filled    map[string][2]string // empty fields it filled on an existing lead
	Conflicts map[string][2]string // field -> [kept, offered] where both differ
	// ConsentToken is set when the consent offered must be confirmed
	// first: the token of the link to email to the person, and the
	// request it confirms (see NoteConsentMail).
	ConsentToken   string
	ConsentRequest int64
}

// Changed reports whether the lead was created or updated.
func (r IntakeResult) Changed() bool { return r.Created || len(r.Filled) > 0 }

// Incoming is one piece of lead data, in the text form of Changes.
type Incoming struct {
	Changes Changes
	Origin  Origin
}

// Intake takes lead data from outside (a form, an import row, the API) and
// de-duplicates it by normalised email: new addresses create a lead; known
// ones fill the empty fields of the lead they belong to, never overwrite a
// non-empty one, and record each disagreement on its timeline and in the
// review queue, where a reviewer picks the value to keep. Invalid
// data is refused with the reason for each field and changes nothing.
func (s *Service) Intake(ctx context.Context, in Incoming) (IntakeResult, error) {
	res, errs, err := s.intake(ctx, []Incoming{in}, nil, s.eachOne)
	if err != nil {
		return IntakeResult{}, err
	}
	return res[0], errs[0]
}

// IntakeBatch takes many pieces in one transaction, which is what makes
// imports fast: the new leads among them are written together (see
// intakeBulk), and are compared with their look-alikes by the next run of
// PairsJob rather than here, so a caller queues that job when it is done
// (imports do as they finish). errs[i] is the validation error of ins[i] (nil when it was
// taken); err is a failure of the whole batch, which then changed nothing.
func (s *Service) IntakeBatch(ctx context.Context, ins []Incoming) (res []IntakeResult, errs []error, err error) {
	return s.IntakeBatchThen(ctx, ins, nil)
}

// IntakeBatchThen is IntakeBatch that also runs then, with the outcome,
// inside the same transaction: an import records its progress and its
// rejected rows atomically with the leads, so a crash never counts a row
// twice or loses one.
func (s *Service) IntakeBatchThen(ctx context.Context, ins []Incoming,
	then func(tx *sqldb.Tx, res []IntakeResult, errs []error) error) (res []IntakeResult, errs []error, err error) {
	return s.intake(ctx, ins, then, s.intakeBulk)
}

// eachOne is intakeBulk one piece after the other, for a single intake.
func (s *Service) eachOne(ctx context.Context, tx *sqldb.Tx, ins []Incoming, now time.Time) ([]IntakeResult, []error, error) {
	res, errs := make([]IntakeResult, len(ins)), make([]error, len(ins))
	for i, in := range ins {
		r, verr, err := s.intakeOne(ctx, tx, in, now)
		if err != nil {
			return nil, nil, err
		}
		res[i], errs[i] = r, verr
	}
	return res, errs, nil
}

type intakeFunc func(ctx context.Context, tx *sqldb.Tx, ins []Incoming, now time.Time) ([]IntakeResult, []error, error)

func (s *Service) intake(ctx context.Context, ins []Incoming, then func(tx *sqldb.Tx, res []IntakeResult, errs []error) error,
	take intakeFunc) (res []IntakeResult, errs []error, err error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	// Two writers may race to create the same new email on PostgreSQL; the
	// loser's transaction fails on the unique index and runs again, when it
	// finds the winner's lead and merges into it.
	for attempt := 0; ; attempt++ {
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			var err error
			if res, errs, err = take(ctx, tx, ins, now); err != nil {
				return err
			}
			if then != nil {
				return then(tx, res, errs)
			}
			return nil
		})
		if err == nil || attempt == 3 || fault.CodeOf(err) != fault.Conflict {
			return res, errs, err
		}
	}
}

// IntakeIn takes in one piece of lead data inside tx, for callers that
// store more in the same transaction (a form submission with its raw
// record). verr is the data's validation error, which changed nothing;
// err is a storage failure. A conflict (another writer created the same
// email at the same moment) is an err: the caller's transaction must run
// again.
func (s *Service) IntakeIn(ctx context.Context, tx *sqldb.Tx, in Incoming) (res IntakeResult, verr, err error) {
	return s.intakeOne(ctx, tx, in, s.now().UTC().Truncate(time.Millisecond))
}

// intakeOne returns a validation error as verr and a storage failure as err.
func (s *Service) intakeOne(ctx context.Context, tx *sqldb.Tx, in Incoming, now time.Time) (res IntakeResult, verr, err error) {
	incoming, c, verr, err := readIncoming(ctx, tx, in, now, ownerByEmail)
	if verr != nil || err != nil {
		return res, verr, err
	}

	// Without an email the lead is new here; a probable match by name,
	// phone or address goes to the review queue, never merged unseen.
	var existing Lead
	known := false
	if incoming.Email != "" {
		existing, err = lockLeadByEmail(ctx, tx, incoming.Email)
		known = err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return res, nil, err
		}
	}
	ask := asksConsent(c, in.Origin.Consent, known, existing)
	if ask && incoming.Email == "" {
		// Confirmation goes by email; without one, consent cannot count.
		delete(c, FConsent)
		incoming.Consent, incoming.ConsentAt = false, nil
		ask = false
	}
	if ask {
		// Consent waits for the person's confirmation.
		delete(c, FConsent)
		incoming.Consent, incoming.ConsentAt = false, nil
	}
	if known {
		res, err = s.intakeKnown(ctx, tx, existing, incoming, c, in.Origin, now)
	} else {
		res, err = s.intakeNew(ctx, tx, incoming, in.Origin, now)
	}
	if err == nil && ask {
		res.ConsentToken, res.ConsentRequest, err = requestConsent(ctx, tx, res.Lead.ID, in.Origin, now)
	}
	return res, nil, err
}

// readIncoming validates in and returns the lead it describes, with the
// editable fields it names; owner finds the id of the user a lead is
// given to by email (0 for none). verr names each field that is wrong.
func readIncoming(ctx context.Context, q sqldb.Querier, in Incoming, now time.Time,
	owner func(context.Context, sqldb.Querier, string) (int64, error)) (incoming Lead, c Changes, verr, err error) {
	c, special := splitSpecial(in.Changes)
	incoming, bad := Apply(Lead{CreatedAt: now, UpdatedAt: now}, c, now)
	restore(&incoming, special, bad)
	if email, ok := c[FOwner]; ok && email != "" {
		id, err := owner(ctx, q, email)
		if err != nil {
			return incoming, c, nil, err
		}
		if id == 0 {
			bad.Add(FOwner, "no user has this email")
		}
		incoming.OwnerID, incoming.OwnerEmail = id, email
	}
	return incoming, c, bad.Err(), nil
}

// asksConsent reports whether consent offered in c must be confirmed by
// email before it counts: always under double opt-in, and for a lead that
// exists already when the post proves nothing about who sent it (anyone
// can type a known address into a public form).
func asksConsent(c Changes, p ConsentProof, known bool, existing Lead) bool {
	if c[FConsent] != "true" || (known && existing.Consent) {
		return false
	}
	return p.DoubleOptIn || (known && p.Unverified)
}

func (s *Service) intakeNew(ctx context.Context, tx *sqldb.Tx, l Lead, o Origin, now time.Time) (IntakeResult, error) {
	sourceFromChannel(&l, o)
	var err error
	if l.Grade, err = s.gradeOf(ctx, tx, l.Score); err != nil {
		return IntakeResult{}, err
	}
	na, err := s.readAssignment(ctx, tx, l)
	if err != nil {
		return IntakeResult{}, err
	}
	if o.VisitorID != "" {
		// A tracked browser may bring earlier events: the lead is scored
		// once they are attached, from all its events read back.
		if err := insertCreated(ctx, tx, &l, l, nil, o, now); err != nil {
			return IntakeResult{}, err
		}
		if err := attachVisitor(ctx, tx, l.ID, o.VisitorID); err != nil {
			return IntakeResult{}, err
		}
		if err := s.rescoreTx(ctx, tx, &l, o.Reason, now); err != nil {
			return IntakeResult{}, err
		}
	} else if err := s.insertScored(ctx, tx, &l, o, now); err != nil {
		return IntakeResult{}, err
	}
	if err := s.assignNew(ctx, tx, &l, na, now); err != nil {
		return IntakeResult{}, err
	}
	return IntakeResult{Lead: l, Created: true}, nil
}

// sourceFromChannel gives a new lead that names no source the channel it
// came through (an import, an email), as a form's leads get "form": the
// reports count leads, cost and revenue by source, where a lead without
// one is counted under none. A known lead keeps its own.
func sourceFromChannel(l *Lead, o Origin) {
	if l.Source == "" {
		l.Source = o.Channel
	}
}

// insertScored stores a new lead whose events are the one its origin
// records, if any, scored before it is written: the row is written once,
// with its score, grade and stage, instead of written and then updated
// (a second version of the row, and of its entries in every index on
// PostgreSQL). The timeline reads as if it were scored after: created,
// then the score's entries.
func (s *Service) insertScored(ctx context.Context, tx *sqldb.Tx, l *Lead, o Origin, now time.Time) error {
	rs, err := s.rules.CurrentIn(ctx, tx)
	if err != nil {
		return err
	}
	var events []scoring.Event
	if o.EventType != "" {
		events = []scoring.Event{{Type: o.EventType, URL: o.URL, At: now}}
	}
	k := rs.Rules.Keyset()
	sums := k.Fold(events, now.UnixMilli())
	born := *l
	_, changes := applyScore(l, scoring.ScoreSums(scoring.Facts(l.Values()), sums, k, rs.Rules, now.UnixMilli()), rs.Rules, o.Reason, now)
	if err := insertCreated(ctx, tx, l, born, changes, o, now); err != nil {
		return err
	}
	if err := scoring.PutSums(ctx, tx, l.ID, k, sums); err != nil {
		return err
	}
	if l.Grade == Hot && born.Grade != Hot {
		return noticeHot(ctx, tx, *l, now)
	}
	return nil
}

// insertCreated writes l, records its creation with the fields born had, then
// the changes scoring made to them, and stores the event its origin
// names.
func insertCreated(ctx context.Context, tx *sqldb.Tx, l *Lead, born Lead, changes []Change, o Origin, now time.Time) error {
	if err := insertLead(ctx, tx, l, o.Language); err != nil {
		return err
	}
	created := Change{LeadID: l.ID, At: now, Kind: KindCreated, Detail: Diff(Lead{}, born), Reason: o.Reason,
		consent: &consentEntry{proof: o.Consent, source: sourceOf(o)}}
	if err := insertChange(ctx, tx, created, 0); err != nil {
		return err
	}
	for _, c := range changes {
		c.LeadID = l.ID
		if err := insertChange(ctx, tx, c, 0); err != nil {
			return err
		}
	}
	if o.EventType == "" {
		return nil
	}
	return insertEvent(ctx, tx, l.ID, o.EventType, o, now)
}

func (s *Service) intakeKnown(ctx context.Context, tx *sqldb.Tx, existing, incoming Lead, c Changes, o Origin, now time.Time) (IntakeResult, error) {
	merged, filled, conflicts := Merge(existing, incoming, c, now)
	res := IntakeResult{Lead: existing, Filled: filled, Conflicts: conflicts}
	if len(filled) > 0 {
		merged.UpdatedAt = now
		if err := updateLead(ctx, tx, &merged); err != nil {
			return res, err
		}
		res.Lead = merged
		c := Change{LeadID: merged.ID, At: now, Kind: KindUpdated, Detail: filled, Reason: o.Reason,
			consent: &consentEntry{proof: o.Consent, source: sourceOf(o)}}
		if err := insertChange(ctx, tx, c, 0); err != nil {
			return res, err
		}
	}
	if len(conflicts) > 0 {
		c := Change{LeadID: existing.ID, At: now, Kind: KindConflict, Detail: conflicts, Reason: o.Reason}
		if err := insertChange(ctx, tx, c, 0); err != nil {
			return res, err
		}
		if facts := aboutThePerson(conflicts); len(facts) > 0 {
			if err := queueValues(ctx, tx, existing.ID, facts, o.Reason, now); err != nil {
				return res, err
			}
		}
	}
	eventType := o.EventType
	if eventType == "" {
		eventType = EventResubmit
	}
	if err := insertEvent(ctx, tx, existing.ID, eventType, o, now); err != nil {
		return res, err
	}
	if err := attachVisitor(ctx, tx, existing.ID, o.VisitorID); err != nil {
		return res, err
	}
	if err := keepLanguage(ctx, tx, existing.ID, o.Language); err != nil {
		return res, err
	}
	return res, s.rescoreTx(ctx, tx, &res.Lead, o.Reason, now)
}

// keepLanguage gives a stored lead that has no language lang. A new lead
// is written with its language instead (insertLead): a second write of
// the row would be a second version of it, and of its entries in every
// index on PostgreSQL.
func keepLanguage(ctx context.Context, tx *sqldb.Tx, leadID int64, lang string) error {
	if lang == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE leads SET language = ? WHERE id = ? AND language = ''`, lang, leadID); err != nil {
		return fmt.Errorf("lead store: language of %d: %w", leadID, err)
	}
	return nil
}

// attachVisitor gives a lead the events its browser recorded before the
// person was known, so they count for its score from now on.
func attachVisitor(ctx context.Context, tx *sqldb.Tx, leadID int64, visitorID string) error {
	if visitorID == "" {
		return nil
	}
	// visitor_id <> '' lets the planner use the partial visitor index.
	_, err := tx.Exec(ctx, `UPDATE events SET lead_id = ? WHERE visitor_id = ? AND visitor_id <> '' AND lead_id IS NULL`, leadID, visitorID)
	if err != nil {
		return fmt.Errorf("lead store: attach visitor %s: %w", visitorID, err)
	}
	return nil
}

// EventResubmit is the event a known email leaves when it arrives again
// through a channel that records no event of its own (an import).
const EventResubmit = "resubmit"

// KindConflict is the timeline entry of values that arrived for fields
// already holding others: field -> [kept, offered].
const KindConflict = "conflict"

// Merge fills the empty fields of existing with incoming's values for the
// fields present in c, and lists the fields where both hold different
// values; those keep the existing value. Consent and existing-customer
// are only ever turned on this way, never off.
func Merge(existing, incoming Lead, c Changes, now time.Time) (merged Lead, filled, conflicts map[string][2]string) {
	ev, iv := existing.Values(), incoming.Values()
	fill := Changes{}
	conflicts = map[string][2]string{}
	for f := range c {
		offered, kept := iv[f], ev[f]
		switch {
		case f == FEmail || offered == "" || offered == kept:
			// The email matched case-insensitively; it is the key, not news.
		case f == FConsent || f == FExistingCustomer:
			if offered == "true" {
				fill[f] = offered
			}
		case kept == "":
			fill[f] = offered
		default:
			conflicts[f] = [2]string{kept, offered}
		}
	}
	merged, _ = Apply(existing, fill, now)
	if o, ok := fill[FOwner]; ok {
		merged.OwnerID, merged.OwnerEmail = incoming.OwnerID, o
	}
	filled = Diff(existing, merged)
	return merged, filled, conflicts
}

// splitSpecial separates the restore-only columns from the editable ones.
func splitSpecial(c Changes) (Changes, map[string]string) {
	special := map[string]string{}
	rest := make(Changes, len(c))
	for k, v := range c {
		if k == FCreatedAt || k == FConsentAt {
			special[k] = v
			continue
		}
		rest[k] = v
	}
	return rest, special
}

// restore applies created_at and consent_at (RFC 3339) to a new lead.
func restore(l *Lead, special map[string]string, bad fault.Fields) {
	if v := special[FCreatedAt]; v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			bad.Add(FCreatedAt, "must be a time such as 2026-03-01T09:30:00Z")
		} else {
			l.CreatedAt = t.UTC().Truncate(time.Millisecond)
		}
	}
	if v := special[FConsentAt]; v != "" && l.Consent {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			bad.Add(FConsentAt, "must be a time such as 2026-03-01T09:30:00Z")
		} else {
			t = t.UTC().Truncate(time.Millisecond)
			l.ConsentAt = &t
		}
	}
}

// emailIs finds a lead by email, ignoring case. The unique index on
// emails leaves out leads without one, and a planner uses it only for a
// condition that leaves them out too: a lookup that does not say the
// email is not empty reads every lead.
const emailIs = `lower(email) = lower(?) AND email <> ''`

// lockLeadByEmail reads and locks (see lockLead) the lead with email: a
// known email's data is merged into it.
func lockLeadByEmail(ctx context.Context, tx *sqldb.Tx, email string) (Lead, error) {
	return scanLead(tx.QueryRow(ctx, leadByEmail+tx.ForUpdate("l"), email))
}

const leadByEmail = `SELECT ` + columns + fromLeads + ` WHERE lower(l.email) = lower(?) AND l.email <> ''`

func insertEvent(ctx context.Context, q sqldb.Querier, leadID int64, typ string, o Origin, at time.Time) error {
	props := map[string]string{"channel": o.Channel}
	for k, v := range o.Props {
		props[k] = v
	}
	b, _ := json.Marshal(props) // a map of strings always marshals
	err := sqldb.ExecLater(ctx, q, "lead store: record event "+typ+" for "+strconv.FormatInt(leadID, 10), `INSERT INTO events (lead_id, type, url, occurred_at, properties, source)
		VALUES (?, ?, ?, ?, ?, ?)`, leadID, typ, o.URL, at.UnixMilli(), string(b), o.Channel)
	if err != nil {
		return err
	}
	sqldb.Touch(q, live.Lead(leadID))
	return nil
}

// Event is one recorded behaviour of a lead.
type Event struct {
	ID         int64
	Type       string
	URL        string
	OccurredAt time.Time
	Properties map[string]string
}

// Events returns what lead id did, newest first, at most limit.
func (s *Service) Events(ctx context.Context, id int64, limit int) ([]Event, error) {
	rows, err := s.db.R.Query(ctx, `SELECT id, type, url, occurred_at, properties FROM events
		WHERE lead_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("lead store: events of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var props string
		if err := rows.Scan(&e.ID, &e.Type, &e.URL, &at, &props); err != nil {
			return nil, err
		}
		e.OccurredAt = time.UnixMilli(at).UTC()
		if props != "" {
			json.Unmarshal([]byte(props), &e.Properties)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

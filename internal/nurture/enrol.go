package nurture

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
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
)

// Enrolment statuses.
const (
	EnrolActive    = "active"
	EnrolCompleted = "completed"
	EnrolExited    = "exited"
)

// Exit reasons.
const (
	ExitBecameSQL    = "became SQL"
	ExitUnsubscribed = "unsubscribed"
	ExitBounced      = "bounced"
	ExitReplied      = "replied"
	ExitManual       = "exited by hand"
	ExitLeftList     = "left this list"
	ExitNoConsent    = "no consent"
	ExitNoEmail      = "no email address"
)

// Enrolment is a lead's place in a sequence.
type Enrolment struct {
	ID           int64
	SequenceID   int64
	SequenceName string
	LeadID       int64
	LeadEmail    string
	Status       string
	Step         int // 0-based index of the step it is at
	NextAt       time.Time
	Reason       string // why it was enrolled
	ExitReason   string
	EnrolledAt   time.Time
	EndedAt      time.Time
}

const enrolmentColumns = `e.id, e.sequence_id, s.name, e.lead_id, l.email, e.status, e.step, e.next_at, e.reason, e.exit_reason, e.enrolled_at, COALESCE(e.ended_at, 0)`

const enrolmentsFrom = ` FROM enrolments e JOIN sequences s ON s.id = e.sequence_id JOIN leads l ON l.id = e.lead_id`

func scanEnrolment(row interface{ Scan(...any) error }) (Enrolment, error) {
	var e Enrolment
	err := scanEnrolmentWith(row, &e)
	return e, err
}

// scanEnrolmentWith scans enrolmentColumns into e, then more.
func scanEnrolmentWith(row interface{ Scan(...any) error }, e *Enrolment, more ...any) error {
	var next, enrolled, ended int64
	err := row.Scan(append([]any{&e.ID, &e.SequenceID, &e.SequenceName, &e.LeadID, &e.LeadEmail, &e.Status, &e.Step, &next, &e.Reason,
		&e.ExitReason, &enrolled, &ended}, more...)...)
	e.NextAt, e.EnrolledAt = time.UnixMilli(next).UTC(), time.UnixMilli(enrolled).UTC()
	if ended != 0 {
		e.EndedAt = time.UnixMilli(ended).UTC()
	}
	return err
}

// Enrol puts a lead the actor may see into a sequence, once: a lead that
// was ever enrolled in it is not enrolled again. created is false then.
func (s *Service) Enrol(ctx context.Context, a access.Actor, sequenceID, leadID int64, reason string) (e Enrolment, created bool, err error) {
	if err := MayManage(a); err != nil {
		return e, false, err
	}
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return e, false, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		seq, err := sequenceIn(ctx, tx, sequenceID, "")
		if err != nil {
			return err
		}
		if created, err = s.enrolIn(ctx, tx, seq, leadID, reason); err != nil {
			return err
		}
		if created {
			if err := audit.Record(ctx, tx, a, "sequence.enrol", "lead", leadID, map[string]int64{"sequence": sequenceID}); err != nil {
				return err
			}
		}
		e, err = scanEnrolment(tx.QueryRow(ctx, `SELECT `+enrolmentColumns+enrolmentsFrom+`
			WHERE e.sequence_id = ? AND e.lead_id = ?`, sequenceID, leadID))
		return err
	})
	if err == nil && created {
		s.Kick(ctx)
	}
	return e, created, wrapFault("enrol", err)
}

func (s *Service) enrolIn(ctx context.Context, tx *sqldb.Tx, seq Sequence, leadID int64, reason string) (bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	next := now
	if len(seq.Steps) > 0 {
		next = seq.Steps[0].nextDue(now, time.UTC)
	}
	res, err := tx.Exec(ctx, `INSERT INTO enrolments (sequence_id, lead_id, status, step, next_at, reason, enrolled_at)
		VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (sequence_id, lead_id) DO NOTHING`,
		seq.ID, leadID, EnrolActive, next.UnixMilli(), reason, now.UnixMilli())
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Exit ends an enrolment by hand: the lead replied, or should get no
// more from this sequence. Sales may do it for the leads they see.
func (s *Service) Exit(ctx context.Context, a access.Actor, enrolmentID int64, reason string) error {
	if reason != ExitReplied {
		reason = ExitManual
	}
	return wrapFault("exit", s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := scanEnrolment(tx.QueryRow(ctx, `SELECT `+enrolmentColumns+enrolmentsFrom+`
			WHERE e.id = ?`+tx.ForUpdate("e"), enrolmentID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "enrolment %d not found", enrolmentID)
		}
		if err != nil {
			return err
		}
		if _, err := s.leads.Get(ctx, a, e.LeadID); err != nil {
			return err
		}
		if e.Status != EnrolActive {
			return fault.Errorf(fault.Conflict, "this enrolment has ended already (%s)", e.Status)
		}
		if err := endEnrolment(ctx, tx, e.ID, EnrolExited, reason, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "sequence.exit", "lead", e.LeadID, map[string]any{"sequence": e.SequenceID, "reason": reason})
	}))
}

func endEnrolment(ctx context.Context, q sqldb.Querier, id int64, status, reason string, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE enrolments SET status = ?, exit_reason = ?, ended_at = ? WHERE id = ? AND status = ?`,
		status, reason, now.UnixMilli(), id, EnrolActive)
	return err
}

// LeadEnrolments lists a lead's enrolments, newest first.
func (s *Service) LeadEnrolments(ctx context.Context, a access.Actor, leadID int64) ([]Enrolment, error) {
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return nil, err
	}
	return s.enrolments(ctx, `e.lead_id = ? ORDER BY e.id DESC`, leadID)
}

// SequenceEnrolments lists a sequence's enrolments, newest first, at
// most limit.
func (s *Service) SequenceEnrolments(ctx context.Context, sequenceID int64, limit int) ([]Enrolment, error) {
	return s.enrolments(ctx, `e.sequence_id = ? ORDER BY e.id DESC LIMIT ?`, sequenceID, limit)
}

func (s *Service) enrolments(ctx context.Context, where string, args ...any) ([]Enrolment, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+enrolmentColumns+enrolmentsFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("nurture: enrolments: %w", err)
	}
	defer rows.Close()
	var out []Enrolment
	for rows.Next() {
		e, err := scanEnrolment(rows)
		if err != nil {
			return nil, fmt.Errorf("nurture: enrolments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// --- triggers ----------------------------------------------------------

// settle is how old a trigger's source row must be before it is read:
// rows get their ids when inserted but are seen when committed, so a
// row with a lower id may appear just after one with a higher id; by
// then it is long committed.
const settle = 5 * time.Second

// triggerStart is where a new trigger starts reading its source: now.
func triggerStart(ctx context.Context, q sqldb.Querier, kind string) (segment.Cursor, error) {
	if kind == TriggerSegment {
		return segment.LatestCursor(ctx, q)
	}
	table := map[string]string{TriggerStage: "lead_changes", TriggerNurture: "lead_changes", TriggerForm: "events"}[kind]
	if table == "" {
		return segment.Cursor{}, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&id)
	return segment.Cursor{Seq: id}, err
}

// enrolFromTriggers reads what happened since each active sequence's
// trigger last looked, and enrols the leads it names. A sequence's row
// is locked while its trigger is read, so two instances never both
// enrol from the same rows (enrolling twice would be harmless anyway).
func (s *Service) enrolFromTriggers(ctx context.Context) (int, error) {
	ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT id FROM sequences WHERE status = ? AND trigger_kind IN (?, ?, ?, ?)`,
		Active, TriggerStage, TriggerNurture, TriggerForm, TriggerSegment)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		n, err := s.enrolFromTrigger(ctx, id)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

const triggerBatch = 1000

func (s *Service) enrolFromTrigger(ctx context.Context, id int64) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		seq, err := sequenceIn(ctx, tx, id, tx.ForUpdate())
		if err != nil || seq.Status != Active {
			return err
		}
		var cursor segment.Cursor
		if err := tx.QueryRow(ctx, `SELECT trigger_cursor, trigger_lead FROM sequences WHERE id = ?`, id).Scan(&cursor.Seq, &cursor.LeadID); err != nil {
			return err
		}
		leads, last, err := triggered(ctx, tx, seq, cursor, s.now().Add(-settle))
		if err != nil || last == cursor {
			return err
		}
		for _, l := range leads {
			made, err := s.enrolIn(ctx, tx, seq, l.id, l.why)
			if err != nil {
				return err
			}
			if made {
				n++
			}
		}
		_, err = tx.Exec(ctx, `UPDATE sequences SET trigger_cursor = ?, trigger_lead = ? WHERE id = ?`, last.Seq, last.LeadID, id)
		return err
	})
	return n, err
}

type triggeredLead struct {
	id  int64
	why string
}

// triggered returns the leads the rows after cursor enrol into seq, and
// the new cursor.
func triggered(ctx context.Context, q sqldb.Querier, seq Sequence, after segment.Cursor, before time.Time) ([]triggeredLead, segment.Cursor, error) {
	if seq.TriggerKind == TriggerSegment {
		return enteredSegment(ctx, q, seq, after)
	}
	cursor := after.Seq
	var query string
	switch seq.TriggerKind {
	case TriggerStage, TriggerNurture:
		query = `SELECT id, lead_id, detail, reason FROM lead_changes WHERE id > ? AND kind = 'stage' AND at <= ? ORDER BY id LIMIT ?`
	case TriggerForm:
		query = `SELECT id, lead_id, properties, '' FROM events WHERE id > ? AND type = 'form_submit' AND lead_id IS NOT NULL
			AND occurred_at <= ? ORDER BY id LIMIT ?`
	default:
		return nil, after, nil
	}
	rows, err := q.Query(ctx, query, cursor, before.UnixMilli(), triggerBatch)
	if err != nil {
		return nil, after, err
	}
	defer rows.Close()
	var out []triggeredLead
	for rows.Next() {
		var id, leadID int64
		var detail, reason string
		if err := rows.Scan(&id, &leadID, &detail, &reason); err != nil {
			return nil, after, err
		}
		cursor = id
		if why, ok := matches(seq, detail, reason); ok {
			out = append(out, triggeredLead{leadID, why})
		}
	}
	return out, segment.Cursor{Seq: cursor}, rows.Err()
}

// enteredSegment returns the leads that entered the sequence's segment
// after the cursor: its membership is kept in commit order by the
// segment job, so nothing needs to settle.
func enteredSegment(ctx context.Context, q sqldb.Querier, seq Sequence, after segment.Cursor) ([]triggeredLead, segment.Cursor, error) {
	segID, err := strconv.ParseInt(seq.TriggerRef, 10, 64)
	if err != nil {
		return nil, after, nil
	}
	var name, kind string
	if err := q.QueryRow(ctx, `SELECT name, kind FROM segments WHERE id = ?`, segID).Scan(&name, &kind); err != nil {
		return nil, after, nil // deleted since: nothing enters it any more
	}
	if kind == segment.KindAccounts {
		return accountsEntered(ctx, q, segID, name, after)
	}
	entries, next, err := segment.EnteredSince(ctx, q, segID, after, triggerBatch)
	if err != nil {
		return nil, after, err
	}
	out := make([]triggeredLead, len(entries))
	for i, e := range entries {
		out[i] = triggeredLead{e.LeadID, "entered the segment " + name}
	}
	return out, next, nil
}

// accountsEntered returns the people of the accounts that entered account
// segment segID after the cursor (account-based nurturing): the leads
// converted into each account and those linked to it. Consent is the
// sequence's rule as for any enrolment: a person without it is sent
// nothing.
func accountsEntered(ctx context.Context, q sqldb.Querier, segID int64, name string, after segment.Cursor) ([]triggeredLead, segment.Cursor, error) {
	entries, next, err := segment.AccountsEnteredSince(ctx, q, segID, after, triggerBatch)
	if err != nil || len(entries) == 0 {
		return nil, next, err
	}
	var out []triggeredLead
	for _, e := range entries {
		ids, err := sqldb.Column[int64](ctx, q, PeopleOfAccount+` ORDER BY 1`, e.LeadID, e.LeadID)
		if err != nil {
			return nil, after, fmt.Errorf("nurture: people of account %d: %w", e.LeadID, err)
		}
		for _, id := range ids {
			out = append(out, triggeredLead{id, "their account entered the segment " + name})
		}
	}
	return out, next, nil
}

// PeopleOfAccount selects the ids of an account's people: the leads
// converted into it and those linked to it and not undone. Both its
// arguments are the account's id.
const PeopleOfAccount = `SELECT id FROM leads WHERE account_id = ?
	UNION SELECT lead_id FROM account_links WHERE account_id = ? AND undone_at IS NULL`

// matches says whether one trigger row enrols its lead, and why.
func matches(seq Sequence, detail, reason string) (string, bool) {
	switch seq.TriggerKind {
	case TriggerStage, TriggerNurture:
		var d map[string][2]string
		if json.Unmarshal([]byte(detail), &d) != nil {
			return "", false
		}
		to := d[lead.FStage][1]
		if seq.TriggerKind == TriggerNurture && to == string(lead.Nurturing) {
			why := "sent back to nurturing"
			if reason != "" {
				why += ": " + reason
			}
			return why, true
		}
		if seq.TriggerKind == TriggerStage && to == seq.TriggerRef {
			return "reached " + to, true
		}
	case TriggerForm:
		var p map[string]string
		if json.Unmarshal([]byte(detail), &p) == nil && p["form"] == seq.TriggerRef {
			return "submitted the form " + seq.TriggerRef, true
		}
	}
	return "", false
}

// TickJob works through due enrolments, and enrols from triggers.
const TickJob = "nurture.tick"

// Kick asks for a tick now, rather than at the next minute: after an
// enrolment or a sequence is saved. Kicks in the same second make one job.
func (s *Service) Kick(ctx context.Context) {
	key := "nurture.kick:" + strconv.FormatInt(s.now().Unix(), 10)
	if _, _, err := job.Enqueue(ctx, s.db.W, TickJob, nil, job.EnqueueOptions{Unique: key, MaxAttempts: 1}); err == nil {
		s.wake()
	}
}

// ExitOnReplyIn ends, inside tx, the active enrolment whose email
// messageID (a sent message's Message-ID, as a reply's In-Reply-To names
// it) belongs to: a reply stops the sequence. It reports whether one
// ended.
func ExitOnReplyIn(ctx context.Context, tx *sqldb.Tx, messageID string, now time.Time) (bool, error) {
	var id, leadID, seq int64
	err := tx.QueryRow(ctx, `SELECT e.id, e.lead_id, e.sequence_id FROM mail_outbox m JOIN enrolments e ON e.id = m.enrolment_id
		WHERE m.message_id = ? AND e.status = ?`+tx.ForUpdate("e"), messageID, EnrolActive).Scan(&id, &leadID, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("nurture: reply to %s: %w", messageID, err)
	}
	if err := endEnrolment(ctx, tx, id, EnrolExited, ExitReplied, now); err != nil {
		return false, err
	}
	return true, audit.Record(ctx, tx, access.System, "sequence.exit", "lead", leadID, map[string]any{"sequence": seq, "reason": ExitReplied})
}

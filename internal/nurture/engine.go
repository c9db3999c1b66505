package nurture

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/sqldb"
)

// Holds: how long an email step waits before it is tried again, when it
// cannot send yet.
const (
	holdNoMail    = 15 * time.Minute // email is not configured
	holdNoConsent = time.Hour        // consent may still be confirmed
	// consentWait is how long after enrolment an email step waits for
	// consent before the enrolment ends: as long as a confirmation link
	// lives.
	consentWait = lead.ConfirmWithin
	// maxMoves bounds the steps one run takes for one enrolment, so a
	// branch that loops without a wait cannot spin.
	maxMoves = 20
	dueBatch = 200
)

// Tick is the job that enrols from triggers and works through every due
// enrolment. Ticks of several instances share the work: each enrolment
// is locked while it moves (on PostgreSQL, those locked by another
// instance are skipped).
func (s *Service) Tick(ctx context.Context, _ job.Job) error {
	select {
	case s.inTick <- struct{}{}:
		defer func() { <-s.inTick }()
	default:
		return nil // this process is ticking already
	}
	if _, err := s.enrolFromTriggers(ctx); err != nil {
		return fmt.Errorf("nurture: triggers: %w", err)
	}
	_, err := s.RunDue(ctx)
	return err
}

// RunDue moves every enrolment that is due, and returns how many moved.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	moved := 0
	// The links' key is made on first use, with a write of its own that
	// must not wait inside a step's transaction for the single writer.
	if _, err := s.links.Token(ctx, "key"); err != nil {
		return 0, fmt.Errorf("nurture: link key: %w", err)
	}
	for ctx.Err() == nil {
		ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT e.id FROM enrolments e JOIN sequences s ON s.id = e.sequence_id
			WHERE e.status = ? AND e.next_at <= ? AND s.status = ? ORDER BY e.next_at LIMIT ?`,
			EnrolActive, s.now().UnixMilli(), Active, dueBatch)
		if err != nil {
			return moved, fmt.Errorf("nurture: due enrolments: %w", err)
		}
		progressed := 0
		for _, id := range ids {
			ok, err := s.advance(ctx, id)
			if err != nil {
				return moved, fmt.Errorf("nurture: enrolment %d: %w", id, err)
			}
			if ok {
				progressed++
			}
		}
		moved += progressed
		if len(ids) < dueBatch || progressed == 0 {
			break
		}
	}
	if s.mail != nil {
		s.mail.Wake()
	}
	return moved, nil
}

// run is one enrolment being moved.
type run struct {
	e      Enrolment
	seq    Sequence
	lead   lead.Lead
	next   time.Time
	sends  int // emails this enrolment has queued so far
	now    time.Time
	status string
	reason string
}

// advance moves enrolment id as far as it goes now: through every step
// that is due, up to the next wait, in one transaction with the emails it
// queues. It reports false when the enrolment was not due after all
// (another instance moved it).
func (s *Service) advance(ctx context.Context, id int64) (bool, error) {
	moved := false
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		lock := tx.ForUpdate("e")
		if s.db.Dialect == sqldb.Postgres {
			lock += " SKIP LOCKED"
		}
		e, err := scanEnrolment(tx.QueryRow(ctx, `SELECT `+enrolmentColumns+` FROM enrolments e JOIN sequences s ON s.id = e.sequence_id
			WHERE e.id = ?`+lock, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		if err != nil || e.Status != EnrolActive || e.NextAt.After(now) {
			return err
		}
		r := &run{e: e, now: now, next: e.NextAt, status: EnrolActive}
		if r.seq, err = sequenceIn(ctx, tx, e.SequenceID, ""); err != nil || r.seq.Status != Active {
			return err
		}
		if r.lead, err = s.leads.Get(ctx, access.System, e.LeadID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE enrolment_id = ?`, e.ID).Scan(&r.sends); err != nil {
			return err
		}
		if err := s.move(ctx, tx, r); err != nil {
			return err
		}
		moved = true
		return s.save(ctx, tx, r)
	})
	return moved, err
}

// move takes r through its due steps.
func (s *Service) move(ctx context.Context, tx *sqldb.Tx, r *run) error {
	if reason, err := s.exitReason(ctx, tx, r.lead); err != nil || reason != "" {
		r.status, r.reason = EnrolExited, reason
		return err
	}
	zone := zoneOf(r.lead.Country)
	for i := 0; i < maxMoves; i++ {
		if r.e.Step >= len(r.seq.Steps) {
			r.status = EnrolCompleted
			return nil
		}
		if r.next.After(r.now) {
			return nil
		}
		st := r.seq.Steps[r.e.Step]
		switch st.Kind {
		case StepEmail:
			held, err := s.sendStep(ctx, tx, r, st)
			if err != nil || held || r.status != EnrolActive {
				return err
			}
			r.e.Step++
		case StepBranch:
			yes, err := s.holds(ctx, tx, r, st)
			if err != nil {
				return err
			}
			if yes {
				r.e.Step = st.Goto - 1
			} else {
				r.e.Step++
			}
		default: // a wait whose time has come
			r.e.Step++
		}
		if r.e.Step < len(r.seq.Steps) {
			r.next = r.seq.Steps[r.e.Step].nextDue(r.now, zone)
		}
	}
	return nil
}

// exitReason says why a lead leaves every sequence now, or "".
func (s *Service) exitReason(ctx context.Context, q sqldb.Querier, l lead.Lead) (string, error) {
	switch l.Stage {
	case lead.SQL, lead.Opportunity, lead.Customer:
		return ExitBecameSQL, nil
	case lead.Disqualified:
		return "disqualified", nil
	}
	reason, err := mail.Suppressed(ctx, q, l.Email)
	if err != nil || reason == "" {
		return "", err
	}
	if reason == mail.Bounced {
		return ExitBounced, nil
	}
	return ExitUnsubscribed, nil
}

// sendStep queues a step's email, or holds the enrolment when it cannot
// send yet: email not configured, or no consent recorded (which may
// still come, by a confirmation); past the wait for consent, it ends.
func (s *Service) sendStep(ctx context.Context, tx *sqldb.Tx, r *run, st Step) (held bool, err error) {
	if !s.MailConfigured() {
		r.next = r.now.Add(holdNoMail)
		return true, nil
	}
	if !r.lead.Consent {
		if r.now.Sub(r.e.EnrolledAt) > consentWait {
			r.status, r.reason = EnrolExited, ExitNoConsent
			return false, nil
		}
		r.next = r.now.Add(holdNoConsent)
		return true, nil
	}
	m, err := s.compose(ctx, r, st.TemplateID)
	if errors.Is(err, errNoTemplate) {
		return false, nil // deleted since: the step is skipped
	}
	if err != nil {
		return false, err
	}
	if _, err := s.mail.Queue(ctx, tx, m); err != nil {
		return false, err
	}
	r.sends++
	return false, nil
}

// holds evaluates a branch's condition.
func (s *Service) holds(ctx context.Context, q sqldb.Querier, r *run, st Step) (bool, error) {
	switch st.If {
	case IfScoreAbove:
		return r.lead.Score > st.Value, nil
	case IfOpened, IfClicked:
		col := "opened_at"
		if st.If == IfClicked {
			col = "clicked_at"
		}
		var n int
		err := q.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE enrolment_id = ? AND `+col+` IS NOT NULL
			AND id = (SELECT MAX(id) FROM mail_outbox WHERE enrolment_id = ?)`, r.e.ID, r.e.ID).Scan(&n)
		return n > 0, err
	}
	return false, nil
}

func (s *Service) save(ctx context.Context, tx *sqldb.Tx, r *run) error {
	if r.status != EnrolActive {
		_, err := tx.Exec(ctx, `UPDATE enrolments SET status = ?, step = ?, exit_reason = ?, ended_at = ? WHERE id = ?`,
			r.status, r.e.Step, r.reason, r.now.UnixMilli(), r.e.ID)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE enrolments SET step = ?, next_at = ? WHERE id = ?`, r.e.Step, r.next.UnixMilli(), r.e.ID)
	return err
}

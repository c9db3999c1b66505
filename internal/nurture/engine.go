package nurture

import (
	"context"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
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
	p := newPass(s)
	for ctx.Err() == nil {
		ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT e.id FROM enrolments e JOIN sequences s ON s.id = e.sequence_id
			WHERE e.status = ? AND e.next_at <= ? AND s.status = ? ORDER BY e.next_at, e.id LIMIT ?`,
			EnrolActive, s.now().UnixMilli(), Active, dueBatch)
		if err != nil {
			return moved, fmt.Errorf("nurture: due enrolments: %w", err)
		}
		progressed := 0
		for from := 0; from < len(ids); from += txBatch {
			n, err := s.advance(ctx, p, ids[from:min(from+txBatch, len(ids))])
			if err != nil {
				return moved, fmt.Errorf("nurture: enrolments from %d: %w", ids[from], err)
			}
			progressed += n
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

// txBatch is how many enrolments move in one transaction: enough to
// spread a commit's cost, few enough that a writer waiting behind it
// waits little.
const txBatch = 50

// pass holds what one run reads again and again: sequences, templates
// and owners' names, read once each.
type pass struct {
	s         *Service
	sequences map[int64]Sequence
	templates map[int64]*mailtmpl.Template // nil: deleted
	owners    map[int64]string
}

func newPass(s *Service) *pass {
	return &pass{s: s, sequences: map[int64]Sequence{}, templates: map[int64]*mailtmpl.Template{}, owners: map[int64]string{}}
}

func (p *pass) sequence(ctx context.Context, id int64) (Sequence, error) {
	if q, ok := p.sequences[id]; ok {
		return q, nil
	}
	q, err := p.s.Sequence(ctx, id)
	if err == nil {
		p.sequences[id] = q
	}
	return q, err
}

func (p *pass) template(ctx context.Context, id int64) (*mailtmpl.Template, error) {
	if t, ok := p.templates[id]; ok {
		return t, nil
	}
	t, err := p.s.Template(ctx, id)
	if fault.CodeOf(err) == fault.NotFound {
		p.templates[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.templates[id] = &t
	return &t, nil
}

func (p *pass) ownerName(ctx context.Context, l lead.Lead) string {
	name, ok := p.owners[l.OwnerID]
	if !ok {
		name = p.s.ownerName(ctx, l)
		p.owners[l.OwnerID] = name
	}
	return name
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

// advance moves the enrolments ids as far as each goes now: through every
// step that is due, up to the next wait, in one transaction with the
// emails they queue. It returns how many moved: one not due after all
// (another instance moved it meanwhile, or holds it now) is left alone.
func (s *Service) advance(ctx context.Context, p *pass, ids []int64) (int, error) {
	moved := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		moved = 0
		lock := tx.SkipLocked("e")
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := tx.Query(ctx, `SELECT `+enrolmentColumns+`, e.sends`+enrolmentsFrom+`
			WHERE e.id IN (`+marks(len(ids))+`)`+lock, args...)
		if err != nil {
			return err
		}
		var runs []*run
		now := s.now().UTC().Truncate(time.Millisecond)
		for rows.Next() {
			r := &run{now: now, status: EnrolActive}
			if err := scanEnrolmentWith(rows, &r.e, &r.sends); err != nil {
				rows.Close()
				return err
			}
			if r.e.Status == EnrolActive && !r.e.NextAt.After(now) {
				r.next = r.e.NextAt
				runs = append(runs, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range runs {
			if r.seq, err = p.sequence(ctx, r.e.SequenceID); err != nil || r.seq.Status != Active {
				if fault.CodeOf(err) == fault.NotFound {
					continue
				}
				return err
			}
			if r.lead, err = s.leads.Get(ctx, access.System, r.e.LeadID); err != nil {
				return err
			}
			if err := s.move(ctx, tx, p, r); err != nil {
				return err
			}
			if err := s.save(ctx, tx, r); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	return moved, err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// move takes r through its due steps.
func (s *Service) move(ctx context.Context, tx *sqldb.Tx, p *pass, r *run) error {
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
			held, err := s.sendStep(ctx, tx, p, r, st)
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
	if l.Email == "" {
		return ExitNoEmail, nil
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
func (s *Service) sendStep(ctx context.Context, tx *sqldb.Tx, p *pass, r *run, st Step) (held bool, err error) {
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
	t, err := p.template(ctx, st.TemplateID)
	if err != nil || t == nil {
		return false, err // a template deleted since: the step is skipped
	}
	m, err := s.compose(ctx, r, *t, p.ownerName(ctx, r.lead))
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
		_, err := tx.Exec(ctx, `UPDATE enrolments SET status = ?, step = ?, sends = ?, exit_reason = ?, ended_at = ? WHERE id = ?`,
			r.status, r.e.Step, r.sends, r.reason, r.now.UnixMilli(), r.e.ID)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE enrolments SET step = ?, next_at = ?, sends = ? WHERE id = ?`, r.e.Step, r.next.UnixMilli(), r.sends, r.e.ID)
	return err
}

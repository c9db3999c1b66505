package nurture

import (
	"context"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
)

// StepReport is what one step of a sequence achieved.
type StepReport struct {
	Step         int // 1-based, as the page shows steps
	Description  string
	Action       Step // the step itself, for a page to describe in its reader's language
	Sent         int  // queued or delivered
	Delivered    int
	Opened       int
	Clicked      int
	Bounced      int
	Unsubscribed int // left the sequence by unsubscribing after this step's email
	Converted    int // became SQL while at this step
	Waiting      int // enrolments at this step now
}

// Report is a sequence's figures per step, and its enrolments by status.
type Report struct {
	Steps    []StepReport
	ByStatus map[string]int
}

// Report counts what each step of sequence id did. Everyone signed in
// may read it.
func (s *Service) Report(ctx context.Context, id int64) (Report, error) {
	seq, err := s.Sequence(ctx, id)
	if err != nil {
		return Report{}, err
	}
	tpls, err := s.Templates(ctx)
	if err != nil {
		return Report{}, err
	}
	names := map[int64]string{}
	for _, t := range tpls {
		names[t.ID] = t.Name
	}
	rep := Report{ByStatus: map[string]int{}}
	for i, st := range seq.Steps {
		rep.Steps = append(rep.Steps, StepReport{Step: i + 1, Description: st.Describe(len(seq.Steps), func(id int64) string { return names[id] }), Action: st})
	}
	at := func(step int) *StepReport {
		if step >= 0 && step < len(rep.Steps) {
			return &rep.Steps[step]
		}
		return nil
	}
	rows, err := s.db.R.Query(ctx, `SELECT m.step, count(*),
		SUM(CASE WHEN m.status = ? THEN 1 ELSE 0 END), count(m.opened_at), count(m.clicked_at),
		SUM(CASE WHEN m.status = ? THEN 1 ELSE 0 END)
		FROM mail_outbox m JOIN enrolments e ON e.id = m.enrolment_id WHERE e.sequence_id = ? GROUP BY m.step`, mail.Sent, mail.Bounced, id)
	if err != nil {
		return rep, fmt.Errorf("nurture: report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step int
		var r StepReport
		if err := rows.Scan(&step, &r.Sent, &r.Delivered, &r.Opened, &r.Clicked, &r.Bounced); err != nil {
			return rep, fmt.Errorf("nurture: report: %w", err)
		}
		if p := at(step); p != nil {
			p.Sent, p.Delivered, p.Opened, p.Clicked, p.Bounced = r.Sent, r.Delivered, r.Opened, r.Clicked, r.Bounced
		}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	er, err := s.db.R.Query(ctx, `SELECT status, exit_reason, step, count(*) FROM enrolments WHERE sequence_id = ? GROUP BY status, exit_reason, step`, id)
	if err != nil {
		return rep, fmt.Errorf("nurture: report: %w", err)
	}
	defer er.Close()
	for er.Next() {
		var status, reason string
		var step, n int
		if err := er.Scan(&status, &reason, &step, &n); err != nil {
			return rep, err
		}
		rep.ByStatus[status] += n
		// An email step moves on once sent, so what follows a step's
		// email is counted against the step before the current one.
		p := at(step - 1)
		switch {
		case status == EnrolActive:
			if q := at(step); q != nil {
				q.Waiting += n
			}
		case reason == ExitUnsubscribed && p != nil:
			p.Unsubscribed += n
		case reason == ExitBecameSQL && p != nil:
			p.Converted += n
		}
	}
	return rep, er.Err()
}

// Preview fills template id in for a lead the actor may see, or with
// sample values when leadID is 0.
func (s *Service) Preview(ctx context.Context, a access.Actor, id, leadID int64) (mailtmpl.Rendered, error) {
	t, err := s.Template(ctx, id)
	if err != nil {
		return mailtmpl.Rendered{}, err
	}
	vals := mailtmpl.Values{"first_name": "Ana", "last_name": "Popescu", "full_name": "Ana Popescu", "email": "ana@example.com",
		"company": "Orbit", "job_title": "Head of Sales", "city": "Cluj-Napoca", "country": "RO",
		"owner_name": a.Email, "owner_email": a.Email}
	if leadID != 0 {
		l, err := s.leads.Get(ctx, a, leadID)
		if err != nil {
			return mailtmpl.Rendered{}, err
		}
		vals = values(l, s.ownerName(ctx, l))
	}
	return t.Render(vals), nil
}

// SendTest emails the preview of template id (for leadID, or sample
// values) to the actor, marked as a test.
func (s *Service) SendTest(ctx context.Context, a access.Actor, id, leadID int64) error {
	if err := MayManage(a); err != nil {
		return err
	}
	if !s.MailConfigured() {
		return mail.ErrNotConfigured
	}
	r, err := s.Preview(ctx, a, id, leadID)
	if err != nil {
		return err
	}
	_, err = s.mail.Queue(ctx, s.db.W, mail.Message{Kind: "test", To: a.Email, Subject: "[Test] " + r.Subject, Text: r.Text, HTML: r.HTML})
	if err == nil {
		s.mail.Wake()
	}
	return err
}

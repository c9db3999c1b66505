package nurture

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/clientip"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
)

// Service stores templates, sequences and enrolments, and runs them.
type Service struct {
	db    *sqldb.DB
	leads *lead.Service
	mail  *mail.Outbox
	links *tracking.Service
	now   func() time.Time
	Jobs  *job.Runner
	// Proxies says which reverse proxies are believed about a client's
	// address, kept as proof with an unsubscribe; nil believes none.
	Proxies *clientip.Resolver
	inTick  chan struct{} // one tick at a time in this process
}

// NewService returns a Service.
func NewService(db *sqldb.DB, leads *lead.Service, outbox *mail.Outbox, links *tracking.Service) *Service {
	return &Service{db: db, leads: leads, mail: outbox, links: links, now: time.Now, inTick: make(chan struct{}, 1)}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// MailConfigured reports whether sequences can send; the nurturing pages
// say so when they cannot.
func (s *Service) MailConfigured() bool { return s.mail != nil && s.mail.Config().Configured() }

// MayManage refuses, as Forbidden, an actor who may not manage
// nurturing: templates, sequences and enrolments are for marketing and
// admins. The pages and the API ask it before showing what only they use.
func MayManage(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "only marketing and admins manage nurturing")
	}
	return nil
}

func stale(what string) error {
	return fault.Errorf(fault.Conflict, "this %s was changed by someone else since you opened it; reload it and make your change again", what)
}

// --- templates ---------------------------------------------------------

const templateColumns = `id, name, subject, html_body, text_body, created_at, updated_at, version`

func scanTemplate(row interface{ Scan(...any) error }) (mailtmpl.Template, error) {
	var t mailtmpl.Template
	var created, updated int64
	err := row.Scan(&t.ID, &t.Name, &t.Subject, &t.HTML, &t.Text, &created, &updated, &t.Version)
	t.CreatedAt, t.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return t, err
}

// Templates lists the templates by name. Everyone signed in may read
// them: sales see what their leads are sent.
func (s *Service) Templates(ctx context.Context) ([]mailtmpl.Template, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+templateColumns+` FROM email_templates ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("nurture: templates: %w", err)
	}
	defer rows.Close()
	var out []mailtmpl.Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("nurture: templates: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Template returns one template.
func (s *Service) Template(ctx context.Context, id int64) (mailtmpl.Template, error) {
	t, err := scanTemplate(s.db.R.QueryRow(ctx, `SELECT `+templateColumns+` FROM email_templates WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fault.Errorf(fault.NotFound, "template %d not found", id)
	}
	return t, err
}

// SaveTemplate creates t (ID 0) or replaces the template with t's ID and
// version; a template changed meanwhile is refused, not overwritten.
func (s *Service) SaveTemplate(ctx context.Context, a access.Actor, t mailtmpl.Template) (mailtmpl.Template, error) {
	if err := MayManage(a); err != nil {
		return t, err
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if t.ID == 0 {
			t.CreatedAt, t.UpdatedAt, t.Version = now, now, 1
			if err := tx.QueryRow(ctx, `INSERT INTO email_templates (name, subject, html_body, text_body, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.Name, t.Subject, t.HTML, t.Text, now.UnixMilli(), now.UnixMilli()).Scan(&t.ID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a, "template.create", "template", t.ID, nil)
		}
		res, err := tx.Exec(ctx, `UPDATE email_templates SET name = ?, subject = ?, html_body = ?, text_body = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, t.Name, t.Subject, t.HTML, t.Text, now.UnixMilli(), t.ID, t.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.Template(ctx, t.ID); err != nil {
				return err
			}
			return stale("template")
		}
		t.Version++
		t.UpdatedAt = now
		return audit.Record(ctx, tx, a, "template.update", "template", t.ID, nil)
	})
	return t, wrapFault("save template", err)
}

// DeleteTemplate deletes a template no sequence uses.
func (s *Service) DeleteTemplate(ctx context.Context, a access.Actor, id int64) error {
	if err := MayManage(a); err != nil {
		return err
	}
	seqs, err := s.Sequences(ctx)
	if err != nil {
		return err
	}
	for _, q := range seqs {
		for _, st := range q.Steps {
			if st.Kind == StepEmail && st.TemplateID == id {
				return fault.Errorf(fault.Conflict, "the sequence %q sends this template; take it out of the sequence first", q.Name)
			}
		}
	}
	return wrapFault("delete template", s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM email_templates WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "template %d not found", id)
		}
		return audit.Record(ctx, tx, a, "template.delete", "template", id, nil)
	}))
}

// --- sequences ---------------------------------------------------------

const sequenceColumns = `id, name, status, trigger_kind, trigger_ref, steps, created_at, updated_at, version`

func scanSequence(row interface{ Scan(...any) error }) (Sequence, error) {
	var q Sequence
	var steps string
	var created, updated int64
	if err := row.Scan(&q.ID, &q.Name, &q.Status, &q.TriggerKind, &q.TriggerRef, &steps, &created, &updated, &q.Version); err != nil {
		return q, err
	}
	q.CreatedAt, q.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return q, json.Unmarshal([]byte(steps), &q.Steps)
}

// Sequences lists the sequences by name.
func (s *Service) Sequences(ctx context.Context) ([]Sequence, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+sequenceColumns+` FROM sequences ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("nurture: sequences: %w", err)
	}
	defer rows.Close()
	var out []Sequence
	for rows.Next() {
		q, err := scanSequence(rows)
		if err != nil {
			return nil, fmt.Errorf("nurture: sequences: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Sequence returns one sequence.
func (s *Service) Sequence(ctx context.Context, id int64) (Sequence, error) {
	return sequenceIn(ctx, s.db.R, id, "")
}

func sequenceIn(ctx context.Context, q sqldb.Querier, id int64, lock string) (Sequence, error) {
	seq, err := scanSequence(q.QueryRow(ctx, `SELECT `+sequenceColumns+` FROM sequences WHERE id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return seq, fault.Errorf(fault.NotFound, "sequence %d not found", id)
	}
	return seq, err
}

// SaveSequence creates q (ID 0) or replaces the sequence with q's ID and
// version. Editing steps under way moves no enrolment: each stays at its
// step number, so removing steps sends those past the end to completion.
func (s *Service) SaveSequence(ctx context.Context, a access.Actor, q Sequence) (Sequence, error) {
	if err := MayManage(a); err != nil {
		return q, err
	}
	tpls, err := s.Templates(ctx)
	if err != nil {
		return q, err
	}
	exists := func(id int64) bool {
		for _, t := range tpls {
			if t.ID == id {
				return true
			}
		}
		return false
	}
	if err := q.Validate(exists); err != nil {
		return q, err
	}
	if q.TriggerKind == TriggerSegment {
		var n int
		if err := s.db.R.QueryRow(ctx, `SELECT count(*) FROM segments WHERE CAST(id AS TEXT) = ?`, q.TriggerRef).Scan(&n); err != nil {
			return q, err
		}
		if n == 0 {
			return q, &fault.Error{Code: fault.Invalid, Message: "no such segment", Fields: map[string]string{"trigger_ref": "must be one of the segments"}}
		}
	}
	steps, _ := json.Marshal(q.Steps)
	now := s.now().UTC().Truncate(time.Millisecond)
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if q.ID == 0 {
			q.CreatedAt, q.UpdatedAt, q.Version = now, now, 1
			// A new trigger reads only what happens from now on: creating a
			// "reached MQL" sequence does not enrol every past MQL.
			cursor, err := triggerStart(ctx, tx, q.TriggerKind)
			if err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO sequences (name, status, trigger_kind, trigger_ref, trigger_cursor, trigger_lead, steps, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, q.Name, q.Status, q.TriggerKind, q.TriggerRef, cursor.Seq, cursor.LeadID, string(steps),
				now.UnixMilli(), now.UnixMilli()).Scan(&q.ID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, a, "sequence.create", "sequence", q.ID, map[string]string{"status": q.Status})
		}
		old, err := sequenceIn(ctx, tx, q.ID, tx.ForUpdate())
		if err != nil {
			return err
		}
		if old.Version != q.Version {
			return stale("sequence")
		}
		cursorSQL := ""
		var args []any
		if old.TriggerKind != q.TriggerKind || old.TriggerRef != q.TriggerRef {
			cursor, err := triggerStart(ctx, tx, q.TriggerKind)
			if err != nil {
				return err
			}
			cursorSQL, args = ", trigger_cursor = ?, trigger_lead = ?", []any{cursor.Seq, cursor.LeadID}
		}
		args = append([]any{q.Name, q.Status, q.TriggerKind, q.TriggerRef, string(steps), now.UnixMilli()}, append(args, q.ID)...)
		if _, err := tx.Exec(ctx, `UPDATE sequences SET name = ?, status = ?, trigger_kind = ?, trigger_ref = ?, steps = ?, updated_at = ?,
			version = version + 1`+cursorSQL+` WHERE id = ?`, args...); err != nil {
			return err
		}
		q.Version, q.CreatedAt, q.UpdatedAt = old.Version+1, old.CreatedAt, now
		return audit.Record(ctx, tx, a, "sequence.update", "sequence", q.ID, map[string]string{"status": q.Status})
	})
	if err == nil {
		s.wake()
	}
	return q, wrapFault("save sequence", err)
}

// DeleteSequence deletes a sequence and its enrolments; the emails it
// sent stay in the outbox.
func (s *Service) DeleteSequence(ctx context.Context, a access.Actor, id int64) error {
	if err := MayManage(a); err != nil {
		return err
	}
	return wrapFault("delete sequence", s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sequences WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "sequence %d not found", id)
		}
		return audit.Record(ctx, tx, a, "sequence.delete", "sequence", id, nil)
	}))
}

func wrapFault(what string, err error) error {
	if err == nil || fault.As(err) != nil {
		return err
	}
	return fmt.Errorf("nurture: %s: %w", what, err)
}

func (s *Service) wake() {
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
}

// Package handoff sends a sales-ready lead's brief to the vendors of the
// matches a salesperson chose, and records each vendor's answer
// (accepted or declined). Every send and answer is on the lead's
// timeline.
package handoff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/matching"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// The statuses of a hand-off.
const (
	Awaiting = "awaiting" // sent, no answer yet
	Accepted = "accepted" // the vendor will make an offer
	Declined = "declined"
)

// KindHandoff is the kind of the timeline entries hand-offs make.
const KindHandoff = "handoff"

// Handoff is a brief sent to one vendor.
type Handoff struct {
	ID           int64
	LeadID       int64
	SolutionID   int64 // 0 when the product has left the catalog
	Vendor       string
	Product      string
	ContactName  string
	ContactEmail string
	Score        int
	Cost         int64 // over the request's horizon, minor units
	Currency     string
	Emailed      bool // queued to the vendor by email; false when email is off
	Status       string
	Note         string
	SentAt       time.Time
	AnsweredAt   *time.Time
}

// Service sends briefs and records answers.
type Service struct {
	db      *sqldb.DB
	leads   *lead.Service
	briefs  *brief.Service
	catalog *catalog.Service
	// Mail, when set and configured, emails the brief to each vendor.
	Mail *mail.Outbox
	now  func() time.Time
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB, leads *lead.Service, briefs *brief.Service, cat *catalog.Service) *Service {
	return &Service{db: db, leads: leads, briefs: briefs, catalog: cat, now: time.Now}
}

const columns = `id, lead_id, COALESCE(solution_id, 0), vendor, product, contact_name, contact_email, score, cost, currency,
	emailed, status, note, sent_at, answered_at`

func scan(row interface{ Scan(...any) error }) (Handoff, error) {
	var h Handoff
	var sent int64
	var answered sql.NullInt64
	err := row.Scan(&h.ID, &h.LeadID, &h.SolutionID, &h.Vendor, &h.Product, &h.ContactName, &h.ContactEmail, &h.Score, &h.Cost,
		&h.Currency, &h.Emailed, &h.Status, &h.Note, &sent, &answered)
	h.SentAt = time.UnixMilli(sent).UTC()
	if answered.Valid {
		t := time.UnixMilli(answered.Int64).UTC()
		h.AnsweredAt = &t
	}
	return h, err
}

// ForLead lists lead leadID's hand-offs, oldest first.
func (s *Service) ForLead(ctx context.Context, a access.Actor, leadID int64) ([]Handoff, error) {
	if _, err := s.leads.Get(ctx, a, leadID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+` FROM handoffs WHERE lead_id = ? ORDER BY id`, leadID)
	if err != nil {
		return nil, fmt.Errorf("handoff: of lead %d: %w", leadID, err)
	}
	defer rows.Close()
	var out []Handoff
	for rows.Next() {
		h, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// SalesReady reports whether l's brief may go to vendors: it has been
// qualified (SQL) or has a deal open.
func SalesReady(l lead.Lead) bool { return l.Stage == lead.SQL || l.Stage == lead.Opportunity }

// Result says what Send did.
type Result struct {
	Sent    []Handoff
	Already []string // products the brief had gone to before
	Emailed bool     // false when email is off: send the PDF by hand
}

// Send sends lead leadID's brief to the vendors of the chosen solutions,
// which must be among its ranked matches and have a vendor contact
// email, and records each hand-off. A vendor that has the brief already
// is not sent it twice.
func (s *Service) Send(ctx context.Context, a access.Actor, leadID int64, solutionIDs []int64) (Result, error) {
	var res Result
	l, err := s.leads.Get(ctx, a, leadID)
	if err != nil {
		return res, err
	}
	if !SalesReady(l) {
		return res, &fault.Error{Code: fault.Invalid, Message: "the brief goes to vendors once the lead is sales-ready",
			Fields: map[string]string{"stage": "must be sql or opportunity to send the brief to vendors; it is " + string(l.Stage)}}
	}
	if len(solutionIDs) == 0 {
		return res, &fault.Error{Code: fault.Invalid, Message: "choose the matches to send the brief to",
			Fields: map[string]string{"solution_ids": "choose at least one of the lead's matches"}}
	}
	req, ranked, err := s.briefs.Matches(ctx, a, leadID)
	if err != nil {
		return res, err
	}
	// Vendors get the brief in the team's language: they chose none.
	loc := i18n.For(user.TeamLanguage(ctx, s.db.R))
	doc, err := s.briefs.BriefIn(ctx, a, leadID, loc)
	if err != nil {
		return res, err
	}
	chosen, err := choose(ranked, solutionIDs, func(id int64) (catalog.Solution, error) { return s.catalog.Get(ctx, id) })
	if err != nil {
		return res, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var names []string
	for _, m := range chosen {
		names = append(names, m.Solution.Vendor+" ("+m.Solution.Product+")")
	}
	emailOn := s.Mail != nil && s.Mail.Config().Configured()
	err = s.leads.Attach(ctx, a, leadID, KindHandoff, "brief sent to "+strings.Join(names, ", "), nil, func(tx *sqldb.Tx, l lead.Lead) error {
		res = Result{Emailed: emailOn}
		for _, m := range chosen {
			sol := m.Solution
			h := Handoff{LeadID: leadID, SolutionID: sol.ID, Vendor: sol.Vendor, Product: sol.Product, ContactName: m.contactName,
				ContactEmail: m.contactEmail, Score: m.Score, Cost: matching.Cost(*sol, req.Licences, req.HorizonMonths()),
				Currency: sol.Currency, Emailed: emailOn, Status: Awaiting, SentAt: now}
			err := tx.QueryRow(ctx, `INSERT INTO handoffs (lead_id, solution_id, vendor, product, contact_name, contact_email, score, cost,
				currency, emailed, status, sent_at, sent_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (lead_id, solution_id) DO NOTHING RETURNING id`,
				leadID, sol.ID, h.Vendor, h.Product, h.ContactName, h.ContactEmail, h.Score, h.Cost, h.Currency, h.Emailed, h.Status,
				now.UnixMilli(), actorID(a)).Scan(&h.ID)
			if errors.Is(err, sql.ErrNoRows) {
				res.Already = append(res.Already, h.Product)
				continue
			}
			if err != nil {
				return fmt.Errorf("handoff: record %s for lead %d: %w", h.Product, leadID, err)
			}
			if emailOn {
				_, err = s.Mail.Queue(ctx, tx, mail.Message{Kind: "handoff", To: h.ContactEmail, LeadID: leadID,
					Key: fmt.Sprintf("handoff:%d", h.ID), Subject: doc.Title(), Text: greeting(loc, h) + doc.Text()})
				if err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, a, "handoff.send", "handoff", h.ID, map[string]int64{"lead_id": leadID, "solution_id": sol.ID}); err != nil {
				return err
			}
			res.Sent = append(res.Sent, h)
		}
		if len(res.Sent) == 0 {
			return errNothing
		}
		return nil
	})
	if errors.Is(err, errNothing) {
		return res, nil
	}
	if err == nil && emailOn {
		s.Mail.Wake()
	}
	return res, err
}

// errNothing rolls back a send whose every vendor had the brief already,
// so the timeline does not claim a send that did not happen.
var errNothing = errors.New("handoff: every vendor has the brief already")

func greeting(loc *i18n.Locale, h Handoff) string {
	name := h.ContactName
	if name == "" {
		name = h.Vendor
	}
	return loc.T("handoff.greeting", "Name", name, "Product", h.Product)
}

func actorID(a access.Actor) any {
	if a.ID == 0 {
		return nil
	}
	return a.ID
}

type choice struct {
	matching.Match
	contactName, contactEmail string
}

// choose picks the chosen solutions among the ranked matches, naming
// those that are not there or have no vendor contact email.
func choose(ranked matching.Result, ids []int64, get func(int64) (catalog.Solution, error)) ([]choice, error) {
	var out []choice
	var missing, noContact []string
	for _, id := range ids {
		i := slices.IndexFunc(ranked.Ranked, func(m matching.Match) bool { return m.Solution.ID == id })
		if i < 0 {
			missing = append(missing, fmt.Sprint(id))
			continue
		}
		m := ranked.Ranked[i]
		sol, err := get(id)
		if err != nil {
			return nil, err
		}
		c := choice{Match: m, contactName: sol.ContactName, contactEmail: sol.ContactEmail}
		if c.contactEmail == "" {
			noContact = append(noContact, m.Solution.Product)
			continue
		}
		out = append(out, c)
	}
	bad := fault.Fields{}
	if len(missing) > 0 {
		bad.Add("solution_ids", "not among the lead's ranked matches: "+strings.Join(missing, ", "))
	}
	if len(noContact) > 0 {
		bad.Add("solution_ids", "no vendor contact email for "+strings.Join(noContact, ", ")+"; add one in the catalog")
	}
	return out, bad.Err()
}

// Answer records vendor's answer to hand-off id: accepted or declined,
// with an optional note. An answer recorded before is replaced.
func (s *Service) Answer(ctx context.Context, a access.Actor, id int64, status, note string) (Handoff, error) {
	return s.AnswerSeen(ctx, a, id, "", status, note)
}

// AnswerSeen is Answer from a page that showed the hand-off with status
// seen: once its status is another, the answer is refused as a conflict,
// so that no one replaces an answer they have not seen.
func (s *Service) AnswerSeen(ctx context.Context, a access.Actor, id int64, seen, status, note string) (Handoff, error) {
	h, err := scan(s.db.R.QueryRow(ctx, `SELECT `+columns+` FROM handoffs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, fault.Errorf(fault.NotFound, "hand-off %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("handoff: %d: %w", id, err)
	}
	if seen != "" && h.Status != seen {
		return h, fault.Errorf(fault.Conflict, "hand-off %d was answered meanwhile; reload it", id)
	}
	if status != Accepted && status != Declined {
		return h, &fault.Error{Code: fault.Invalid, Message: "the answer must be accepted or declined",
			Fields: map[string]string{"status": "must be accepted or declined"}}
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return h, &fault.Error{Code: fault.Invalid, Message: "the note is too long", Fields: map[string]string{"note": "must be at most 2,000 characters"}}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	reason := fmt.Sprintf("%s %s the brief (%s)", h.Vendor, status, h.Product)
	if note != "" {
		reason += ": " + note
	}
	err = s.leads.Attach(ctx, a, h.LeadID, KindHandoff, reason, map[string][2]string{"handoff_status": {h.Status, status}},
		func(tx *sqldb.Tx, l lead.Lead) error {
			// The lead is locked; the status read before must still hold,
			// or another answer came first and this one is refused.
			res, err := tx.Exec(ctx, `UPDATE handoffs SET status = ?, note = ?, answered_at = ? WHERE id = ? AND status = ?`,
				status, note, now.UnixMilli(), id, h.Status)
			if err != nil {
				return fmt.Errorf("handoff: answer %d: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fault.Errorf(fault.Conflict, "hand-off %d was answered meanwhile; reload it", id)
			}
			return audit.Record(ctx, tx, a, "handoff.answer", "handoff", id, map[string]string{"status": status})
		})
	h.Status, h.Note, h.AnsweredAt = status, note, &now
	return h, err
}

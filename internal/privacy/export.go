package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/sqldb"
)

// Record is one row as stored, by column name. Columns holding JSON are
// embedded as JSON; sort keys, which only repeat a name, are left out.
type Record map[string]any

// Export is everything leadflow holds about one person.
type Export struct {
	Email      string    `json:"email"`     // the first of Addresses, or ""
	Person     string    `json:"person"`    // whom the search named
	Addresses  []string  `json:"addresses"` // every email address found for the person
	ExportedAt time.Time `json:"exported_at"`
	Leads      []Record  `json:"leads"`
	// Consent is each lead's consent and when it was given.
	Consent []Record `json:"consent"`
	// ConsentHistory is the proof behind it: every consent given, asked
	// for by email, confirmed or withdrawn, with time, source, wording
	// and the address it came from.
	ConsentHistory []Record `json:"consent_history"`
	// Emails are the messages leadflow sent or queued to the person, and
	// Enrolments the nurturing sequences their leads are or were in.
	Emails         []Record `json:"emails"`
	Enrolments     []Record `json:"enrolments"`
	Timeline       []Record `json:"timeline"`
	Events         []Record `json:"events"`
	Qualifications []Record `json:"qualifications"`
	// Submissions are the form posts of the person's leads and those
	// whose answers carry the address: answers, IP address, user agent.
	Submissions   []Record `json:"submissions"`
	Contacts      []Record `json:"contacts"`
	Opportunities []Record `json:"opportunities"`
	// Accounts are the companies the person's leads and contacts belong
	// to, by name only: they are not the person's data.
	Accounts      []Record `json:"accounts"`
	ImportRejects []Record `json:"import_rejects"`
	// Activities are the tasks, calls, meetings, emails and notes on the
	// person's leads and contacts.
	Activities  []Record     `json:"activities"`
	ImportFiles []importFile `json:"import_files"`
	// SoftwareRequests, CustomProjects and Handoffs are what the
	// person's leads asked to buy or have built, and whom their brief
	// went to.
	SoftwareRequests []Record `json:"software_requests"`
	CustomProjects   []Record `json:"custom_projects"`
	Handoffs         []Record `json:"handoffs"`
}

// Export gathers everything about email (any case), for an admin.
func (s *Service) Export(ctx context.Context, a access.Actor, email string) (Export, error) {
	return s.ExportPerson(ctx, a, Person{Email: email})
}

// ExportPerson gathers everything about p (see Person), for an admin.
func (s *Service) ExportPerson(ctx context.Context, a access.Actor, p Person) (Export, error) {
	if err := check(a); err != nil {
		return Export{}, err
	}
	p, err := p.normalize()
	if err != nil {
		return Export{}, err
	}
	q := s.db.R
	f, err := findPerson(ctx, q, p)
	if err != nil {
		return Export{}, fmt.Errorf("privacy: export: %w", err)
	}
	out := Export{Person: p.String(), Addresses: append([]string{}, f.emails...), ExportedAt: s.now(), ImportFiles: f.imports}
	if len(f.emails) > 0 {
		out.Email = f.emails[0]
	}
	leads, contacts := anys(f.leads), anys(f.contacts)
	events, eventArgs := eventsWhere(f)
	for _, part := range []struct {
		into  *[]Record
		query string
		args  []any
	}{
		{&out.Leads, `SELECT * FROM leads WHERE id IN (` + marks(len(leads)) + `) ORDER BY id`, leads},
		{&out.Consent, `SELECT id AS lead_id, consent, consent_at FROM leads WHERE id IN (` + marks(len(leads)) + `) ORDER BY id`, leads},
		{&out.ConsentHistory, `SELECT lead_id, at, action, source, wording, ip, user_agent, expires_at, note FROM consent_records
			WHERE lead_id IN (` + marks(len(leads)) + `) ORDER BY at, id`, leads},
		{&out.Emails, `SELECT id, kind, to_addr, subject, text_body, message_id, status, created_at, sent_at, opened_at, clicked_at
			FROM mail_outbox WHERE lower(to_addr) IN (` + marks(len(f.emails)) + `) ORDER BY id`, anys(f.emails)},
		{&out.Enrolments, `SELECT e.lead_id, s.name AS sequence, e.status, e.step, e.reason, e.exit_reason, e.enrolled_at, e.ended_at
			FROM enrolments e JOIN sequences s ON s.id = e.sequence_id WHERE e.lead_id IN (` + marks(len(leads)) + `) ORDER BY e.id`, leads},
		{&out.Timeline, `SELECT * FROM lead_changes WHERE lead_id IN (` + marks(len(leads)) + `) ORDER BY at, id`, leads},
		{&out.Events, `SELECT * FROM events WHERE ` + events + ` ORDER BY occurred_at, id`, eventArgs},
		{&out.Qualifications, `SELECT * FROM lead_qualifications WHERE lead_id IN (` + marks(len(leads)) + `)`, leads},
		{&out.SoftwareRequests, `SELECT * FROM software_requests WHERE lead_id IN (` + marks(len(leads)) + `) ORDER BY id`, leads},
		{&out.CustomProjects, `SELECT * FROM projects WHERE lead_id IN (` + marks(len(leads)) + `) ORDER BY id`, leads},
		{&out.Handoffs, `SELECT * FROM handoffs WHERE lead_id IN (` + marks(len(leads)) + `) ORDER BY id`, leads},
		{&out.Submissions, `SELECT * FROM submissions WHERE id IN (` + marks(len(f.submissions)) + `) ORDER BY id`, anys(f.submissions)},
		{&out.Contacts, `SELECT * FROM contacts WHERE id IN (` + marks(len(contacts)) + `) ORDER BY id`, contacts},
		{&out.Opportunities, `SELECT * FROM opportunities WHERE id IN (` + marks(len(f.opportunities)) + `) ORDER BY id`, anys(f.opportunities)},
		{&out.ImportRejects, `SELECT * FROM import_rejects WHERE id IN (` + marks(len(f.rejects)) + `) ORDER BY id`, anys(f.rejects)},
		// Both lists are there, neither empty (PostgreSQL refuses "IN ()"):
		// 0 matches no row.
		{&out.Activities, `SELECT * FROM activities WHERE lead_id IN (` + marks(len(leads)+1) + `) OR contact_id IN (` +
			marks(len(contacts)+1) + `) ORDER BY id`, append(append(append([]any{int64(0)}, leads...), int64(0)), contacts...)},
	} {
		*part.into = []Record{}
		if len(part.args) == 0 {
			continue
		}
		if *part.into, err = records(ctx, q, part.query, part.args...); err != nil {
			return Export{}, fmt.Errorf("privacy: export: %w", err)
		}
	}
	var accountIDs []int64
	for _, part := range []struct {
		query string
		args  []any
	}{
		{`SELECT account_id FROM leads WHERE account_id IS NOT NULL AND id IN (` + marks(len(leads)) + `)`, leads},
		{`SELECT account_id FROM contacts WHERE id IN (` + marks(len(contacts)) + `)`, contacts},
	} {
		if len(part.args) == 0 {
			continue
		}
		got, err := ids(ctx, q, part.query, part.args...)
		if err != nil {
			return Export{}, fmt.Errorf("privacy: export: %w", err)
		}
		for _, id := range got {
			if !contains(accountIDs, id) {
				accountIDs = append(accountIDs, id)
			}
		}
	}
	out.Accounts = []Record{}
	if len(accountIDs) > 0 {
		if out.Accounts, err = records(ctx, q, `SELECT id, name FROM accounts WHERE id IN (`+marks(len(accountIDs))+`) ORDER BY id`, anys(accountIDs)...); err != nil {
			return Export{}, fmt.Errorf("privacy: export: %w", err)
		}
	}
	if out.ImportFiles == nil {
		out.ImportFiles = []importFile{}
	}
	// Which records were handed out, never the address: the log must stay
	// clean when the person is erased.
	if err := audit.Record(ctx, s.db.W, a, "privacy.export", "person", 0, map[string][]int64{"leads": f.leads, "contacts": f.contacts}); err != nil {
		return Export{}, fmt.Errorf("privacy: export: %w", err)
	}
	return out, nil
}

// jsonColumns hold JSON text, shown as JSON in an export.
var jsonColumns = map[string]bool{"payload": true, "meta": true, "properties": true, "custom": true, "reasons": true, "detail": true,
	"deployments": true, "must_have": true, "nice_to_have": true, "integrations": true, "languages": true, "app_types": true,
	"checklist": true, "features": true}

// records runs query and returns its rows by column name.
func records(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]Record, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := Record{}
		for i, c := range cols {
			if strings.HasSuffix(c, "_sort") {
				continue
			}
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if s, ok := v.(string); ok && jsonColumns[c] && s != "" && json.Valid([]byte(s)) {
				v = json.RawMessage(s)
			}
			r[c] = v
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

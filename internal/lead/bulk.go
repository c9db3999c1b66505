package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"leadflow/internal/accountmatch"
	"leadflow/internal/live"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
	"time"
)

// intakeBulk is intakeOne for many pieces in one transaction, as an
// import sends them. Each piece is validated alone, and the emails of the
// batch are looked up in one query. The pieces that make a plain new
// lead (a new email or none, no visitor, no event, no consent to confirm)
// are written together: a few multi-row statements per table (COPY on
// PostgreSQL) instead of a dozen statements each. Every other piece (a
// known email, the second row of one email, ...) goes through intakeOne,
// in its place in the order, so it merges into what came before it
// exactly as a single intake does.
func (s *Service) intakeBulk(ctx context.Context, tx *sqldb.Tx, ins []Incoming, now time.Time) ([]IntakeResult, []error, error) {
	res, errs := make([]IntakeResult, len(ins)), make([]error, len(ins))
	owners := map[string]int64{}
	ownerOf := func(ctx context.Context, q sqldb.Querier, email string) (int64, error) {
		key := strings.ToLower(email)
		if id, ok := owners[key]; ok {
			return id, nil
		}
		id, err := ownerByEmail(ctx, q, email)
		owners[key] = id
		return id, err
	}
	news := make([]*newLead, len(ins))
	var emails []string
	for i, in := range ins {
		l, c, verr, err := readIncoming(ctx, tx, in, now, ownerOf)
		if err != nil {
			return nil, nil, err
		}
		if verr != nil {
			errs[i] = verr
			continue
		}
		if plainNew(c, in.Origin) {
			news[i] = &newLead{at: i, lead: l, in: in}
			if l.Email != "" {
				emails = append(emails, l.Email)
			}
		}
	}
	known, ids, err := knownEmails(ctx, tx, emails)
	if err != nil {
		return nil, nil, err
	}
	if tx.Dialect() == sqldb.Postgres {
		// The rows that merge into stored leads lock them in the file's
		// order; taken first in id order, as event batches and rescores
		// take theirs, those locks cannot close a cycle with them.
		slices.Sort(ids)
		if _, err := lockPresent(ctx, tx, ids); err != nil {
			return nil, nil, err
		}
	}
	// An email goes the bulk way once: a second row with it merges into
	// the first, through intakeOne, after the first is written.
	seen := map[string]bool{}
	var batch []*newLead
	flush := func() error {
		err := s.insertNew(ctx, tx, batch, now, res)
		batch = batch[:0]
		return err
	}
	for i, in := range ins {
		if errs[i] != nil {
			continue
		}
		if n := news[i]; n != nil {
			key := strings.ToLower(n.lead.Email)
			if key == "" || (!known[key] && !seen[key]) {
				seen[key] = true
				batch = append(batch, n)
				continue
			}
		}
		if err := flush(); err != nil {
			return nil, nil, err
		}
		r, verr, err := s.intakeOne(ctx, tx, in, now)
		if err != nil {
			return nil, nil, err
		}
		res[i], errs[i] = r, verr
	}
	return res, errs, flush()
}

// newLead is a piece of incoming data on its way to be a new lead.
type newLead struct {
	at      int // its place in the batch
	lead    Lead
	in      Incoming
	changes []Change // its timeline entries: created, then what scoring changed
}

// plainNew reports whether c, arriving through o, makes a new lead with
// nothing more to it than its fields (when its email is new).
func plainNew(c Changes, o Origin) bool {
	return o.EventType == "" && o.VisitorID == "" && o.Language == "" && !(c[FConsent] == "true" && o.Consent.DoubleOptIn)
}

// knownEmails returns which of emails are stored, folded to lower case,
// and the ids of their leads.
func knownEmails(ctx context.Context, tx *sqldb.Tx, emails []string) (map[string]bool, []int64, error) {
	known := map[string]bool{}
	var ids []int64
	for _, part := range chunks(emails, 500) {
		args := make([]any, len(part))
		for i, e := range part {
			args[i] = e
		}
		// Each lower(?) AND email <> '' searches the email index.
		q := `SELECT id, email FROM leads WHERE email <> '' AND lower(email) IN (` + strings.TrimSuffix(strings.Repeat("lower(?), ", len(part)), ", ") + `)`
		err := tx.QueryEach(ctx, q, args, func(rows *sql.Rows) error {
			var id int64
			var e string
			if err := rows.Scan(&id, &e); err != nil {
				return err
			}
			ids = append(ids, id)
			known[strings.ToLower(e)] = true
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("lead store: known emails: %w", err)
		}
	}
	return known, ids, nil
}

// insertNew stores batch as new leads, already scored, with their
// timeline and words (not their identity keys: see recordNew), then gives
// each its account and owner as intakeNew does; res gets each one's result.
// A lead whose email another writer stored meanwhile (PostgreSQL) is not
// written here but merged into that one through intakeOne.
func (s *Service) insertNew(ctx context.Context, tx *sqldb.Tx, batch []*newLead, now time.Time, res []IntakeResult) error {
	if len(batch) == 0 {
		return nil
	}
	rs, err := s.rules.CurrentIn(ctx, tx)
	if err != nil {
		return err
	}
	for _, n := range batch {
		l := &n.lead
		o := n.in.Origin
		sourceFromChannel(l, o)
		l.Grade = Grade(rs.Rules.Grade(l.Score))
		n.changes = []Change{{At: now, Kind: KindCreated, Detail: Diff(Lead{}, *l), Reason: o.Reason,
			consent: &consentEntry{proof: o.Consent, source: sourceOf(o)}}}
		// Scored before it is stored, so the row is written once; the
		// timeline reads as for a single intake: created, then scored.
		scored := scoring.Score(scoring.Facts(l.Values()), nil, rs.Rules, now)
		if _, cs := applyScore(l, scored, rs.Rules, o.Reason, now); len(cs) > 0 {
			n.changes = append(n.changes, cs...)
		}
	}
	stored, missed, err := writeLeads(ctx, tx, batch)
	if err != nil {
		return err
	}
	if err := s.recordNew(ctx, tx, stored, now); err != nil {
		return err
	}
	// Their accounts are looked up together; the rest of assignNew runs
	// lead by lead, and writes only for the leads it links or assigns.
	st, err := s.assigner.SettingsIn(ctx, tx)
	if err != nil {
		return err
	}
	cands := make([]accountmatch.Candidate, len(stored))
	for i, n := range stored {
		cands[i] = candidateOf(n.lead)
	}
	accounts, found, err := accountmatch.FindAll(ctx, tx, cands)
	if err != nil {
		return err
	}
	for i, n := range stored {
		l := &n.lead
		if l.Grade == Hot {
			if err := noticeHot(ctx, tx, *l, now); err != nil {
				return err
			}
		}
		if err := s.assignFound(ctx, tx, l, st, accounts[i], found[i], now); err != nil {
			return err
		}
		res[n.at] = IntakeResult{Lead: *l, Created: true}
	}
	for _, n := range missed {
		r, verr, err := s.intakeOne(ctx, tx, n.in, now)
		if err != nil {
			return err
		}
		if verr != nil {
			return fmt.Errorf("lead store: merge of a lead stored meanwhile: %w", verr)
		}
		res[n.at] = r
	}
	return nil
}

// writeLeads inserts the rows of batch and sets each one's id and
// version. A row whose email is taken by then (another writer's, not yet
// visible when the batch looked) is skipped by ON CONFLICT and returned in
// missed. Each row is given its id beforehand, so the rows that come
// back, in whatever order, are known by it.
func writeLeads(ctx context.Context, tx *sqldb.Tx, batch []*newLead) (stored, missed []*newLead, err error) {
	ids, err := tx.NewIDs(ctx, "leads", len(batch))
	if err != nil {
		return nil, nil, fmt.Errorf("lead store: insert: %w", err)
	}
	cols := append([]string{"id"}, strings.Fields(strings.ReplaceAll(storedColumns, ",", " "))...)
	rows := make([][]any, len(batch))
	for i, n := range batch {
		rows[i] = append([]any{ids[i]}, args(n.lead)...)
	}
	back := make(map[int64]int64, len(batch)) // id → version
	scan := func(r *sql.Rows) error {
		var id, version int64
		if err := r.Scan(&id, &version); err != nil {
			return err
		}
		back[id] = version
		return nil
	}
	if err := tx.InsertReturning(ctx, "leads", cols, rows, ` ON CONFLICT DO NOTHING RETURNING id, version`, scan); err != nil {
		return nil, nil, fmt.Errorf("lead store: insert: %w", err)
	}
	for i, n := range batch {
		version, ok := back[ids[i]]
		if !ok {
			if n.lead.Email == "" {
				return nil, nil, fmt.Errorf("lead store: insert: a lead without an email was not stored")
			}
			missed = append(missed, n)
			continue
		}
		n.lead.ID, n.lead.Version = ids[i], version
		stored = append(stored, n)
	}
	return stored, missed, nil
}

// recordNew writes what goes with each new lead of batch: its timeline
// entries and its words, each table in a few statements. Its identity
// keys are not stored, and it is not compared with its look-alikes: at an
// import's size that comparison was half its time, and the identity.pairs
// job, which imports queue as they finish, keys the leads that have no
// keys and compares them, one at a time or, for many, all pairs at once,
// far faster. Until then a lead without keys is one no one compared yet:
// the look-alikes written meanwhile are met by that run.
func (s *Service) recordNew(ctx context.Context, tx *sqldb.Tx, batch []*newLead, now time.Time) error {
	var changes, wordRows [][]any
	var consents []Change
	for _, n := range batch {
		l := n.lead
		for _, c := range n.changes {
			c.LeadID = l.ID
			detail := ""
			if len(c.Detail) > 0 {
				b, _ := json.Marshal(c.Detail) // a map of string pairs always marshals
				detail = string(b)
			}
			changes = append(changes, []any{l.ID, c.At.UnixMilli(), nil, c.Kind, detail, c.Reason})
			if d, ok := c.Detail[FConsent]; ok && d[0] != d[1] {
				consents = append(consents, c)
			}
			tx.Touch(live.Lead(l.ID))
		}
		for _, w := range wordsOf(l) {
			wordRows = append(wordRows, []any{w, l.ID})
		}
	}
	tx.Touch(live.Leads)
	if err := tx.InsertRows(ctx, "lead_changes", []string{"lead_id", "at", "actor_id", "kind", "detail", "reason"}, changes); err != nil {
		return fmt.Errorf("lead store: record changes: %w", err)
	}
	for _, c := range consents {
		if err := recordConsentChange(ctx, tx, c, 0); err != nil {
			return err
		}
	}
	if err := tx.InsertRows(ctx, "lead_words", []string{"word", "lead_id"}, wordRows); err != nil {
		return fmt.Errorf("lead store: words: %w", err)
	}
	return nil
}

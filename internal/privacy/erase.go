package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Summary is what an erasure of one person would delete: the rows per
// table, and the leads, contacts and files by name, for a person to
// confirm.
type Summary struct {
	Email       string         `json:"email"`     // the first of Addresses, or ""
	Person      string         `json:"person"`    // whom the search named
	Addresses   []string       `json:"addresses"` // every email address found for the person
	Search      Person         `json:"-"`         // the search, normalised, for asking again
	Counts      map[string]int `json:"counts"`
	Leads       []Ref          `json:"leads"`
	Contacts    []Ref          `json:"contacts"`
	ImportFiles []Ref          `json:"import_files"`
}

// Ref names one record.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Empty reports whether nothing holds the address.
func (s Summary) Empty() bool {
	for _, n := range s.Counts {
		if n > 0 {
			return false
		}
	}
	return true
}

// Erasure is the record an erasure leaves: no personal data, only when,
// by whom, the address's hash and the rows removed per table.
type Erasure struct {
	ID          int64          `json:"id"`
	At          time.Time      `json:"erased_at"`
	ByID        int64          `json:"erased_by"`
	EmailSHA256 string         `json:"email_sha256"`
	Counts      map[string]int `json:"counts"`
}

// CountNames are the tables an erasure counts, in the order a person reads them.
var CountNames = []string{"leads", "timeline", "events", "qualifications", "submissions", "contacts",
	"opportunities_unlinked", "import_rejects", "import_files", "timeline_mentions_redacted", "login_attempts"}

// Preview says what Erase would delete for email, for an admin.
func (s *Service) Preview(ctx context.Context, a access.Actor, email string) (Summary, error) {
	return s.PreviewPerson(ctx, a, Person{Email: email})
}

// PreviewPerson says what ErasePerson would delete for p, for an admin.
func (s *Service) PreviewPerson(ctx context.Context, a access.Actor, p Person) (Summary, error) {
	if err := check(a); err != nil {
		return Summary{}, err
	}
	p, err := p.normalize()
	if err != nil {
		return Summary{}, err
	}
	f, err := findPerson(ctx, s.db.R, p)
	if err != nil {
		return Summary{}, fmt.Errorf("privacy: preview: %w", err)
	}
	sum, err := summarize(ctx, s.db.R, f)
	sum.Person, sum.Search = p.String(), p
	return sum, err
}

func summarize(ctx context.Context, q sqldb.Querier, f *found) (Summary, error) {
	sum := Summary{Addresses: append([]string{}, f.emails...), Counts: map[string]int{
		"leads": len(f.leads), "submissions": len(f.submissions), "contacts": len(f.contacts),
		"opportunities_unlinked": len(f.opportunities), "import_rejects": len(f.rejects),
		"import_files": len(f.imports), "timeline_mentions_redacted": len(f.mentions),
		"login_attempts": f.loginAttempts,
	}, Leads: []Ref{}, Contacts: []Ref{}, ImportFiles: []Ref{}}
	if len(f.emails) > 0 {
		sum.Email = f.emails[0]
	}
	leads := anys(f.leads)
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"timeline", `SELECT COUNT(*) FROM lead_changes WHERE lead_id IN (` + marks(len(leads)) + `)`, leads},
		{"qualifications", `SELECT COUNT(*) FROM lead_qualifications WHERE lead_id IN (` + marks(len(leads)) + `)`, leads},
	} {
		if len(c.args) == 0 {
			sum.Counts[c.name] = 0
			continue
		}
		var n int
		if err := q.QueryRow(ctx, c.query, c.args...).Scan(&n); err != nil {
			return Summary{}, fmt.Errorf("privacy: count %s: %w", c.name, err)
		}
		sum.Counts[c.name] = n
	}
	n, err := countEvents(ctx, q, f)
	if err != nil {
		return Summary{}, err
	}
	sum.Counts["events"] = n
	for _, part := range []struct {
		into  *[]Ref
		query string
		ids   []int64
	}{
		{&sum.Leads, `SELECT id, trim(first_name || ' ' || last_name || ' <' || email || '>') FROM leads WHERE id IN (%s) ORDER BY id`, f.leads},
		{&sum.Contacts, `SELECT c.id, trim(c.first_name || ' ' || c.last_name || ' <' || c.email || '>, ' || a.name) FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.id IN (%s) ORDER BY c.id`, f.contacts},
	} {
		if len(part.ids) == 0 {
			continue
		}
		rows, err := q.Query(ctx, fmt.Sprintf(part.query, marks(len(part.ids))), anys(part.ids)...)
		if err != nil {
			return Summary{}, fmt.Errorf("privacy: summarize: %w", err)
		}
		for rows.Next() {
			var r Ref
			if err := rows.Scan(&r.ID, &r.Name); err != nil {
				rows.Close()
				return Summary{}, fmt.Errorf("privacy: summarize: %w", err)
			}
			*part.into = append(*part.into, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Summary{}, fmt.Errorf("privacy: summarize: %w", err)
		}
	}
	for _, im := range f.imports {
		sum.ImportFiles = append(sum.ImportFiles, Ref{ID: im.ID, Name: im.FileName})
	}
	return sum, nil
}

// countEvents counts the person's events: their leads' and, before
// those leads existed, their browsers'.
func countEvents(ctx context.Context, q sqldb.Querier, f *found) (int, error) {
	where, args := eventsWhere(f)
	if where == "" {
		return 0, nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("privacy: count events: %w", err)
	}
	return n, nil
}

func eventsWhere(f *found) (string, []any) {
	where, args := "", []any{}
	if len(f.leads) > 0 {
		where = `lead_id IN (` + marks(len(f.leads)) + `)`
		args = anys(f.leads)
	}
	if len(f.visitors) > 0 {
		if where != "" {
			where += ` OR `
		}
		where += `(lead_id IS NULL AND visitor_id IN (` + marks(len(f.visitors)) + `))`
		args = append(args, anys(f.visitors)...)
	}
	return where, args
}

// Erase deletes everything about email (any case) in one transaction,
// for an admin: the leads with their timeline, events and
// qualification, the browsers' anonymous events, the submissions, the
// contacts (their deals stay, without the contact), the import rejects
// and uploaded files that hold the address; other leads' timelines keep
// their entries with the address replaced by "[erased]". It records the
// erasure without the address, and on SQLite checkpoints the log so the
// deleted rows do not stay in it (secure_delete, set on every
// connection, has already overwritten them in the database file).
func (s *Service) Erase(ctx context.Context, a access.Actor, email string) (Erasure, error) {
	return s.ErasePerson(ctx, a, Person{Email: email})
}

// ErasePerson is Erase for a person named by email, phone, or name and
// company (see Person): every lead and contact found, and everything
// each of their addresses finds. The erasure is recorded under the hash
// of each address found (none when the person had none).
func (s *Service) ErasePerson(ctx context.Context, a access.Actor, p Person) (Erasure, error) {
	if err := check(a); err != nil {
		return Erasure{}, err
	}
	p, err := p.normalize()
	if err != nil {
		return Erasure{}, err
	}
	var er Erasure
	var files []string
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		f, err := findPerson(ctx, tx, p)
		if err != nil {
			return err
		}
		sum, err := summarize(ctx, tx, f)
		if err != nil {
			return err
		}
		for _, im := range f.imports {
			// Its rows would end where the file was cut, without a word.
			if im.status == "queued" || im.status == "running" {
				return fault.Errorf(fault.Conflict, "import %d (%s) holds the address and is under way; erase once it has finished", im.ID, im.FileName)
			}
		}
		files = files[:0]
		if err := erase(ctx, tx, f); err != nil {
			return err
		}
		for _, im := range f.imports {
			if im.path != "" {
				files = append(files, im.path)
			}
		}
		er = Erasure{At: s.now(), ByID: a.ID, Counts: sum.Counts}
		counts, _ := json.Marshal(er.Counts)
		var by any
		if a.ID != 0 {
			by = a.ID
		}
		// One record per address, so that each is recognised later; the
		// counts are on the first.
		hashes := []string{""}
		if len(f.emails) > 0 {
			hashes = hashes[:0]
			for _, e := range f.emails {
				hashes = append(hashes, Hash(e))
			}
		}
		er.EmailSHA256 = hashes[0]
		for i, h := range hashes {
			c := string(counts)
			if i > 0 {
				c = "{}"
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO erasures (erased_at, erased_by, email_sha256, counts) VALUES (?, ?, ?, ?) RETURNING id`,
				er.At.UnixMilli(), by, h, c).Scan(&id); err != nil {
				return err
			}
			if i == 0 {
				er.ID = id
			}
		}
		return audit.Record(ctx, tx, a, "privacy.erase", "erasure", er.ID, map[string]any{"leads": f.leads, "counts": er.Counts})
	})
	if fault.As(err) != nil {
		return Erasure{}, err
	}
	if err != nil {
		return Erasure{}, fmt.Errorf("privacy: erase: %w", err)
	}
	for _, path := range files {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return er, fmt.Errorf("privacy: erased, but the uploaded file %s remains: %w", path, err)
		}
	}
	if err := s.checkpoint(ctx); err != nil {
		return er, fmt.Errorf("privacy: erased, but the database log still holds the deleted rows: %w", err)
	}
	return er, nil
}

func erase(ctx context.Context, tx *sqldb.Tx, f *found) error {
	if where, args := eventsWhere(f); where != "" {
		if _, err := tx.Exec(ctx, `DELETE FROM events WHERE `+where, args...); err != nil {
			return fmt.Errorf("delete events: %w", err)
		}
	}
	for _, d := range []struct {
		what, query string
		ids         []int64
	}{
		{"submission", `DELETE FROM submissions WHERE id = ?`, f.submissions},
		// The timeline and qualification go with the lead (ON DELETE CASCADE).
		{"lead", `DELETE FROM leads WHERE id = ?`, f.leads},
		// Deals keep their account and amount; contact_id becomes NULL.
		{"contact", `DELETE FROM contacts WHERE id = ?`, f.contacts},
		{"import reject", `DELETE FROM import_rejects WHERE id = ?`, f.rejects},
	} {
		for _, id := range d.ids {
			if _, err := tx.Exec(ctx, d.query, id); err != nil {
				return fmt.Errorf("delete %s %d: %w", d.what, id, err)
			}
		}
	}
	for _, im := range f.imports {
		if _, err := tx.Exec(ctx, `DELETE FROM import_chunks WHERE import_id = ?`, im.ID); err != nil {
			return fmt.Errorf("delete import %d's file: %w", im.ID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE imports SET path = '' WHERE id = ?`, im.ID); err != nil {
			return fmt.Errorf("forget import %d's file: %w", im.ID, err)
		}
	}
	for _, e := range f.emails {
		if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE lower(email) = ?`, e); err != nil {
			return fmt.Errorf("delete sign-in attempts: %w", err)
		}
		// Email to the person goes with their leads (ON DELETE CASCADE),
		// and so does any left without a lead.
		if _, err := tx.Exec(ctx, `DELETE FROM mail_outbox WHERE lower(to_addr) = ?`, e); err != nil {
			return fmt.Errorf("delete email: %w", err)
		}
	}
	for _, id := range f.mentions {
		var detail, reason string
		if err := tx.QueryRow(ctx, `SELECT detail, reason FROM lead_changes WHERE id = ?`, id).Scan(&detail, &reason); err != nil {
			return fmt.Errorf("read timeline entry %d: %w", id, err)
		}
		for _, e := range f.emails {
			detail, reason = redact(detail, e), redact(reason, e)
		}
		if _, err := tx.Exec(ctx, `UPDATE lead_changes SET detail = ?, reason = ? WHERE id = ?`, detail, reason, id); err != nil {
			return fmt.Errorf("redact timeline entry %d: %w", id, err)
		}
	}
	return nil
}

// checkpoint copies SQLite's log into the database file and empties it,
// so the pages that held the erased rows before the erasure are gone
// from the log too. Readers still on an older snapshot make it wait; it
// tries for a few seconds.
func (s *Service) checkpoint(ctx context.Context) error {
	if s.db.Dialect != sqldb.SQLite {
		return nil
	}
	for try := 0; ; try++ {
		var busy, logFrames, done int
		if err := s.db.W.QueryRow(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return errors.New("readers kept the log busy")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Erasures lists the erasures made, newest first, for an admin.
func (s *Service) Erasures(ctx context.Context, a access.Actor, limit int) ([]Erasure, error) {
	if err := check(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT id, erased_at, COALESCE(erased_by, 0), email_sha256, counts FROM erasures ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("privacy: list erasures: %w", err)
	}
	defer rows.Close()
	out := []Erasure{}
	for rows.Next() {
		var er Erasure
		var at int64
		var counts string
		if err := rows.Scan(&er.ID, &at, &er.ByID, &er.EmailSHA256, &counts); err != nil {
			return nil, fmt.Errorf("privacy: list erasures: %w", err)
		}
		er.At = time.UnixMilli(at).UTC()
		json.Unmarshal([]byte(counts), &er.Counts)
		out = append(out, er)
	}
	return out, rows.Err()
}

// WasErased reports whether email (any case) was erased before, so that
// what brings it back (an import, a form) can be noticed.
func (s *Service) WasErased(ctx context.Context, email string) (bool, error) {
	var n int
	err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM erasures WHERE email_sha256 = ?`, Hash(email)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("privacy: look up erasure: %w", err)
	}
	return n > 0, nil
}

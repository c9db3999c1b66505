package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"leadflow/internal/sqldb"
)

// found is where an email address appears, by id: what an export reads
// and an erasure deletes.
type found struct {
	email         string   // the one address find looked up
	emails        []string // every address of the person (findPerson)
	leads         []int64
	visitors      []string // tracked browsers of the person, from events and submissions
	submissions   []int64
	contacts      []int64
	opportunities []int64 // deals of the contacts: kept, without the contact
	rejects       []int64
	imports       []importFile // uploads whose file holds the address
	mentions      []int64      // other leads' timeline entries naming the address
	loginAttempts int          // failed sign-ins with the address, kept minutes for throttling
}

type importFile struct {
	ID       int64  `json:"import_id"`
	FileName string `json:"file_name"`
	path     string // on disk, for imports from before uploads were kept in the database
	status   string
}

// find looks email (normalized) up everywhere, through q: the read pool
// for an export, the erasure's transaction for an erasure.
func find(ctx context.Context, q sqldb.Querier, email string) (*found, error) {
	f := &found{email: email, emails: []string{email}}
	var err error
	if f.leads, err = ids(ctx, q, `SELECT id FROM leads WHERE lower(email) = ? AND email <> '' ORDER BY id`, email); err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	if len(f.leads) > 0 {
		f.visitors, err = strs(ctx, q, `SELECT DISTINCT visitor_id FROM events WHERE visitor_id <> '' AND lead_id IN (`+marks(len(f.leads))+`)`, anys(f.leads)...)
		if err != nil {
			return nil, fmt.Errorf("find visitors: %w", err)
		}
	}
	if err := f.findSubmissions(ctx, q); err != nil {
		return nil, err
	}
	if f.contacts, err = ids(ctx, q, `SELECT id FROM contacts WHERE lower(email) = ? ORDER BY id`, email); err != nil {
		return nil, fmt.Errorf("find contacts: %w", err)
	}
	if len(f.contacts) > 0 {
		f.opportunities, err = ids(ctx, q, `SELECT id FROM opportunities WHERE contact_id IN (`+marks(len(f.contacts))+`) ORDER BY id`, anys(f.contacts)...)
		if err != nil {
			return nil, fmt.Errorf("find opportunities: %w", err)
		}
	}
	if f.rejects, err = matching(ctx, q, `SELECT id, raw FROM import_rejects WHERE lower(raw) LIKE ? ESCAPE '\' ORDER BY id`, email); err != nil {
		return nil, fmt.Errorf("find import rejects: %w", err)
	}
	if err := f.findImports(ctx, q); err != nil {
		return nil, err
	}
	// The person's own timeline goes with their leads; other leads'
	// name the address when merged with one of theirs, or edited from it.
	others, args := ``, []any{likePattern(email)}
	if len(f.leads) > 0 {
		others = ` AND lead_id NOT IN (` + marks(len(f.leads)) + `)`
		args = append(args, anys(f.leads)...)
	}
	mentions, err := matching(ctx, q, `SELECT id, detail || ' ' || reason FROM lead_changes
		WHERE (lower(detail) LIKE ? ESCAPE '\' OR lower(reason) LIKE ? ESCAPE '\')`+others+` ORDER BY id`, email, args...)
	if err != nil {
		return nil, fmt.Errorf("find timeline mentions: %w", err)
	}
	f.mentions = mentions
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM login_attempts WHERE lower(email) = ?`, email).Scan(&f.loginAttempts); err != nil {
		return nil, fmt.Errorf("find sign-in attempts: %w", err)
	}
	return f, nil
}

// findSubmissions finds the submissions of the person's leads and those
// whose answers carry the address, and the browsers they came from.
func (f *found) findSubmissions(ctx context.Context, q sqldb.Querier) error {
	where, args := `lower(payload) LIKE ? ESCAPE '\'`, []any{likePattern(f.email)}
	if len(f.leads) > 0 {
		where += ` OR lead_id IN (` + marks(len(f.leads)) + `)`
		args = append(args, anys(f.leads)...)
	}
	rows, err := q.Query(ctx, `SELECT id, payload, meta, COALESCE(lead_id, 0) FROM submissions WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("find submissions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, leadID int64
		var payload, meta string
		if err := rows.Scan(&id, &payload, &meta, &leadID); err != nil {
			return fmt.Errorf("find submissions: %w", err)
		}
		if !contains(f.leads, leadID) && !mentions(payload, f.email) {
			continue // the address is inside a longer one
		}
		f.submissions = append(f.submissions, id)
		var m struct {
			VisitorID string `json:"visitor_id"`
		}
		if json.Unmarshal([]byte(meta), &m) == nil && m.VisitorID != "" && !contains(f.visitors, m.VisitorID) {
			f.visitors = append(f.visitors, m.VisitorID)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find submissions: %w", err)
	}
	return nil
}

// findImports reads every uploaded import file for the address. Files
// are read whole, chunk by chunk: an erasure is rare, and a file holds
// people the rejects do not show.
func (f *found) findImports(ctx context.Context, q sqldb.Querier) error {
	rows, err := q.Query(ctx, `SELECT id, file_name, path, status FROM imports ORDER BY id`)
	if err != nil {
		return fmt.Errorf("find imports: %w", err)
	}
	var all []importFile
	for rows.Next() {
		var im importFile
		if err := rows.Scan(&im.ID, &im.FileName, &im.path, &im.status); err != nil {
			rows.Close()
			return fmt.Errorf("find imports: %w", err)
		}
		all = append(all, im)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find imports: %w", err)
	}
	for _, im := range all {
		in, err := f.chunksHold(ctx, q, im.ID)
		if err != nil {
			return fmt.Errorf("read import %d: %w", im.ID, err)
		}
		if !in && im.path != "" {
			if in, err = f.fileHolds(im.path); err != nil {
				return fmt.Errorf("read import %d: %w", im.ID, err)
			}
		}
		if in {
			f.imports = append(f.imports, im)
		}
	}
	return nil
}

func (f *found) chunksHold(ctx context.Context, q sqldb.Querier, importID int64) (bool, error) {
	rows, err := q.Query(ctx, `SELECT data FROM import_chunks WHERE import_id = ? ORDER BY seq`, importID)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	s := scanner{email: f.email}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return false, err
		}
		if s.holds(data) {
			return true, nil
		}
	}
	return false, rows.Err()
}

func (f *found) fileHolds(path string) (bool, error) {
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer file.Close()
	s := scanner{email: f.email}
	buf := make([]byte, 1<<20)
	for {
		n, err := file.Read(buf)
		if s.holds(buf[:n]) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// scanner looks for an address in a file read in pieces, keeping the
// end of each piece so that an address split between two is found.
type scanner struct {
	email string
	tail  string
}

func (s *scanner) holds(piece []byte) bool {
	text := s.tail + asciiLower(string(piece))
	if len(findAll(text, s.email)) > 0 {
		return true
	}
	if keep := len(s.email) + 1; len(text) > keep {
		text = text[len(text)-keep:]
	}
	s.tail = text
	return false
}

// ids runs a query of one id column.
func ids(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]int64, error) {
	return sqldb.Column[int64](ctx, q, query, args...)
}

func strs(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]string, error) {
	return sqldb.Column[string](ctx, q, query, args...)
}

// matching runs a query of (id, text) whose first argument is email's
// LIKE pattern, and keeps the ids whose text names the address as a
// whole, since LIKE also finds it inside longer ones.
func matching(ctx context.Context, q sqldb.Querier, query, email string, more ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, append([]any{likePattern(email)}, more...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		if mentions(text, email) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// marks returns n placeholders separated by commas.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

package accountmatch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/sqldb"
)

// Match is the account a lead was found to belong to, and why.
type Match struct {
	AccountID     int64
	AccountName   string
	OwnerID       int64 // the account's owner; 0 when none
	OwnerEmail    string
	OwnerDisabled bool // the owner may not be given leads now
	By, Value     string
}

// Find looks up the account c belongs to, trying its Keys in order. A
// company name that several accounts share is ambiguous and finds
// nothing: a wrong link is worse than none. Every key is looked up in
// one query (each on its own index, as alone), so a lead whose company
// is no account yet, the usual case, costs one round trip, not one a key.
func Find(ctx context.Context, q sqldb.Querier, c Candidate) (Match, bool, error) {
	keys := Keys(c)
	if len(keys) == 0 {
		return Match{}, false, nil
	}
	query, args := findQuery(keys)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return Match{}, false, fmt.Errorf("accountmatch: find: %w", err)
	}
	defer rows.Close()
	found := make([][]Match, len(keys))
	for rows.Next() {
		var i int
		m, err := scanMatch(rows, &i)
		if err != nil {
			return Match{}, false, fmt.Errorf("accountmatch: find: %w", err)
		}
		m.By, m.Value = keys[i].By, keys[i].Value
		found[i] = append(found[i], m)
	}
	if err := rows.Err(); err != nil {
		return Match{}, false, fmt.Errorf("accountmatch: find: %w", err)
	}
	for _, ms := range found {
		if len(ms) == 1 {
			return ms[0], true, nil
		}
	}
	return Match{}, false, nil
}

// findQuery reads the accounts of each of keys, in one query: each key's
// rows are told by their first column, the key's place in keys.
func findQuery(keys []Key) (string, []any) {
	parts := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		limit := "1"
		if k.By == ByCompany {
			limit = "2" // a second tells that the name is ambiguous
		}
		n := strconv.Itoa(i)
		parts[i] = `SELECT * FROM (SELECT ` + n + ` AS k, ` + matchColumns + ` WHERE ` + column(k.By) + ` = ? ORDER BY a.id LIMIT ` + limit + `) k` + n
		args[i] = k.Value
	}
	return strings.Join(parts, " UNION ALL "), args
}

// matchColumns reads a Match (see scanMatch), after the key it was found
// by, from accounts a.
const matchColumns = `a.id, a.name, COALESCE(a.owner_id, 0) AS owner_id, COALESCE(u.email, '') AS owner_email,
	u.disabled_at IS NOT NULL AS owner_disabled FROM accounts a LEFT JOIN users u ON u.id = a.owner_id`

// scanMatch reads a row of matchColumns, its key into key.
func scanMatch(rows *sql.Rows, key any) (Match, error) {
	var m Match
	var disabled sql.NullBool
	err := rows.Scan(key, &m.AccountID, &m.AccountName, &m.OwnerID, &m.OwnerEmail, &disabled)
	m.OwnerDisabled = disabled.Bool
	return m, err
}

// FindAll is Find for many candidates, with one query per kind of key
// (domain, company name) for all of them instead of one per key and
// candidate: an import looks up thousands at once. ok[i] tells whether
// cands[i] found its account.
func FindAll(ctx context.Context, q sqldb.Querier, cands []Candidate) (found []Match, ok []bool, err error) {
	keys := make([][]Key, len(cands))
	values := map[string][]any{}
	seen := map[string]bool{}
	for i, c := range cands {
		keys[i] = Keys(c)
		for _, k := range keys[i] {
			// Each value once: read again in another part of the list, its
			// accounts would be listed twice and look like two.
			if col := column(k.By); !seen[col+"\x00"+k.Value] {
				seen[col+"\x00"+k.Value] = true
				values[col] = append(values[col], k.Value)
			}
		}
	}
	// Every account holding one of the values, in id order: what Find's
	// LIMIT would have read first.
	byValue := map[string][]Match{}
	for col, vs := range values {
		for start := 0; start < len(vs); start += 500 {
			part := vs[start:min(start+500, len(vs))]
			rows, err := q.Query(ctx, `SELECT `+col+`, `+matchColumns+` WHERE `+col+` IN (`+marks(len(part))+`) ORDER BY a.id`, part...)
			if err != nil {
				return nil, nil, fmt.Errorf("accountmatch: find: %w", err)
			}
			for rows.Next() {
				var v string
				m, err := scanMatch(rows, &v)
				if err != nil {
					rows.Close()
					return nil, nil, fmt.Errorf("accountmatch: find: %w", err)
				}
				byValue[col+"\x00"+v] = append(byValue[col+"\x00"+v], m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, nil, fmt.Errorf("accountmatch: find: %w", err)
			}
		}
	}
	found, ok = make([]Match, len(cands)), make([]bool, len(cands))
	for i := range cands {
		for _, k := range keys[i] {
			ms := byValue[column(k.By)+"\x00"+k.Value]
			// A domain is unique; a company name two accounts share
			// finds nothing (see Find).
			if len(ms) == 0 || (k.By == ByCompany && len(ms) > 1) {
				continue
			}
			found[i], ok[i] = ms[0], true
			found[i].By, found[i].Value = k.By, k.Value
			break
		}
	}
	return found, ok, nil
}

func column(by string) string {
	if by == ByCompany {
		return "a.name_key"
	}
	return "a.domain"
}

func marks(n int) string {
	b := make([]byte, 0, 3*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '?')
	}
	return string(b)
}

// Link is a lead's link to an account.
type Link struct {
	LeadID      int64
	AccountID   int64
	AccountName string
	By, Value   string
	LinkedAt    time.Time
	UndoneAt    *time.Time // when a user undid it; nil while it holds
	UndoneBy    string     // that user's email
}

// Reason says what the link was made on, in words.
func (l Link) Reason() string { return Describe(l.By, l.Value) }

// Save links lead leadID to m's account through q, in the caller's
// transaction. A lead linked before, or whose link was undone, keeps
// what it has.
func Save(ctx context.Context, q sqldb.Querier, leadID int64, m Match, at time.Time) (bool, error) {
	res, err := q.Exec(ctx, `INSERT INTO account_links (lead_id, account_id, matched_by, matched_on, linked_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (lead_id) DO NOTHING`, leadID, m.AccountID, m.By, m.Value, at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("accountmatch: link lead %d: %w", leadID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const linkColumns = `k.lead_id, k.account_id, a.name, k.matched_by, k.matched_on, k.linked_at, k.undone_at, COALESCE(u.email, '')`

const fromLinks = ` FROM account_links k JOIN accounts a ON a.id = k.account_id LEFT JOIN users u ON u.id = k.undone_by`

func scanLink(s interface{ Scan(...any) error }) (Link, error) {
	var l Link
	var linked int64
	var undone sql.NullInt64
	err := s.Scan(&l.LeadID, &l.AccountID, &l.AccountName, &l.By, &l.Value, &linked, &undone, &l.UndoneBy)
	l.LinkedAt = time.UnixMilli(linked).UTC()
	if undone.Valid {
		t := time.UnixMilli(undone.Int64).UTC()
		l.UndoneAt = &t
	}
	return l, err
}

// Of returns the link of lead leadID; ok is false when it has none.
func Of(ctx context.Context, q sqldb.Querier, leadID int64) (l Link, ok bool, err error) {
	l, err = scanLink(q.QueryRow(ctx, `SELECT `+linkColumns+fromLinks+` WHERE k.lead_id = ?`, leadID))
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("accountmatch: link of lead %d: %w", leadID, err)
	}
	return l, true, nil
}

// Undo marks the link of lead leadID undone by user actorID; it reports
// false when there was no link in force.
func Undo(ctx context.Context, q sqldb.Querier, leadID, actorID int64, at time.Time) (bool, error) {
	var by any
	if actorID != 0 {
		by = actorID
	}
	res, err := q.Exec(ctx, `UPDATE account_links SET undone_at = ?, undone_by = ? WHERE lead_id = ? AND undone_at IS NULL`,
		at.UnixMilli(), by, leadID)
	if err != nil {
		return false, fmt.Errorf("accountmatch: undo link of lead %d: %w", leadID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LinkedLead is a lead linked to an account, as the account page lists it.
type LinkedLead struct {
	LeadID     int64
	Name       string
	Email      string
	Company    string
	Stage      string
	OwnerEmail string
	By, Value  string
	LinkedAt   time.Time
}

// Reason says what the link was made on, in words.
func (l LinkedLead) Reason() string { return Describe(l.By, l.Value) }

// LeadsOf lists the leads linked to account accountID and not yet
// converted (the account lists those apart), newest first;
// with visibleTo set, only that sales user's and the unassigned ones.
func LeadsOf(ctx context.Context, q sqldb.Querier, accountID, visibleTo int64, limit int) ([]LinkedLead, error) {
	cond, args := "", []any{accountID}
	if visibleTo != 0 {
		cond, args = " AND (l.owner_id = ? OR l.owner_id IS NULL)", append(args, visibleTo)
	}
	rows, err := q.Query(ctx, `SELECT l.id, l.first_name, l.last_name, l.email, l.company, l.stage, COALESCE(u.email, ''),
		k.matched_by, k.matched_on, k.linked_at
		FROM account_links k JOIN leads l ON l.id = k.lead_id LEFT JOIN users u ON u.id = l.owner_id
		WHERE k.account_id = ? AND k.undone_at IS NULL AND l.converted_at IS NULL`+cond+` ORDER BY k.linked_at DESC, k.lead_id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("accountmatch: leads of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []LinkedLead
	for rows.Next() {
		var l LinkedLead
		var first, last string
		var linked int64
		if err := rows.Scan(&l.LeadID, &first, &last, &l.Email, &l.Company, &l.Stage, &l.OwnerEmail, &l.By, &l.Value, &linked); err != nil {
			return nil, fmt.Errorf("accountmatch: leads of account %d: %w", accountID, err)
		}
		l.Name = joinName(first, last, l.Email)
		l.LinkedAt = time.UnixMilli(linked).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

func joinName(first, last, email string) string {
	switch {
	case first != "" && last != "":
		return first + " " + last
	case first+last != "":
		return first + last
	}
	return email
}

package segment

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Member is a lead in a segment, as lists show it.
type Member struct {
	LeadID     int64
	Email      string
	FirstName  string
	LastName   string
	Company    string
	Stage      string
	Grade      string
	Score      int
	OwnerEmail string
	EnteredAt  time.Time // zero in a preview
}

// Name is the person's name, or the email when none is known.
func (m Member) Name() string {
	if n := strings.TrimSpace(m.FirstName + " " + m.LastName); n != "" {
		return n
	}
	return m.Email
}

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// MemberPage is one page of a segment's members, newest entries first.
type MemberPage struct {
	Members []Member
	// Next is the cursor of the following page, "" on the last.
	Next string
}

const memberColumns = `l.id, l.email, l.first_name, l.last_name, l.company, l.stage, l.grade, l.score, COALESCE(u.email, '')`

func scanMember(row interface{ Scan(...any) error }, extra ...any) (Member, error) {
	var m Member
	err := row.Scan(append([]any{&m.LeadID, &m.Email, &m.FirstName, &m.LastName, &m.Company, &m.Stage, &m.Grade, &m.Score, &m.OwnerEmail}, extra...)...)
	return m, err
}

// visible is the SQL that keeps a sales user to their own and unassigned
// leads, as the lead list does.
func visible(a access.Actor) (string, []any) {
	if a.SeesAllLeads() {
		return "", nil
	}
	return " AND (l.owner_id IS NULL OR l.owner_id = ?)", []any{a.ID}
}

// Members returns a page of segment id's members that a may see, after
// cursor ("" for the first page). Every role sees every segment's count;
// sales sees the members it owns and the unassigned ones.
func (s *Service) Members(ctx context.Context, a access.Actor, id int64, cursor string, limit int) (MemberPage, error) {
	if seg, err := get(ctx, s.db.R, id); err != nil {
		return MemberPage{}, err
	} else if seg.Kind == KindAccounts {
		return MemberPage{}, &fault.Error{Code: fault.Invalid, Message: fmt.Sprintf("segment %d holds accounts: the accounts list filters by it (segment=%d)", id, id),
			Fields: map[string]string{"id": "is an account segment"}}
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		return MemberPage{}, (fault.Fields{"limit": "must be a whole number from 1 to " + strconv.Itoa(MaxLimit)}).Err()
	}
	q := `SELECT ` + memberColumns + `, m.entered_at, m.seq FROM segment_members m JOIN leads l ON l.id = m.lead_id
		LEFT JOIN users u ON u.id = l.owner_id WHERE m.segment_id = ?`
	args := []any{id}
	if cursor != "" {
		c, ok := ParseCursor(cursor)
		if !ok {
			return MemberPage{}, (fault.Fields{"cursor": "is not a cursor this list returned"}).Err()
		}
		q += ` AND (m.seq < ? OR (m.seq = ? AND m.lead_id < ?))`
		args = append(args, c.Seq, c.Seq, c.LeadID)
	}
	vis, vargs := visible(a)
	q += vis + ` ORDER BY m.seq DESC, m.lead_id DESC LIMIT ?`
	args = append(append(args, vargs...), limit+1)
	rows, err := s.db.R.Query(ctx, q, args...)
	if err != nil {
		return MemberPage{}, fmt.Errorf("segment %d: members: %w", id, err)
	}
	defer rows.Close()
	var p MemberPage
	var seqs []int64
	for rows.Next() {
		var entered, seq int64
		m, err := scanMember(rows, &entered, &seq)
		if err != nil {
			return p, err
		}
		m.EnteredAt = time.UnixMilli(entered).UTC()
		p.Members = append(p.Members, m)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	if len(p.Members) > limit {
		p.Members = p.Members[:limit]
		last := p.Members[limit-1]
		p.Next = Cursor{Seq: seqs[limit-1], LeadID: last.LeadID}.String()
	}
	return p, nil
}

// Preview is how many leads (accounts) a segment not yet saved would
// hold, and the newest of them.
type Preview struct {
	Count    int64
	Leads    []Member
	Accounts []AccountMember
}

// AccountMember is an account in an account segment, as a preview shows
// it.
type AccountMember struct {
	AccountID  int64
	Name       string
	Domain     string
	Score      int
	Grade      string
	Tier       int // 0 for none
	OwnerEmail string
}

// PreviewLimit is how many leads a preview shows.
const PreviewLimit = 10

// Preview validates seg and counts the leads that pass its conditions
// now, reading the leads themselves: the editor shows it before saving.
// The count is of all leads; the leads shown are those a may see.
func (s *Service) Preview(ctx context.Context, a access.Actor, seg Segment) (Preview, error) {
	var p Preview
	if err := MayManage(a); err != nil {
		return p, err
	}
	if err := seg.ValidateSelection(); err != nil {
		return p, err
	}
	pred, args := where(seg, s.db.Dialect, s.now())
	if seg.Kind == KindAccounts {
		return s.previewAccounts(ctx, pred, args)
	}
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads l WHERE `+pred, args...).Scan(&p.Count); err != nil {
		return p, fmt.Errorf("segment: preview count: %w", err)
	}
	vis, vargs := visible(a)
	rows, err := s.db.R.Query(ctx, `SELECT `+memberColumns+` FROM leads l LEFT JOIN users u ON u.id = l.owner_id
		WHERE (`+pred+`)`+vis+` ORDER BY l.id DESC LIMIT ?`, append(append(args, vargs...), PreviewLimit)...)
	if err != nil {
		return p, fmt.Errorf("segment: preview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return p, err
		}
		p.Leads = append(p.Leads, m)
	}
	return p, rows.Err()
}

// Cursor is a position in a segment's entries: the seq of the membership
// transaction and the lead id.
type Cursor struct {
	Seq    int64
	LeadID int64
}

// String is the cursor as text, "seq.lead".
func (c Cursor) String() string {
	return strconv.FormatInt(c.Seq, 10) + "." + strconv.FormatInt(c.LeadID, 10)
}

// ParseCursor reads a cursor String wrote.
func ParseCursor(s string) (Cursor, bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return Cursor{}, false
	}
	seq, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || seq < 0 || id < 0 {
		return Cursor{}, false
	}
	return Cursor{Seq: seq, LeadID: id}, true
}

// Entry is a lead that entered a segment.
type Entry struct {
	LeadID    int64
	EnteredAt time.Time
	Cursor    Cursor
}

// EnteredSince returns up to limit leads that entered segment segmentID
// after the entry at after (the zero Cursor for the first), oldest
// first, and the cursor to pass next time (after itself when there is
// nothing new). Entries are read in the order their transactions
// committed, so a consumer that keeps the cursor misses no lead that is
// still a member when it reads.
func EnteredSince(ctx context.Context, q sqldb.Querier, segmentID int64, after Cursor, limit int) ([]Entry, Cursor, error) {
	return entriesSince(ctx, q, "segment_members", "lead_id", segmentID, after, limit)
}

// entriesSince reads the entries of a members table (lead or account
// segments; member is its id column) after the entry at after.
func entriesSince(ctx context.Context, q sqldb.Querier, table, member string, segmentID int64, after Cursor, limit int) ([]Entry, Cursor, error) {
	rows, err := q.Query(ctx, `SELECT `+member+`, entered_at, seq FROM `+table+`
		WHERE segment_id = ? AND (seq > ? OR (seq = ? AND `+member+` > ?)) ORDER BY seq, `+member+` LIMIT ?`,
		segmentID, after.Seq, after.Seq, after.LeadID, limit)
	if err != nil {
		return nil, after, fmt.Errorf("segment %d: %s entered since %s: %w", segmentID, table, after, err)
	}
	defer rows.Close()
	var out []Entry
	next := after
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.LeadID, &at, &e.Cursor.Seq); err != nil {
			return nil, after, err
		}
		e.Cursor.LeadID, e.EnteredAt = e.LeadID, time.UnixMilli(at).UTC()
		out = append(out, e)
		next = e.Cursor
	}
	return out, next, rows.Err()
}

// LatestCursor is the cursor after every entry so far, for a consumer
// that wants only the leads that enter from now on.
func LatestCursor(ctx context.Context, q sqldb.Querier) (Cursor, error) {
	var seq sql.NullInt64
	err := q.QueryRow(ctx, `SELECT seq FROM segment_sync WHERE id = 1`).Scan(&seq)
	return Cursor{Seq: seq.Int64, LeadID: 1<<62 - 1}, err
}

// previewAccounts is Preview for an account segment: accounts are shared,
// so every user sees all of them.
func (s *Service) previewAccounts(ctx context.Context, pred string, args []any) (Preview, error) {
	var p Preview
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM accounts a WHERE `+pred, args...).Scan(&p.Count); err != nil {
		return p, fmt.Errorf("segment: preview count: %w", err)
	}
	rows, err := s.db.R.Query(ctx, `SELECT a.id, a.name, a.domain, a.score, a.grade, COALESCE(a.tier, 0), COALESCE(u.email, '')
		FROM accounts a LEFT JOIN users u ON u.id = a.owner_id WHERE `+pred+` ORDER BY a.id DESC LIMIT ?`, append(args, PreviewLimit)...)
	if err != nil {
		return p, fmt.Errorf("segment: preview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m AccountMember
		if err := rows.Scan(&m.AccountID, &m.Name, &m.Domain, &m.Score, &m.Grade, &m.Tier, &m.OwnerEmail); err != nil {
			return p, err
		}
		p.Accounts = append(p.Accounts, m)
	}
	return p, rows.Err()
}

// AccountsEnteredSince is EnteredSince for an account segment: the
// entries' LeadID (and their cursors') is the account's id.
func AccountsEnteredSince(ctx context.Context, q sqldb.Querier, segmentID int64, after Cursor, limit int) ([]Entry, Cursor, error) {
	return entriesSince(ctx, q, "account_segment_members", "account_id", segmentID, after, limit)
}

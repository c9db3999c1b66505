package lead

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/identity"
	"leadflow/internal/sqldb"
)

// Pair is two leads that are probably one person, the score that says
// how probably, and the field-by-field explanation. A is the older lead.
type Pair struct {
	A, B    Lead
	Score   float64
	Verdict identity.Verdict
	Fields  []identity.Agreement
}

// DuplicateSort orders the review queue.
type DuplicateSort string

// The orders of the review queue: highest score first (the default),
// lowest first, or the pairs with the newest lead first.
const (
	SortScore    DuplicateSort = "score"
	SortScoreAsc DuplicateSort = "-score"
	SortNewest   DuplicateSort = "newest"
)

// DuplicateQuery asks for one page of the review queue.
type DuplicateQuery struct {
	Sort     DuplicateSort
	Cursor   string  // the Next of the page before; "" for the first
	Limit    int     // pairs per page, 1 to 200
	MinScore float64 // leave out pairs scoring lower (0: the probable threshold)
}

// DuplicatePage is one page of the review queue.
type DuplicatePage struct {
	Pairs []Pair
	Total int    // pairs in the whole queue
	Next  string // cursor of the next page; "" on the last
}

// ProbableDuplicates lists one page of the pairs of leads that are
// probably one person, leaving out the pairs a reviewer said are two.
// The pairs are stored (found at intake for each new lead, and again by
// the identity.pairs job), so a page is a keyset read whatever the number
// of leads; each pair on it is explained field by field.
func (s *Service) ProbableDuplicates(ctx context.Context, a access.Actor, q DuplicateQuery) (DuplicatePage, error) {
	if !a.CanDeleteLeads() {
		return DuplicatePage{}, fault.Errorf(fault.Forbidden, "only admin and marketing users review duplicates")
	}
	bad := fault.Fields{}
	switch q.Sort {
	case "":
		q.Sort = SortScore
	case SortScore, SortScoreAsc, SortNewest:
	default:
		bad.Add("sort", "must be score, -score or newest")
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		bad.Add("limit", "must be between 1 and 200")
	}
	after, ok := decodePairCursor(q.Cursor)
	if !ok {
		bad.Add("cursor", "must be a next_cursor this list gave")
	}
	if err := bad.Err(); err != nil {
		return DuplicatePage{}, err
	}
	var page DuplicatePage
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM duplicate_pairs WHERE score >= ?`, q.MinScore).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("lead store: count duplicates: %w", err)
	}
	where, args := "score >= ?", []any{q.MinScore}
	order := "score DESC, lead_a, lead_b"
	switch q.Sort {
	case SortScoreAsc:
		order = "score, lead_a, lead_b"
	case SortNewest:
		order = "lead_b DESC, lead_a DESC"
	}
	if after != nil {
		switch q.Sort {
		case SortNewest:
			where += " AND (lead_b < ? OR (lead_b = ? AND lead_a < ?))"
			args = append(args, after.B, after.B, after.A)
		case SortScoreAsc:
			where += " AND (score > ? OR (score = ? AND (lead_a > ? OR (lead_a = ? AND lead_b > ?))))"
			args = append(args, after.Score, after.Score, after.A, after.A, after.B)
		default:
			where += " AND (score < ? OR (score = ? AND (lead_a > ? OR (lead_a = ? AND lead_b > ?))))"
			args = append(args, after.Score, after.Score, after.A, after.A, after.B)
		}
	}
	rows, err := s.db.R.Query(ctx, `SELECT lead_a, lead_b, score FROM duplicate_pairs WHERE `+where+` ORDER BY `+order+` LIMIT ?`,
		append(args, q.Limit+1)...)
	if err != nil {
		return page, fmt.Errorf("lead store: duplicates: %w", err)
	}
	var ms []identity.Match
	for rows.Next() {
		var m identity.Match
		if err := rows.Scan(&m.A, &m.B, &m.Score); err != nil {
			rows.Close()
			return page, err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(ms) > q.Limit {
		ms = ms[:q.Limit]
		page.Next = encodePairCursor(ms[q.Limit-1])
	}
	for _, m := range ms {
		la, err := getLead(ctx, s.db.R, m.A)
		if err != nil {
			return DuplicatePage{}, err
		}
		lb, err := getLead(ctx, s.db.R, m.B)
		if err != nil {
			return DuplicatePage{}, err
		}
		why := identity.Default.Compare(recordOf(la), recordOf(lb))
		page.Pairs = append(page.Pairs, Pair{A: la, B: lb, Score: m.Score, Verdict: identity.Default.Verdict(m.Score), Fields: why.Fields})
	}
	return page, nil
}

// fromAnswers adds to r what forms and imports keep as custom answers: a
// birth date, and a house number or second address line kept apart from
// the street.
func fromAnswers(r *identity.Record, custom string) {
	var c map[string]string
	if json.Unmarshal([]byte(custom), &c) != nil {
		return
	}
	r.Street = strings.TrimSpace(c["street_number"] + " " + r.Street + " " + c["street2"])
	r.BirthDate = c["birth_date"]
}

func encodePairCursor(m identity.Match) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatFloat(m.Score, 'f', -1, 64) + ":" +
		strconv.FormatInt(m.A, 10) + ":" + strconv.FormatInt(m.B, 10)))
}

func decodePairCursor(s string) (*identity.Match, bool) {
	if s == "" {
		return nil, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 {
		return nil, false
	}
	score, err1 := strconv.ParseFloat(parts[0], 64)
	a, err2 := strconv.ParseInt(parts[1], 10, 64)
	b, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	return &identity.Match{Score: score, A: a, B: b}, true
}

// Dismiss records that leads x and y are two people: the pair leaves the
// review queue for good.
func (s *Service) Dismiss(ctx context.Context, a access.Actor, x, y int64) error {
	if !a.CanDeleteLeads() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users review duplicates")
	}
	if x == y {
		return &fault.Error{Code: fault.Invalid, Message: "a lead is not a duplicate of itself",
			Fields: map[string]string{"b": "must be another lead"}}
	}
	x, y = min(x, y), max(x, y)
	now := s.now().UTC().UnixMilli()
	var by any // a system actor has no user row
	if a.ID != 0 {
		by = a.ID
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, _, err := lockPair(ctx, tx, x, y); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO duplicate_dismissals (lead_a, lead_b, dismissed_by, dismissed_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (lead_a, lead_b) DO NOTHING`, x, y, by, now); err != nil {
			return fmt.Errorf("lead store: dismiss pair: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM duplicate_pairs WHERE lead_a = ? AND lead_b = ?`, x, y); err != nil {
			return fmt.Errorf("lead store: dismiss pair: %w", err)
		}
		return audit.Record(ctx, tx, a, "lead.not_duplicate", "lead", x, map[string]any{"other_lead": y})
	})
}

// KindMerged is the timeline entry of a lead that absorbed another.
const KindMerged = "merged"

// Merge folds lead otherID into survivorID: the survivor keeps its values,
// fills its empty fields from the other, records where they disagreed,
// takes over the other's timeline, events and submissions, and the other
// is deleted.
func (s *Service) Merge(ctx context.Context, a access.Actor, survivorID, otherID int64) (Lead, error) {
	return s.MergeMany(ctx, a, MergeRequest{Keep: survivorID, Others: []int64{otherID}})
}

// MergeRequest says which leads become one: Keep survives, Others are
// folded into it. Pick chooses, field by field, the lead whose value the
// survivor takes (a field not picked keeps the survivor's value, or is
// filled from the others when the survivor has none).
type MergeRequest struct {
	Keep   int64
	Others []int64
	Pick   map[string]int64
}

// pickable are the fields a reviewer chooses between when merging; stage
// and owner have rules of their own and are changed on the merged lead.
var pickable = map[string]bool{
	FEmail: true, FFirstName: true, FLastName: true, FPhone: true, FCompany: true, FJobTitle: true,
	FEmployees: true, FIndustry: true, FCountry: true, FCity: true, FWebsite: true, FSource: true,
	FSalutation: true, FStreet: true, FPostalCode: true, FRegion: true,
	FUTMSource: true, FUTMMedium: true, FUTMCampaign: true,
}

func (r MergeRequest) check() error {
	bad := fault.Fields{}
	if r.Keep <= 0 {
		bad.Add("keep", "is required")
	}
	if len(r.Others) == 0 {
		bad.Add("others", "must name at least one lead to merge")
	}
	seen := map[int64]bool{r.Keep: true}
	for i, o := range r.Others {
		if seen[o] {
			bad.Add("others."+strconv.Itoa(i), "names a lead twice, or the one kept")
		}
		seen[o] = true
	}
	for f, id := range r.Pick {
		switch {
		case !pickable[f]:
			bad.Add("pick."+f, "is not a field a merge chooses")
		case !seen[id]:
			bad.Add("pick."+f, "must be one of the leads being merged")
		}
	}
	return bad.Err()
}

// MergeMany folds every lead of r.Others into r.Keep, in one transaction:
// each other lead's timeline (stage history and score ledger included),
// events, submissions, consent, email, activities, requests and
// enrolments move to the survivor, values picked by the reviewer are
// taken, the values not taken are kept side by side on the survivor's
// timeline as conflicts, and the others are deleted.
func (s *Service) MergeMany(ctx context.Context, a access.Actor, r MergeRequest) (Lead, error) {
	if !a.CanDeleteLeads() {
		return Lead{}, fault.Errorf(fault.Forbidden, "only admin and marketing users merge leads")
	}
	if len(r.Others) == 1 && r.Others[0] == r.Keep {
		return Lead{}, &fault.Error{Code: fault.Invalid, Message: "a lead cannot be merged into itself",
			Fields: map[string]string{"other_id": "must be another lead"}}
	}
	if err := r.check(); err != nil {
		return Lead{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var merged Lead
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		leads, err := lockAll(ctx, tx, append([]int64{r.Keep}, r.Others...))
		if err != nil {
			return err
		}
		mergeID, err := beginMerge(ctx, tx, a, r.Keep, r.Others, now)
		if err != nil {
			return err
		}
		var snap mergeSnapshot
		if snap.Before, err = leadRow(ctx, tx, r.Keep); err != nil {
			return err
		}
		m := leads[r.Keep]
		for _, id := range r.Others {
			var ab absorbed
			if m, ab, err = s.fold(ctx, tx, a, m, leads[id], mergeID, now); err != nil {
				return err
			}
			snap.Absorbed = append(snap.Absorbed, ab)
		}
		if m, err = s.applyPicks(ctx, tx, a, m, leads, r.Pick, now); err != nil {
			return err
		}
		if err := updateLead(ctx, tx, &m); err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, &m, "merge of "+idList(r.Others), now); err != nil {
			return err
		}
		if snap.After, err = leadRow(ctx, tx, r.Keep); err != nil {
			return err
		}
		merged = m
		return finishMerge(ctx, tx, mergeID, snap)
	})
	return merged, err
}

// fold merges lead other into m inside tx and deletes other.
func (s *Service) fold(ctx context.Context, tx *sqldb.Tx, a access.Actor, m, other Lead, mergeID int64, now time.Time) (Lead, absorbed, error) {
	id := other.ID
	var ab absorbed
	var err error
	if ab.Row, err = leadRow(ctx, tx, id); err != nil {
		return m, ab, err
	}
	m, filled, conflicts := Merge(m, other, other.Values(), now)
	m.UpdatedAt = now
	if other.CreatedAt.Before(m.CreatedAt) {
		m.CreatedAt = other.CreatedAt // the person was known since the earlier record
	}
	if ab.Moved, ab.Qualification, err = moveHistory(ctx, tx, id, m.ID); err != nil {
		return m, ab, err
	}
	if ab.Stayed, err = snapshotStayed(ctx, tx, id); err != nil {
		return m, ab, err
	}
	if err := deleteLead(ctx, tx, id); err != nil {
		return m, ab, err
	}
	if err := audit.Record(ctx, tx, a, "lead.merge", "lead", m.ID, map[string]any{"merged_lead": id, "merge": mergeID, "filled": audit.Fields(filled)}); err != nil {
		return m, ab, err
	}
	detail := map[string][2]string{"merged_lead": {strconv.FormatInt(id, 10), other.Email}, "merge": {strconv.FormatInt(mergeID, 10), ""}}
	for f, d := range filled {
		detail[f] = d
	}
	if err := insertChange(ctx, tx, Change{LeadID: m.ID, At: now, Kind: KindMerged, Detail: detail}, a.ID); err != nil {
		return m, ab, err
	}
	if len(conflicts) > 0 {
		c := Change{LeadID: m.ID, At: now, Kind: KindConflict, Detail: conflicts, Reason: "merge of lead " + strconv.FormatInt(id, 10)}
		if err := insertChange(ctx, tx, c, a.ID); err != nil {
			return m, ab, err
		}
	}
	return m, ab, nil
}

// applyPicks gives m the values the reviewer chose from the merged leads
// and records each choice on the timeline, with the value it replaced.
func (s *Service) applyPicks(ctx context.Context, tx *sqldb.Tx, a access.Actor, m Lead, leads map[int64]Lead, pick map[string]int64, now time.Time) (Lead, error) {
	c := Changes{}
	for f, id := range pick {
		if v := leads[id].Values()[f]; v != m.Values()[f] {
			c[f] = v
		}
	}
	if len(c) == 0 {
		return m, nil
	}
	before := m
	m, bad := Apply(m, c, now)
	if err := bad.Err(); err != nil {
		return before, err
	}
	d := Diff(before, m)
	if len(d) == 0 {
		return m, nil
	}
	return m, insertChange(ctx, tx, Change{LeadID: m.ID, At: now, Kind: KindUpdated, Detail: d, Reason: "values chosen in a merge"}, a.ID)
}

// pairsFrom reads the stored pairs scoring at least minScore.
func (s *Service) pairsFrom(ctx context.Context, minScore float64) ([]identity.Match, error) {
	rows, err := s.db.R.Query(ctx, `SELECT lead_a, lead_b, score FROM duplicate_pairs WHERE score >= ? ORDER BY lead_a, lead_b`, minScore)
	if err != nil {
		return nil, fmt.Errorf("lead store: duplicates: %w", err)
	}
	defer rows.Close()
	var out []identity.Match
	for rows.Next() {
		var m identity.Match
		if err := rows.Scan(&m.A, &m.B, &m.Score); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// lockAll reads and locks the given leads in id order, so merges that
// share a lead wait for each other instead of deadlocking.
func lockAll(ctx context.Context, tx *sqldb.Tx, ids []int64) (map[int64]Lead, error) {
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	out := make(map[int64]Lead, len(ids))
	for _, id := range sorted {
		l, err := lockLead(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out[id] = l
	}
	return out, nil
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "lead " + strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// lockPair reads and locks leads a and b, the lower id first, so two
// merges of the same pair at once wait for each other instead of each
// holding the lock the other needs.
func lockPair(ctx context.Context, tx *sqldb.Tx, a, b int64) (la, lb Lead, err error) {
	first, second := &la, &lb
	if b < a {
		first, second, a, b = &lb, &la, b, a
	}
	if *first, err = lockLead(ctx, tx, a); err != nil {
		return la, lb, err
	}
	*second, err = lockLead(ctx, tx, b)
	return la, lb, err
}

// moveHistory gives lead from's timeline (stage history and score ledger
// included), events, submissions, consent history, email, activities,
// software requests and projects, hand-offs, hand-over to an account
// executive, qualification and sequence enrolments to lead to, and
// returns the ids of the rows it moved, per table, so that the merge can
// be undone. Where to may hold only one (one request, one enrolment per
// sequence, one hand-off per solution, one hand-over, one
// qualification), to's own is kept and from's goes with from.
func moveHistory(ctx context.Context, tx *sqldb.Tx, from, to int64) (moved map[string][]int64, qualification bool, err error) {
	moved = map[string][]int64{}
	move := func(table, q string, args ...any) error {
		rows, err := tx.Query(ctx, q+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("lead store: merge %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("lead store: merge %s: %w", table, err)
			}
			moved[table] = append(moved[table], id)
		}
		return rows.Err()
	}
	for _, table := range []string{"lead_changes", "events", "submissions", "consent_records", "mail_outbox", "activities", "projects", "value_reviews"} {
		if err := move(table, `UPDATE `+table+` SET lead_id = ? WHERE lead_id = ?`, to, from); err != nil {
			return nil, false, err
		}
	}
	for _, t := range []struct{ table, same string }{{"software_requests", ""}, {"enrolments", "sequence_id"}, {"handoffs", "solution_id"}, {"handovers", ""}} {
		q := `UPDATE ` + t.table + ` SET lead_id = ? WHERE lead_id = ? AND NOT EXISTS (SELECT 1 FROM ` + t.table + ` t WHERE t.lead_id = ?`
		if t.same != "" {
			q += ` AND t.` + t.same + ` = ` + t.table + `.` + t.same
		}
		if err := move(t.table, q+`)`, to, from, to); err != nil {
			return nil, false, err
		}
	}
	res, err := tx.Exec(ctx, `UPDATE lead_qualifications SET lead_id = ? WHERE lead_id = ?
		AND NOT EXISTS (SELECT 1 FROM lead_qualifications t WHERE t.lead_id = ?)`, to, from, to)
	if err != nil {
		return nil, false, fmt.Errorf("lead store: merge lead_qualifications: %w", err)
	}
	n, _ := res.RowsAffected()
	return moved, n > 0, nil
}

// AcceptAbove merges every pair in the review queue scoring at least
// minScore (no lower than the probable threshold): pairs that share a
// lead become one group, and each group is merged into its oldest lead,
// one transaction per group. It returns how many leads were merged away.
func (s *Service) AcceptAbove(ctx context.Context, a access.Actor, minScore float64) (int, error) {
	if !a.CanDeleteLeads() {
		return 0, fault.Errorf(fault.Forbidden, "only admin and marketing users merge leads")
	}
	if minScore < identity.Default.Probable {
		return 0, &fault.Error{Code: fault.Invalid, Message: "the score is below the probable-duplicate threshold",
			Fields: map[string]string{"min_score": "must be at least " + strconv.FormatFloat(identity.Default.Probable, 'f', -1, 64)}}
	}
	matches, err := s.pairsFrom(ctx, minScore)
	if err != nil {
		return 0, err
	}
	parent := map[int64]int64{}
	var root func(int64) int64
	root = func(x int64) int64 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := root(p)
		parent[x] = r
		return r
	}
	for _, m := range matches {
		if m.Score >= minScore {
			ra, rb := root(m.A), root(m.B)
			parent[max(ra, rb)] = min(ra, rb) // the oldest lead leads the group
			parent[min(ra, rb)] = min(ra, rb)
		}
	}
	groups := map[int64][]int64{}
	for x := range parent {
		if r := root(x); r != x {
			groups[r] = append(groups[r], x)
		}
	}
	keeps := make([]int64, 0, len(groups))
	for k := range groups {
		keeps = append(keeps, k)
	}
	sort.Slice(keeps, func(i, j int) bool { return keeps[i] < keeps[j] })
	merged := 0
	for _, k := range keeps {
		others := groups[k]
		sort.Slice(others, func(i, j int) bool { return others[i] < others[j] })
		if _, err := s.MergeMany(ctx, a, MergeRequest{Keep: k, Others: others}); err != nil {
			if fault.CodeOf(err) == fault.NotFound {
				continue // merged or deleted meanwhile by someone else
			}
			return merged, err
		}
		merged += len(others)
	}
	return merged, nil
}

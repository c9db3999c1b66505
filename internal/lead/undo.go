package lead

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// KindMergeUndone is the timeline entry of a merge taken back, on the
// survivor and on each lead it gave back.
const KindMergeUndone = "merge_undone"

// mergeSnapshot is what a merge changed: enough to put every lead back.
type mergeSnapshot struct {
	Before   row        `json:"before"` // the survivor's row before the merge
	After    row        `json:"after"`  // and right after it
	Absorbed []absorbed `json:"absorbed"`
}

// absorbed is one lead a merge folded into the survivor.
type absorbed struct {
	Row           row                `json:"row"`
	Moved         map[string][]int64 `json:"moved"`         // table -> ids of rows now the survivor's
	Qualification bool               `json:"qualification"` // its qualification went to the survivor
	Stayed        []stayedRows       `json:"stayed"`        // rows deleted with it, in restore order
}

type stayedRows struct {
	Table string `json:"table"`
	Rows  []row  `json:"rows"`
}

// stayedTables are the rows a merged lead keeps (the survivor holds one
// of its own already) and that go with it when it is deleted, parents
// first; each condition takes the lead's id for every ?.
var stayedTables = []struct{ table, where string }{
	{"software_requests", "lead_id = ?"},
	{"lead_qualifications", "lead_id = ?"},
	{"enrolments", "lead_id = ?"},
	{"handoffs", "lead_id = ?"},
	{"handovers", "lead_id = ?"},
	{"webhook_deliveries", "lead_id = ?"},
	{"webhook_attempts", "delivery_id IN (SELECT id FROM webhook_deliveries WHERE lead_id = ?)"},
	{"duplicate_dismissals", "lead_a = ? OR lead_b = ?"},
	// The lead's link to its company's account (or the record that a user
	// undid it, which keeps a later arrival from linking it again).
	{"account_links", "lead_id = ?"},
}

// derivedColumns follow from the rest (or from time) and never make an
// undo unsafe.
var derivedColumns = map[string]bool{"version": true, "score": true, "grade": true, "updated_at": true}

func leadRow(ctx context.Context, q sqldb.Querier, id int64) (row, error) {
	rs, err := readRows(ctx, q, `SELECT * FROM leads WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("lead store: read row of %d: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, fault.Errorf(fault.NotFound, "lead %d not found", id)
	}
	return rs[0], nil
}

// snapshotStayed reads the rows that will be deleted with lead id.
func snapshotStayed(ctx context.Context, q sqldb.Querier, id int64) ([]stayedRows, error) {
	var out []stayedRows
	for _, st := range stayedTables {
		args := make([]any, strings.Count(st.where, "?"))
		for i := range args {
			args[i] = id
		}
		rs, err := readRows(ctx, q, `SELECT * FROM `+st.table+` WHERE `+st.where, args...)
		if err != nil {
			return nil, fmt.Errorf("lead store: keep %s of %d: %w", st.table, id, err)
		}
		if len(rs) > 0 {
			out = append(out, stayedRows{Table: st.table, Rows: rs})
		}
	}
	return out, nil
}

// beginMerge stores the record of a merge before it runs, so that its
// timeline entries can name it; finishMerge fills in what it changed.
func beginMerge(ctx context.Context, tx *sqldb.Tx, a access.Actor, keep int64, others []int64, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO lead_merges (lead_id, merged_at, merged_by, absorbed, snapshot)
		VALUES (?, ?, ?, ?, '{}') RETURNING id`, keep, now.UnixMilli(), idOrNull(a.ID), joinIDs(others)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("lead store: record merge: %w", err)
	}
	return id, nil
}

func finishMerge(ctx context.Context, tx *sqldb.Tx, id int64, snap mergeSnapshot) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("lead store: record merge %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE lead_merges SET snapshot = ? WHERE id = ?`, string(b), id); err != nil {
		return fmt.Errorf("lead store: record merge %d: %w", id, err)
	}
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// MergeRecord is one merge as the timeline and the API show it.
type MergeRecord struct {
	ID       int64
	LeadID   int64 // the survivor
	Absorbed []int64
	MergedAt time.Time
	UndoneAt *time.Time
}

// Merges lists the merges that lead id survived, newest first.
func (s *Service) Merges(ctx context.Context, a access.Actor, id int64) ([]MergeRecord, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT id, lead_id, absorbed, merged_at, undone_at FROM lead_merges
		WHERE lead_id = ? ORDER BY id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("lead store: merges of %d: %w", id, err)
	}
	defer rows.Close()
	var out []MergeRecord
	for rows.Next() {
		var m MergeRecord
		var abs string
		var at int64
		var undone sql.NullInt64
		if err := rows.Scan(&m.ID, &m.LeadID, &abs, &at, &undone); err != nil {
			return nil, err
		}
		m.Absorbed = splitIDs(abs)
		m.MergedAt, m.UndoneAt = time.UnixMilli(at).UTC(), timeOf(undone)
		out = append(out, m)
	}
	return out, rows.Err()
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// UndoResult is the survivor after an undo and the leads it gave back.
type UndoResult struct {
	Lead     Lead
	Restored []Lead
}

func undoRefused(msg string, fields map[string]string) error {
	return &fault.Error{Code: fault.Conflict, Message: "This merge cannot be undone: " + msg, Fields: fields}
}

// UndoMerge puts the leads of merge id back as they were before it: the
// absorbed leads return (under their own ids when free), with every row
// that moved to the survivor and every row deleted with them, and the
// survivor gets back the values the merge changed. It refuses, with the
// reason, when something done since would be lost or overwritten: the
// survivor was merged again or deleted, one of the values the merge set
// was edited since, a moved row now belongs to another lead, or another
// lead took an absorbed lead's email.
func (s *Service) UndoMerge(ctx context.Context, a access.Actor, id int64) (UndoResult, error) {
	if !a.CanDeleteLeads() {
		return UndoResult{}, fault.Errorf(fault.Forbidden, "only admin and marketing users undo merges")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var res UndoResult
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var survivor int64
		var snapJSON string
		var undone sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT lead_id, snapshot, undone_at FROM lead_merges WHERE id = ?`+tx.ForUpdate(), id).
			Scan(&survivor, &snapJSON, &undone)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "merge %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("lead store: read merge %d: %w", id, err)
		}
		if undone.Valid {
			return undoRefused("it was undone already", nil)
		}
		var snap mergeSnapshot
		if err := json.Unmarshal([]byte(snapJSON), &snap); err != nil || snap.Before == nil {
			return undoRefused("it was made before merges were recorded", nil)
		}
		if _, err := lockLead(ctx, tx, survivor); err != nil {
			if fault.CodeOf(err) == fault.NotFound {
				return undoRefused(fmt.Sprintf("lead %d was merged into another lead or deleted since", survivor), nil)
			}
			return err
		}
		restored, err := s.undo(ctx, tx, survivor, snap)
		if err != nil {
			return err
		}
		back, err := lockLead(ctx, tx, survivor)
		if err != nil {
			return err
		}
		if err := indexWords(ctx, tx, back, false); err != nil {
			return err
		}
		if err := checkIdentity(ctx, tx, back, now.UnixMilli()); err != nil {
			return err
		}
		for _, rid := range restored {
			l, err := lockLead(ctx, tx, rid)
			if err != nil {
				return err
			}
			if err := s.rescoreTx(ctx, tx, &l, "merge undone", now); err != nil {
				return err
			}
			if err := indexWords(ctx, tx, l, false); err != nil {
				return err
			}
			if err := checkIdentity(ctx, tx, l, now.UnixMilli()); err != nil {
				return err
			}
			if err := insertChange(ctx, tx, Change{LeadID: rid, At: now, Kind: KindMergeUndone, Reason: "merge undone",
				Detail: map[string][2]string{"merge": {strconv.FormatInt(id, 10), ""}, "survivor": {strconv.FormatInt(survivor, 10), ""}}}, a.ID); err != nil {
				return err
			}
			res.Restored = append(res.Restored, l)
		}
		l, err := lockLead(ctx, tx, survivor)
		if err != nil {
			return err
		}
		if err := s.rescoreTx(ctx, tx, &l, "merge undone", now); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, Change{LeadID: survivor, At: now, Kind: KindMergeUndone, Reason: "merge undone",
			Detail: map[string][2]string{"merge": {strconv.FormatInt(id, 10), ""}, "restored_leads": {joinIDs(restored), ""}}}, a.ID); err != nil {
			return err
		}
		res.Lead = l
		if _, err := tx.Exec(ctx, `UPDATE lead_merges SET undone_at = ?, undone_by = ? WHERE id = ?`, now.UnixMilli(), idOrNull(a.ID), id); err != nil {
			return fmt.Errorf("lead store: undo merge %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "lead.merge_undone", "lead", survivor, map[string]any{"merge": id, "restored_leads": restored})
	})
	return res, err
}

// undo checks that merge snap can be taken back from the locked survivor
// and does it, returning the ids of the leads it restored.
func (s *Service) undo(ctx context.Context, tx *sqldb.Tx, survivor int64, snap mergeSnapshot) ([]int64, error) {
	current, err := leadRow(ctx, tx, survivor)
	if err != nil {
		return nil, err
	}
	var changed []string
	later := map[string]string{}
	for c, before := range snap.Before {
		if derivedColumns[c] || same(before, snap.After[c]) {
			continue
		}
		changed = append(changed, c)
		if !same(current[c], snap.After[c]) && !strings.HasSuffix(c, "_sort") {
			later[c] = "was changed after the merge"
		}
	}
	if len(later) > 0 {
		return nil, undoRefused(fmt.Sprintf("lead %d was edited since (%s)", survivor, strings.Join(sortedKeys(later), ", ")), later)
	}
	for _, ab := range snap.Absorbed {
		if err := checkMovedRows(ctx, tx, survivor, ab); err != nil {
			return nil, err
		}
		if email, _ := ab.Row["email"].(string); email != "" {
			var other int64
			err := tx.QueryRow(ctx, `SELECT id FROM leads WHERE `+emailIs+` AND id <> ?`, email, survivor).Scan(&other)
			if err == nil {
				return nil, undoRefused(fmt.Sprintf("lead %d has the email %s now", other, email), map[string]string{FEmail: "is used by lead " + strconv.FormatInt(other, 10)})
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("lead store: undo merge: %w", err)
			}
		}
	}
	// The survivor first gives back what it took, its email above all.
	if len(changed) > 0 {
		sort.Strings(changed)
		set := make([]string, len(changed))
		vals := make([]any, 0, len(changed)+1)
		for i, c := range changed {
			set[i] = c + " = ?"
			vals = append(vals, snap.Before[c])
		}
		if _, err := tx.Exec(ctx, `UPDATE leads SET `+strings.Join(set, ", ")+`, version = version + 1 WHERE id = ?`, append(vals, survivor)...); err != nil {
			return nil, fmt.Errorf("lead store: undo merge into %d: %w", survivor, err)
		}
	}
	var restored []int64
	for _, ab := range snap.Absorbed {
		id, err := restoreAbsorbed(ctx, tx, survivor, ab)
		if err != nil {
			return nil, err
		}
		restored = append(restored, id)
	}
	return restored, nil
}

// checkMovedRows refuses when a row the merge moved to the survivor
// belongs to another lead now; rows deleted since stay deleted.
func checkMovedRows(ctx context.Context, tx *sqldb.Tx, survivor int64, ab absorbed) error {
	for _, table := range sortedKeys(ab.Moved) {
		for _, ids := range chunks(ab.Moved[table], 500) {
			var n int
			err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id IN (`+placeholders(len(ids))+`) AND lead_id <> ?`,
				append(anyIDs(ids), survivor)...).Scan(&n)
			if err != nil {
				return fmt.Errorf("lead store: undo merge: check %s: %w", table, err)
			}
			if n > 0 {
				return undoRefused(fmt.Sprintf("%d %s moved from lead %d to another lead since", n, strings.ReplaceAll(table, "_", " "), survivor), nil)
			}
		}
	}
	return nil
}

// restoreAbsorbed writes one absorbed lead back with the rows deleted
// with it and takes back the rows that moved. Its id comes back unless
// another lead has it (SQLite hands out the highest id again); then the
// lead gets a new one.
func restoreAbsorbed(ctx context.Context, tx *sqldb.Tx, survivor int64, ab absorbed) (int64, error) {
	old, _ := ab.Row["id"].(int64)
	r := row{}
	for k, v := range ab.Row {
		r[k] = v
	}
	var taken int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE id = ?`, old).Scan(&taken); err != nil {
		return 0, fmt.Errorf("lead store: undo merge: %w", err)
	}
	id := old
	if taken > 0 {
		delete(r, "id")
		cols := sortedKeys(r)
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = r[c]
		}
		if err := tx.QueryRow(ctx, `INSERT INTO leads (`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(cols))+`) RETURNING id`, vals...).Scan(&id); err != nil {
			return 0, restoreErr(err)
		}
	} else if err := writeRow(ctx, tx, "leads", r); err != nil {
		return 0, restoreErr(err)
	}
	for _, st := range ab.Stayed {
		for _, sr := range st.Rows {
			if st.Table == "duplicate_dismissals" {
				if !reown(sr, old, id, "lead_a", "lead_b") {
					continue // the other lead is gone
				}
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE id IN (?, ?)`, sr["lead_a"], sr["lead_b"]).Scan(&n); err != nil || n < 2 {
					continue
				}
			} else if st.Table == "account_links" {
				// An account deleted since takes its links with it, as it
				// would have had the lead stayed.
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE id = ?`, sr["account_id"]).Scan(&n); err != nil || n == 0 {
					continue
				}
				if v, _ := sr["undone_by"].(int64); v != 0 {
					var u int
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, v).Scan(&u); err != nil || u == 0 {
						sr["undone_by"] = nil
					}
				}
				reown(sr, old, id, "lead_id")
			} else {
				reown(sr, old, id, "lead_id")
			}
			if err := writeRow(ctx, tx, st.Table, sr); err != nil {
				return 0, err
			}
		}
	}
	for _, table := range sortedKeys(ab.Moved) {
		for _, ids := range chunks(ab.Moved[table], 500) {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET lead_id = ? WHERE lead_id = ? AND id IN (`+placeholders(len(ids))+`)`,
				append([]any{id, survivor}, anyIDs(ids)...)...); err != nil {
				return 0, fmt.Errorf("lead store: undo merge: move back %s: %w", table, err)
			}
		}
	}
	if ab.Qualification {
		if _, err := tx.Exec(ctx, `UPDATE lead_qualifications SET lead_id = ? WHERE lead_id = ?`, id, survivor); err != nil {
			return 0, fmt.Errorf("lead store: undo merge: move back qualification: %w", err)
		}
	}
	return id, nil
}

func restoreErr(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return undoRefused("another lead has the email of a merged lead now", map[string]string{FEmail: "is used by another lead"})
	}
	return fmt.Errorf("lead store: undo merge: restore lead: %w", err)
}

// reown points the columns of r that held lead old at lead id instead,
// and reports whether r names old at all.
func reown(r row, old, id int64, cols ...string) bool {
	found := false
	for _, c := range cols {
		if v, _ := r[c].(int64); v == old {
			r[c], found = id, true
		}
	}
	if len(cols) == 2 && found && r[cols[0]].(int64) > r[cols[1]].(int64) {
		r[cols[0]], r[cols[1]] = r[cols[1]], r[cols[0]] // the lower id first
	}
	return found
}

// same compares two stored values, whichever way the driver or JSON gave
// them (a SQLite boolean is a number).
func same(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// chunks cuts xs into runs of at most n.
func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

package segment

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/job"
	"leadflow/internal/sqldb"
)

// JobKind is the membership job: it fills new and edited segments and
// brings members up to date with the change feed.
const JobKind = "segment.sync"

// Every is how often the membership job runs without being woken: the
// longest a lead change made outside a request (an import, a rescore)
// takes to show in segments.
const Every = time.Minute

// Sizes of the job's transactions: a fill takes this many leads at a
// time, and a pass this many changes. Each is a short hold on SQLite's
// one writer.
const (
	fillChunk   = 5000
	changeBatch = 500
)

// windowsEvery is how often events leaving a time window are looked for:
// a window is days long, so a minute late is on time.
const windowsEvery = time.Minute

// Wake enqueues the membership job to run now, once however many
// instances and requests ask within the same second, wakes r, and
// returns the job's id.
func Wake(ctx context.Context, r *job.Runner) (int64, error) {
	now := time.Now()
	return r.Enqueue(ctx, JobKind, nil, job.EnqueueOptions{Unique: JobKind + "@now" + strconv.FormatInt(now.Unix(), 10), MaxAttempts: 3})
}

// Syncer keeps segment_members in step with the leads.
type Syncer struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewSyncer returns a Syncer over db.
func NewSyncer(db *sqldb.DB) *Syncer { return &Syncer{db: db, now: time.Now} }

// SetClock replaces the clock, for tests of time windows.
func (s *Syncer) SetClock(now func() time.Time) { s.now = now }

// keepDone is how long finished membership jobs stay listed: they are
// enqueued as often as once a second while leads change.
const keepDone = 10 * time.Minute

// Handler runs the membership job, then forgets its own finished runs
// older than keepDone.
func (s *Syncer) Handler(ctx context.Context, _ job.Job) error {
	if _, err := s.Run(ctx); err != nil {
		return err
	}
	_, err := job.PurgeKind(ctx, s.db.W, JobKind, time.Now().Add(-keepDone))
	return err
}

// Stats says what one run did.
type Stats struct {
	Filled   int // fill transactions (chunks)
	Changes  int // change rows read
	Entered  int64
	Left     int64
	Windowed int // changes added for events that left a window
}

// Run brings every segment up to date: events that left a window since
// the last look, then fills, then the change feed, until nothing is left
// or ctx ends. Each step is a transaction of its own under the sync lock,
// so a run cut short resumes where it stopped, and two runs at once (two
// instances) take turns instead of doing the work twice.
func (s *Syncer) Run(ctx context.Context) (Stats, error) {
	var st Stats
	n, err := s.windows(ctx)
	st.Windowed = n
	if err != nil {
		return st, err
	}
	// A look on the read pool first: most runs find nothing to do, and on
	// SQLite every transaction here, even one that changes nothing, takes
	// the one writer.
	var work int
	err = s.db.R.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM segment_changes LIMIT 1) c)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM account_segment_changes LIMIT 1) ac)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM segments WHERE filled_at IS NULL LIMIT 1) f)`).Scan(&work)
	if err != nil || work == 0 {
		return st, err
	}
	for ctx.Err() == nil {
		more, err := s.fillStep(ctx, &st)
		if err != nil {
			return st, err
		}
		if !more {
			break
		}
		st.Filled++
	}
	for _, t := range []target{leadsTarget, accountsTarget} {
		for ctx.Err() == nil {
			n, err := s.changeStep(ctx, t, &st)
			if err != nil {
				return st, err
			}
			if n == 0 {
				break
			}
			st.Changes += n
		}
	}
	return st, ctx.Err()
}

// lockSync takes the membership lock for tx and returns the number of the
// transaction: every writer of memberships and segment definitions holds
// it, one at a time, so each reads what the one before committed.
func lockSync(ctx context.Context, tx *sqldb.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE segment_sync SET seq = seq + 1 WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("segment: lock: %w", err)
	}
	return nil
}

// begin locks and returns this transaction's seq.
func begin(ctx context.Context, tx *sqldb.Tx) (int64, error) {
	if err := lockSync(ctx, tx); err != nil {
		return 0, err
	}
	var seq int64
	err := tx.QueryRow(ctx, `SELECT seq FROM segment_sync WHERE id = 1`).Scan(&seq)
	return seq, err
}

// target is where a kind of segment keeps its members and reads its
// rows and changes.
type target struct {
	kind    string
	table   string // the rows a segment holds, aliased alias
	alias   string
	members string // membership rows, by id column idCol
	idCol   string
	changes string // the change feed
}

var (
	leadsTarget    = target{KindLeads, "leads", "l", "segment_members", "lead_id", "segment_changes"}
	accountsTarget = target{KindAccounts, "accounts", "a", "account_segment_members", "account_id", "account_segment_changes"}
)

func targetOf(seg Segment) target {
	if seg.Kind == KindAccounts {
		return accountsTarget
	}
	return leadsTarget
}

// scope restricts a reconcile to some rows: by id list or id range.
type scope struct {
	ids    []int64
	lo, hi int64 // lead ids in (lo, hi]; hi 0 for no upper bound
}

func (sc scope) sql(col string) (string, []any) {
	if sc.ids != nil {
		args := make([]any, len(sc.ids))
		for i, id := range sc.ids {
			args[i] = id
		}
		return col + " IN (" + marks(len(sc.ids)) + ")", args
	}
	if sc.hi == 0 {
		return col + " > ?", []any{sc.lo}
	}
	return col + " > ? AND " + col + " <= ?", []any{sc.lo, sc.hi}
}

// reconcile makes seg's members among the leads in sc exactly the leads
// that pass its conditions at now: new ones enter with seq, gone ones
// leave, and the count follows.
func (s *Syncer) reconcile(ctx context.Context, tx *sqldb.Tx, seg Segment, sc scope, seq int64, now time.Time) (entered, left int64, err error) {
	t := targetOf(seg)
	pred, pargs := where(seg, s.db.Dialect, now)
	inL, largs := sc.sql(t.alias + ".id")
	inM, margs := sc.sql(t.idCol)
	row := t.table + " " + t.alias

	args := []any{seg.ID, now.UnixMilli(), seq}
	args = append(args, largs...)
	args = append(args, pargs...)
	args = append(args, seg.ID)
	res, err := tx.Exec(ctx, `INSERT INTO `+t.members+` (segment_id, `+t.idCol+`, entered_at, seq)
		SELECT ?, `+t.alias+`.id, ?, ? FROM `+row+` WHERE `+inL+` AND (`+pred+`)
		AND NOT EXISTS (SELECT 1 FROM `+t.members+` m0 WHERE m0.segment_id = ? AND m0.`+t.idCol+` = `+t.alias+`.id)`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("segment %d: add members: %w", seg.ID, err)
	}
	entered, _ = res.RowsAffected()

	args = append([]any{seg.ID}, margs...)
	args = append(args, largs...)
	args = append(args, pargs...)
	res, err = tx.Exec(ctx, `DELETE FROM `+t.members+` WHERE segment_id = ? AND `+inM+`
		AND `+t.idCol+` NOT IN (SELECT `+t.alias+`.id FROM `+row+` WHERE `+inL+` AND (`+pred+`))`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("segment %d: remove members: %w", seg.ID, err)
	}
	left, _ = res.RowsAffected()
	if entered != left {
		if _, err := tx.Exec(ctx, `UPDATE segments SET members = members + ? WHERE id = ?`, entered-left, seg.ID); err != nil {
			return 0, 0, err
		}
	}
	return entered, left, nil
}

// ordered returns segs with every segment after the segments it tests
// membership of, so one pass settles a lead in all of them. Validation
// refuses loops; were there one, its segments keep their id order.
func ordered(segs []Segment) []Segment {
	byID := map[int64]Segment{}
	for _, s := range segs {
		byID[s.ID] = s
	}
	var out []Segment
	state := map[int64]int{} // 1 visiting, 2 done
	var visit func(s Segment)
	visit = func(s Segment) {
		if state[s.ID] != 0 {
			return
		}
		state[s.ID] = 1
		for _, ref := range s.refersTo() {
			if r, ok := byID[ref]; ok {
				visit(r)
			}
		}
		state[s.ID] = 2
		out = append(out, s)
	}
	for _, s := range segs {
		visit(s)
	}
	return out
}

// fillStep fills one chunk of the first segment, in dependency order,
// that is not filled, and reports whether there was one.
func (s *Syncer) fillStep(ctx context.Context, st *Stats) (bool, error) {
	var did bool
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		did = false
		seq, err := begin(ctx, tx)
		if err != nil {
			return err
		}
		all, err := list(ctx, tx)
		if err != nil {
			return err
		}
		var seg Segment
		for _, c := range ordered(all) {
			if !c.Filled {
				seg, did = c, true
				break
			}
		}
		if !did {
			return nil
		}
		var after int64
		if err := tx.QueryRow(ctx, `SELECT fill_after FROM segments WHERE id = ?`, seg.ID).Scan(&after); err != nil {
			return err
		}
		var hi *int64
		if err := tx.QueryRow(ctx, `SELECT MAX(id) FROM (SELECT id FROM `+targetOf(seg).table+` WHERE id > ? ORDER BY id LIMIT ?) c`, after, fillChunk).Scan(&hi); err != nil {
			return err
		}
		now := s.now()
		if hi == nil {
			// The last chunk: members past the last lead were deleted.
			e, l, err := s.reconcile(ctx, tx, seg, scope{lo: after}, seq, now)
			if err != nil {
				return err
			}
			st.Entered, st.Left = st.Entered+e, st.Left+l
			// Naming the version read keeps a fill of an old definition
			// from marking the new one filled (Update holds the sync lock
			// too, so this is a second guard).
			if _, err := tx.Exec(ctx, `UPDATE segments SET filled_at = ? WHERE id = ? AND version = ?`, now.UnixMilli(), seg.ID, seg.Version); err != nil {
				return err
			}
			return s.refillDependents(ctx, tx, all, seg.ID)
		}
		e, l, err := s.reconcile(ctx, tx, seg, scope{lo: after, hi: *hi}, seq, now)
		if err != nil {
			return err
		}
		st.Entered, st.Left = st.Entered+e, st.Left+l
		_, err = tx.Exec(ctx, `UPDATE segments SET fill_after = ? WHERE id = ? AND version = ?`, *hi, seg.ID, seg.Version)
		return err
	})
	return did, err
}

// refillDependents starts the fill again of every segment that tests
// membership of id, directly or through others: their members were
// judged against id's old members.
func (s *Syncer) refillDependents(ctx context.Context, tx *sqldb.Tx, all []Segment, id int64) error {
	refs := map[int64][]int64{}
	for _, o := range all {
		refs[o.ID] = o.refersTo()
	}
	for _, o := range all {
		if o.ID != id && reaches(refs, o.ID, id) {
			if _, err := tx.Exec(ctx, `UPDATE segments SET fill_after = 0, filled_at = NULL WHERE id = ?`, o.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// changeStep takes the oldest changes of t's feed, settles their leads
// (accounts) in every segment of t's kind, and deletes the changes it
// read; it returns how many.
func (s *Syncer) changeStep(ctx context.Context, t target, st *Stats) (int, error) {
	var n int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n = 0
		seq, err := begin(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, `+t.idCol+` FROM `+t.changes+` ORDER BY id LIMIT ?`, changeBatch)
		if err != nil {
			return err
		}
		var changeIDs, leadIDs []int64
		for rows.Next() {
			var id, leadID int64
			if err := rows.Scan(&id, &leadID); err != nil {
				rows.Close()
				return err
			}
			changeIDs = append(changeIDs, id)
			if !slices.Contains(leadIDs, leadID) {
				leadIDs = append(leadIDs, leadID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(changeIDs) == 0 {
			return nil
		}
		all, err := list(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		for _, seg := range ordered(all) {
			if seg.Kind != t.kind {
				continue
			}
			e, l, err := s.reconcile(ctx, tx, seg, scope{ids: leadIDs}, seq, now)
			if err != nil {
				return err
			}
			st.Entered, st.Left = st.Entered+e, st.Left+l
		}
		in, args := scope{ids: changeIDs}.sql("id")
		if _, err := tx.Exec(ctx, `DELETE FROM `+t.changes+` WHERE `+in, args...); err != nil {
			return err
		}
		n = len(changeIDs)
		return nil
	})
	return n, err
}

// windows adds to the feed the leads whose events left a segment's time
// window since the last look: "visited pricing twice in 14 days" stops
// holding when the older visit turns 15 days old, with no write to the
// lead. It looks at most once a windowsEvery.
func (s *Syncer) windows(ctx context.Context) (int, error) {
	var seen *int64
	if err := s.db.R.QueryRow(ctx, `SELECT windows_at FROM segment_sync WHERE id = 1`).Scan(&seen); err != nil {
		return 0, err
	}
	if seen != nil && s.now().UnixMilli()-*seen < windowsEvery.Milliseconds() {
		return 0, nil
	}
	var n int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n = 0
		if _, err := begin(ctx, tx); err != nil {
			return err
		}
		var last *int64
		if err := tx.QueryRow(ctx, `SELECT windows_at FROM segment_sync WHERE id = 1`).Scan(&last); err != nil {
			return err
		}
		now := s.now().UnixMilli()
		if last != nil && now-*last < windowsEvery.Milliseconds() {
			return nil
		}
		if last != nil {
			all, err := list(ctx, tx)
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, seg := range all {
				for _, c := range seg.Conditions {
					key := seg.Kind + "\x00" + c.EventType + "\x00" + strconv.Itoa(c.Days)
					if c.Field != FEvent || seen[key] {
						continue
					}
					seen[key] = true
					span := int64(c.Days) * 86400000
					typ, targs := " AND type = ?", []any{*last - span, now - span, c.EventType}
					if c.EventType == AnyEvent {
						typ, targs = "", targs[:2]
					}
					query := `INSERT INTO segment_changes (lead_id)
						SELECT DISTINCT lead_id FROM events WHERE occurred_at > ? AND occurred_at <= ?` + typ + ` AND lead_id IS NOT NULL`
					if seg.Kind == KindAccounts {
						// The accounts of the people whose events left.
						query = `INSERT INTO account_segment_changes (account_id)
							SELECT l.account_id FROM leads l WHERE l.account_id IS NOT NULL AND l.id IN (SELECT lead_id FROM events
								WHERE occurred_at > ? AND occurred_at <= ?` + typ + ` AND lead_id IS NOT NULL)
							UNION SELECT k.account_id FROM account_links k WHERE k.undone_at IS NULL AND k.lead_id IN (SELECT lead_id FROM events
								WHERE occurred_at > ? AND occurred_at <= ?` + typ + ` AND lead_id IS NOT NULL)`
						targs = append(targs, targs...)
					}
					res, err := tx.Exec(ctx, query, targs...)
					if err != nil {
						return fmt.Errorf("segment: window of %s: %w", strings.TrimSpace(c.EventType), err)
					}
					k, _ := res.RowsAffected()
					n += int(k)
				}
			}
		}
		_, err := tx.Exec(ctx, `UPDATE segment_sync SET windows_at = ? WHERE id = 1`, now)
		return err
	})
	return n, err
}

package lead

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/identity"
	"leadflow/internal/job"
	"leadflow/internal/sqldb"
)

// recordColumns are what identity compares, in scanRecord's order.
const recordColumns = `id, first_name, last_name, email, phone, company, city, country,
	street, postal_code, region, custom`

func scanRecord(s scanner) (identity.Record, error) {
	var r identity.Record
	var custom string
	err := s.Scan(&r.ID, &r.FirstName, &r.LastName, &r.Email, &r.Phone, &r.Company, &r.City, &r.Country,
		&r.Street, &r.PostalCode, &r.Region, &custom)
	if err == nil && len(custom) > 2 { // not "" or "{}"
		fromAnswers(&r, custom)
	}
	return r, err
}

// recordOf is what identity compares of l.
func recordOf(l Lead) identity.Record {
	return identity.Record{ID: l.ID, FirstName: l.FirstName, LastName: l.LastName, Email: l.Email, Phone: l.Phone,
		Company: l.Company, City: l.City, Country: l.Country, PostalCode: l.PostalCode, Region: l.Region,
		Street:    strings.TrimSpace(l.Custom["street_number"] + " " + l.Street + " " + l.Custom["street2"]),
		BirthDate: l.Custom["birth_date"]}
}

// checkIdentity keeps l's blocking keys and its probable duplicates up to
// date after l was written: when its keys changed (or it has none yet),
// they are stored again and l is compared with the leads that share one,
// at most identity's MaxBlock per key, so the cost is bounded whatever the
// number of leads. A pair a reviewer dismissed is not stored. A pair
// found is stored as found at at (ms): a full run of the pairs job keeps
// the pairs found since it began, so at is the time of the check, not of
// an older write.
// Writers of leads that share a key take turns (see below), so each sees
// the other's keys.
func checkIdentity(ctx context.Context, q sqldb.Querier, l Lead, at int64) error {
	return matchIdentity(ctx, q, l, at, false)
}

// matchIdentity is checkIdentity that, when always is set, compares l
// with its look-alikes even though its stored keys are its keys.
func matchIdentity(ctx context.Context, q sqldb.Querier, l Lead, at int64, always bool) error {
	rec := recordOf(l)
	hashes := identity.KeyHashes(rec)
	old, err := storedKeys(ctx, q, l.ID)
	if err != nil {
		return err
	}
	same := slices.Equal(old, hashes)
	if same && !always {
		return nil
	}
	return compareIdentity(ctx, q, l, rec, hashes, old, at)
}

// compareIdentity stores l's keys hashes in place of old, and its pairs
// with the look-alikes that share one in place of its pairs.
func compareIdentity(ctx context.Context, q sqldb.Querier, l Lead, rec identity.Record, hashes, old []int64, at int64) error {
	others, err := readLookAlikes(ctx, q, l.ID, hashes)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM duplicate_pairs WHERE lead_a = ? OR lead_b = ?`, l.ID, l.ID); err != nil {
		return fmt.Errorf("lead store: duplicates of %d: %w", l.ID, err)
	}
	return storeIdentity(ctx, q, l, rec, hashes, old, others, at)
}

// readLookAlikes is the reading half of compareIdentity: the records of
// the leads other than id that share one of hashes, a key rare enough to
// tell. On PostgreSQL those keys are locked first (see lockKeys), until
// the transaction ends. It reads before any of the writes, which then
// reach PostgreSQL together (see sqldb.Tx.Later). A new lead has no keys
// and no pairs yet to clear.
func readLookAlikes(ctx context.Context, q sqldb.Querier, id int64, hashes []int64) ([]identity.Record, error) {
	shared := hashes
	if tx, ok := q.(*sqldb.Tx); ok && tx.Dialect() == sqldb.Postgres {
		var err error
		if shared, err = lockKeys(ctx, tx, hashes); err != nil {
			return nil, err
		}
	}
	cands, err := blockMates(ctx, q, id, shared)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	return readRecords(ctx, q, cands)
}

// storeIdentity is the writing half: l, stored, gets its keys hashes in
// place of old, and its pairs with the others it resembles, found at at
// (ms).
func storeIdentity(ctx context.Context, q sqldb.Querier, l Lead, rec identity.Record, hashes, old []int64, others []identity.Record, at int64) error {
	if !slices.Equal(old, hashes) {
		if err := storeKeys(ctx, q, l.ID, hashes, len(old) > 0); err != nil {
			return err
		}
	}
	me := identity.Prepare(rec)
	var found []pair
	for _, o := range others {
		if m, ok := identity.Default.Score(me, identity.Prepare(o)); ok {
			found = append(found, pairOf(m))
		}
	}
	for _, part := range chunks(found, pairsPerStatement) {
		query, args := insertPairs(part, at)
		if err := sqldb.ExecLater(ctx, q, "lead store: store pairs", query, args...); err != nil {
			return err
		}
	}
	return nil
}

// lockKeys makes writers of look-alikes take turns on PostgreSQL: two
// arriving at once would each miss the other's keys, not yet committed,
// so the second waits for the first here, then reads them. Hashes are
// sorted, so two transactions take their locks in one order. A key
// shared by more than MaxBlock leads brings no pairs, so it is not
// locked: on a key as common as a frequent first name with a frequent
// company word, every intake would otherwise wait for the one before to
// commit. The keys are locked in one statement: a lead has several (5
// to 14 for the leads of a Salesforce export), which took a round trip
// each. It returns the keys it locked: only their blocks need reading
// again once the locks are held, since a block past MaxBlock brings no
// pairs (one that shrank back meanwhile is left to the weekly full run).
func lockKeys(ctx context.Context, tx *sqldb.Tx, hashes []int64) ([]int64, error) {
	blocks, err := readBlocks(ctx, tx, hashes)
	if err != nil {
		return nil, err
	}
	var rare []int64
	var keys []string
	for _, h := range hashes {
		if len(blocks[h]) <= identity.Default.MaxBlock {
			rare = append(rare, h)
			keys = append(keys, "identity:"+strconv.FormatInt(h, 10))
		}
	}
	return rare, tx.LockKeys(ctx, keys)
}

func storedKeys(ctx context.Context, q sqldb.Querier, id int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT key_hash FROM lead_keys WHERE lead_id = ? ORDER BY key_hash`, id)
	if err != nil {
		return nil, fmt.Errorf("lead store: keys of %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func storeKeys(ctx context.Context, q sqldb.Querier, id int64, hashes []int64, replace bool) error {
	if replace {
		if _, err := q.Exec(ctx, `DELETE FROM lead_keys WHERE lead_id = ?`, id); err != nil {
			return fmt.Errorf("lead store: keys of %d: %w", id, err)
		}
	}
	keys := make([][2]int64, len(hashes))
	for i, h := range hashes {
		keys[i] = [2]int64{h, id}
	}
	return insertKeys(ctx, q, keys)
}

// blockMates are the other leads that share a key with lead id, leaving
// out keys shared by more than MaxBlock leads (they say too little, and
// reading them would make the cost grow with the leads).
func blockMates(ctx context.Context, q sqldb.Querier, id int64, hashes []int64) ([]int64, error) {
	blocks, err := readBlocks(ctx, q, hashes)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{id: true}
	var out []int64
	for _, ids := range blocks {
		// The block counts lead id, whose keys are read before they are
		// stored: the same blocks as the full run's (see pairsrebuild).
		n := len(ids)
		if !slices.Contains(ids, id) {
			n++
		}
		if n > identity.Default.MaxBlock {
			continue
		}
		for _, o := range ids {
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func readRecords(ctx context.Context, q sqldb.Querier, ids []int64) ([]identity.Record, error) {
	var out []identity.Record
	for _, part := range chunks(ids, 500) {
		rows, err := q.Query(ctx, `SELECT `+recordColumns+` FROM leads WHERE id IN (`+placeholders(len(part))+`)`, anyIDs(part)...)
		if err != nil {
			return nil, fmt.Errorf("lead store: identity records: %w", err)
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PairsJob is the job kind that keeps the probable duplicates: nightly,
// and whenever an import finishes, it keys and compares the leads without
// keys (an import's) and checks again the leads changed since its last
// run, and weekly (or once identity's weights have changed, or on a
// database from before the stored pairs) it finds every pair again.
const PairsJob = "identity.pairs"

// PairStats is what a run of the pairs job did.
type PairStats struct {
	Full       bool // every pair was found again
	Keyed      int  // leads whose keys were stored for the first time
	Rechecked  int  // leads changed since the last run, checked again
	Candidates int  // pairs sharing a key in a block small enough (full runs)
	Matches    int  // probable duplicates among them, but for those dismissed (full runs)
	Parts      int  // files the full run spread its blocks over, over its memory budget (0: none)
}

// pairsKey is the setting where the pairs job keeps pairsState.
const pairsKey = "identity.pairs"

// pairsState is what the pairs job remembers between runs.
type pairsState struct {
	Version int   `json:"version"` // identity.Version the stored pairs were scored with
	FullAt  int64 `json:"full_at"` // when the last full run began (ms)
	RunAt   int64 `json:"run_at"`  // when the last run of either kind began (ms)
}

// fullEvery is how often every pair is found again even if nothing asks
// for it: it also finds pairs that no single lead's change brings out (a
// key whose block shrank below MaxBlock as leads were deleted).
const fullEvery = 7 * 24 * time.Hour

// recheckMargin is how far before the last run's start changed leads are
// looked for: a write that began before that run may commit after it.
const recheckMargin = 10 * time.Minute

// freshAtMost returns how many leads without keys (an import's) the
// pairs job compares one at a time before it finds every pair again
// instead. A lead compared alone reads its block mates' records and
// scores them, in a transaction of its own: some 250 µs of CPU at a
// million leads, where a full run costs 5 to 17 µs a lead (BENCHMARKS.md).
// So a full run wins once more than a fiftieth of the leads are fresh, as
// after a large import; below a thousand, either takes a fraction of a
// second.
func freshAtMost(total int) int { return max(1000, total/50) }

// RunPairsJob is the handler of PairsJob.
// One run at a time, across instances: the nightly run and each import's
// would otherwise do the same work twice, hold a full run's memory twice,
// and write back each other's state. A run that finds another going
// waits its turn, then finds what that one left.
func (s *Service) RunPairsJob(ctx context.Context, _ job.Job) error {
	unlock, ok, err := s.db.TryLock(ctx, PairsJob)
	if err != nil {
		return err
	}
	if !ok {
		return job.Later(time.Minute)
	}
	defer unlock()
	_, err = s.RefreshPairs(ctx)
	return err
}

// RefreshPairs brings the stored probable duplicates up to date. Every
// write of a lead but an import's already compares it with its block
// mates, so a run compares the leads that have no keys yet (an import's),
// and checks again the leads changed since the last run (their keys
// unchanged, that costs a read each), one lead a transaction, in which it
// stores the lead's keys and its pairs together: a run stopped half way
// leaves the rest without keys, for the next. When the leads without keys
// are so many that finding every pair again is faster
// (freshAtMost), it does that instead. The pairs of leads that
// did not change keep their scores, which only new weights would alter.
func (s *Service) RefreshPairs(ctx context.Context) (PairStats, error) {
	st, err := readPairsState(ctx, s.db.R)
	if err != nil {
		return PairStats{}, err
	}
	start := s.now().UTC()
	if st.Version != identity.Version || start.Sub(time.UnixMilli(st.FullAt)) >= fullEvery {
		return s.RebuildPairs(ctx)
	}
	var total int
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads`).Scan(&total); err != nil {
		return PairStats{}, fmt.Errorf("lead store: count of leads: %w", err)
	}
	most := freshAtMost(total)
	fresh, err := s.unkeyed(ctx, most+1)
	if err != nil {
		return PairStats{}, err
	}
	if len(fresh) > most {
		// Marked due first: the full run keys every lead before it
		// compares any, so should it stop between, the next run is a
		// full one again rather than one that finds them keyed.
		if err := s.updatePairsState(ctx, func(st *pairsState) { st.FullAt = 0 }); err != nil {
			return PairStats{}, err
		}
		return s.RebuildPairs(ctx)
	}
	changed, err := s.changedSince(ctx, st.RunAt)
	if err != nil {
		return PairStats{}, err
	}
	var ps PairStats
	for _, id := range fresh {
		if err := s.compareAgain(ctx, id, false); err != nil {
			return ps, err
		}
		ps.Keyed++
	}
	for _, id := range changed {
		if _, done := slices.BinarySearch(fresh, id); done {
			continue
		}
		if err := s.compareAgain(ctx, id, false); err != nil {
			return ps, err
		}
		ps.Rechecked++
	}
	// Only RunAt: a run that began meanwhile may have marked a full run
	// due, which this one must not undo.
	return ps, s.updatePairsState(ctx, func(st *pairsState) { st.RunAt = start.UnixMilli() })
}

// changedSince returns, in order, the leads written since recheckMargin
// before run (ms): a write that began before a run of the pairs job may
// commit after it began.
func (s *Service) changedSince(ctx context.Context, run int64) ([]int64, error) {
	ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT id FROM leads WHERE updated_at >= ? ORDER BY id`,
		time.UnixMilli(run).Add(-recheckMargin).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("lead store: leads changed since the pairs run: %w", err)
	}
	return ids, nil
}

// compareAgain checks lead id's look-alikes in a transaction of its own
// (checkIdentity, or matchIdentity with always), with the lead locked; a
// lead deleted meanwhile is passed over.
func (s *Service) compareAgain(ctx context.Context, id int64, always bool) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := lockLead(ctx, tx, id)
		if err != nil {
			return err
		}
		return matchIdentity(ctx, tx, l, s.now().UnixMilli(), always)
	})
	if fault.CodeOf(err) == fault.NotFound {
		return nil
	}
	return err
}

// updatePairsState changes the pairs job's state as change says, read
// and written in one transaction.
func (s *Service) updatePairsState(ctx context.Context, change func(*pairsState)) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		st, err := readPairsState(ctx, tx)
		if err != nil {
			return err
		}
		change(&st)
		return writePairsState(ctx, tx, st)
	})
}

func readPairsState(ctx context.Context, q sqldb.Querier) (pairsState, error) {
	var st pairsState
	var v string
	if err := q.QueryRow(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE key = ?), '')`, pairsKey).Scan(&v); err != nil {
		return st, fmt.Errorf("lead store: pairs job state: %w", err)
	}
	if v != "" {
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			return st, fmt.Errorf("lead store: pairs job state %q: %w", v, err)
		}
	}
	return st, nil
}

func writePairsState(ctx context.Context, tx *sqldb.Tx, st pairsState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, pairsKey, string(b))
	if err != nil {
		return fmt.Errorf("lead store: pairs job state: %w", err)
	}
	return nil
}

// keyBatch is how many leads keyUnkeyed keys per transaction: their keys
// are written sorted, so each page of the key index is visited once per
// batch rather than once per key, which is what made keying a million
// leads slow. Fewer, larger batches commit fewer times (committing took
// 3.9 s of CPU over a million leads at 20,000 a batch, 1.0 s at 100,000),
// but each holds the writer longer (about a second per 50,000 leads),
// and intake waits meanwhile: 20,000 keeps that wait under half a second.
const keyBatch = 20000

// keyUnkeyed stores the keys of the leads that have none, a batch per
// transaction, and returns the ids, in order, of those it gave keys.
func (s *Service) keyUnkeyed(ctx context.Context) (idRanges, error) {
	var keyed idRanges
	err := s.eachUnkeyed(ctx, func(recs []identity.Record) error {
		var keys [][2]int64 // hash, lead
		var ids []int64
		for _, r := range recs {
			hs := identity.KeyHashes(r)
			for _, h := range hs {
				keys = append(keys, [2]int64{h, r.ID})
			}
			if len(hs) > 0 {
				ids = append(ids, r.ID)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		slices.SortFunc(keys, func(x, y [2]int64) int {
			if c := cmp.Compare(x[0], y[0]); c != 0 {
				return c
			}
			return cmp.Compare(x[1], y[1])
		})
		if err := s.db.InTx(ctx, func(tx *sqldb.Tx) error { return insertKeys(ctx, tx, keys) }); err != nil {
			return err
		}
		for _, id := range ids {
			keyed = keyed.add(id)
		}
		return nil
	})
	return keyed, err
}

// idRanges are ids in increasing order, held as runs of consecutive ids:
// the leads a run keys are mostly an import's, one after the other, and
// at a million of them a list would hold 8 MB through the whole run.
type idRanges []struct{ from, to int64 }

// add appends id, greater than every id held.
func (r idRanges) add(id int64) idRanges {
	if n := len(r); n > 0 && r[n-1].to+1 == id {
		r[n-1].to = id
		return r
	}
	return append(r, struct{ from, to int64 }{id, id})
}

func (r idRanges) has(id int64) bool {
	i := sort.Search(len(r), func(i int) bool { return r[i].to >= id })
	return i < len(r) && r[i].from <= id
}

func (r idRanges) len() int {
	n := 0
	for _, x := range r {
		n += int(x.to - x.from + 1)
	}
	return n
}

// errEnough ends eachUnkeyed early.
var errEnough = errors.New("enough")

// unkeyed returns, in order, up to limit leads that have no keys but
// would have some: those no one compared yet. A lead that gives no key (a
// first name and a street) has no look-alike to compare with.
func (s *Service) unkeyed(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := s.eachUnkeyed(ctx, func(recs []identity.Record) error {
		for _, r := range recs {
			if len(identity.KeyHashes(r)) > 0 {
				if ids = append(ids, r.ID); len(ids) == limit {
					return errEnough
				}
			}
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return ids, err
}

// eachUnkeyed reads the records of the leads that have no keys, keyBatch
// at a time in id order, and passes each batch to fn.
func (s *Service) eachUnkeyed(ctx context.Context, fn func([]identity.Record) error) error {
	var after int64
	for {
		rows, err := s.db.R.Query(ctx, `SELECT `+recordColumns+` FROM leads l WHERE l.id > ?
			AND NOT EXISTS (SELECT 1 FROM lead_keys k WHERE k.lead_id = l.id) ORDER BY l.id LIMIT ?`, after, keyBatch)
		if err != nil {
			return fmt.Errorf("lead store: leads without keys: %w", err)
		}
		var recs []identity.Record
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(recs) == 0 {
			return err
		}
		if err := fn(recs); err != nil {
			return err
		}
		after = recs[len(recs)-1].ID
	}
}

// insertKeys writes (hash, lead) rows, a few hundred a statement, but for
// leads deleted since their records were read (the pairs job reads them
// before it writes their keys). A lead an edit keyed meanwhile ends with
// the edit's keys and these, until its next check (the pairs job checks
// again the leads changed since its last run) stores its keys anew.
func insertKeys(ctx context.Context, q sqldb.Querier, keys [][2]int64) error {
	const row = `(CAST(? AS BIGINT), CAST(? AS BIGINT))`
	for _, part := range chunks(keys, 400) {
		args := make([]any, 0, 2*len(part))
		for _, k := range part {
			args = append(args, k[0], k[1])
		}
		if err := sqldb.ExecLater(ctx, q, "lead store: store keys", `INSERT INTO lead_keys (key_hash, lead_id)
			SELECT v.column1, v.column2 FROM (VALUES `+strings.Repeat(row+", ", len(part)-1)+row+`) AS v
			WHERE EXISTS (SELECT 1 FROM leads l WHERE l.id = v.column2)
			ON CONFLICT (key_hash, lead_id) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// readBlocks reads, for each of hashes, the leads that share it, at most
// MaxBlock+1 of them (a block larger than MaxBlock is left out, and
// reading it whole would make the cost grow with the leads). A batch's
// hashes are read a part at a time, each part in one query; the query's
// text depends only on the part's size, so its statement serves again.
func readBlocks(ctx context.Context, q sqldb.Querier, hashes []int64) (map[int64][]int64, error) {
	uniq := map[int64]bool{}
	var list []int64
	for _, h := range hashes {
		if !uniq[h] {
			uniq[h] = true
			list = append(list, h)
		}
	}
	limit := strconv.Itoa(identity.Default.MaxBlock + 1)
	blocks := map[int64][]int64{}
	for _, part := range chunks(list, 200) {
		parts := make([]string, len(part))
		args := make([]any, len(part))
		for i, h := range part {
			parts[i] = `SELECT * FROM (SELECT key_hash, lead_id FROM lead_keys WHERE key_hash = ? LIMIT ` + limit + `) b` + strconv.Itoa(i)
			args[i] = h
		}
		if err := readBlockPart(ctx, q, strings.Join(parts, " UNION ALL "), args, blocks); err != nil {
			return nil, fmt.Errorf("lead store: blocks: %w", err)
		}
	}
	return blocks, nil
}

func readBlockPart(ctx context.Context, q sqldb.Querier, query string, args []any, blocks map[int64][]int64) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h, id int64
		if err := rows.Scan(&h, &id); err != nil {
			return err
		}
		blocks[h] = append(blocks[h], id)
	}
	return rows.Err()
}

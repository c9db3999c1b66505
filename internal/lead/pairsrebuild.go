package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"leadflow/internal/identity"
	"leadflow/internal/sqldb"
)

// RebuildPairs stores the keys of leads that have none yet, then finds
// every candidate pair from the stored keys and replaces the stored pairs
// with the probable duplicates among them. A block is the leads that
// share a key, when 2 to MaxBlock do. No list of candidate pairs is
// built: when every lead's record and the block lists fit in the memory
// budget (Service.PairsMemory) they are held at once, else the blocks go
// through files a part at a time (pairsSpilled).
func (s *Service) RebuildPairs(ctx context.Context) (PairStats, error) {
	var st PairStats
	start := s.now().UTC().UnixMilli()
	keyed, err := s.keyUnkeyed(ctx)
	if err != nil {
		return st, err
	}
	st.Keyed = keyed.len()
	size, err := s.countRun(ctx)
	if err != nil {
		return st, err
	}
	var matches *foundPairs
	if st.Parts = s.spillParts(size); st.Parts > 0 {
		matches, st.Candidates, err = s.pairsSpilled(ctx, st.Parts)
	} else {
		matches, st.Candidates, err = s.pairsInMemory(ctx, size)
	}
	if err != nil {
		return st, err
	}
	st.Full = true
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n, err := replacePairs(ctx, tx, matches.inOrder(), start)
		if err != nil {
			return err
		}
		st.Matches = n
		return writePairsState(ctx, tx, pairsState{Version: identity.Version, FullAt: start, RunAt: start})
	})
	if err != nil {
		return st, err
	}
	return st, s.recheckWrittenMeanwhile(ctx, start, keyed)
}

// recheckWrittenMeanwhile compares again, one at a time, the leads
// written since shortly before the full run began at start (ms), but for
// those it keyed itself. Such a write checked its look-alikes while the
// run was keying others in large transactions, without their key locks:
// on PostgreSQL it may have missed a lead whose keys were not yet
// committed, while the run read the keys before the write was, and its
// own keys unchanged, no later check would look at it again.
func (s *Service) recheckWrittenMeanwhile(ctx context.Context, start int64, keyed idRanges) error {
	ids, err := s.changedSince(ctx, start)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if keyed.has(id) {
			continue
		}
		if err := s.compareAgain(ctx, id, true); err != nil {
			return err
		}
	}
	return nil
}

// pairsInMemory finds and scores every candidate pair with every lead's
// record and the block lists in memory, and returns the probable
// duplicates and the number of pairs compared. The leads and the blocks
// are read at once on two connections; the blocks are then scored one at
// a time on every core, so that the records of a block are in the cache
// for all of its pairs. Memory is one prepared record per lead (about 150
// bytes with an email, a company and a street; see memPerLead) and 4
// bytes twice per lead in each block. size sizes the lists it fills.
func (s *Service) pairsInMemory(ctx context.Context, size runSize) (*foundPairs, int, error) {
	// A failed read stops the other rather than let it run to the end.
	reading, stop := context.WithCancel(ctx)
	defer stop()
	var ids []int64
	var recs []identity.Prepared
	var raw rawBlocks
	var wg sync.WaitGroup
	var errLeads, errBlocks error
	wg.Add(2)
	go func() {
		defer wg.Done()
		if ids, recs, errLeads = s.preparedLeads(reading, size.leads); errLeads != nil {
			stop()
		}
	}()
	go func() {
		defer wg.Done()
		if raw, errBlocks = s.readBlocks(reading); errBlocks != nil {
			stop()
		}
	}()
	wg.Wait()
	if err := errors.Join(errLeads, errBlocks); err != nil {
		return nil, 0, err
	}
	b := raw.index(ids)
	return b.score(ctx, recs, &foundPairs{})
}

// preparedLeads reads every lead's identifying fields in id order and
// prepares them for comparing: ids[i] is the id of recs[i]. One goroutine
// reads while another prepares what was read, a batch at a time. The
// records are held by value, and the texts of a batch share one string:
// a record costs its texts and a fixed header, with no allocation, no
// pointer and no size-class rounding of its own. n is how many leads
// there are about.
func (s *Service) preparedLeads(ctx context.Context, n int64) ([]int64, []identity.Prepared, error) {
	const batch = 1024
	read := make(chan []identity.Record, 4)
	var err error
	go func() {
		defer close(read)
		err = s.eachRecords(ctx, batch, func(rs []identity.Record) { read <- rs })
	}()
	// A few more than counted: leads stored meanwhile are read too.
	ids := make([]int64, 0, n+n/64+batch)
	recs := make([]identity.Prepared, 0, cap(ids))
	var buf []byte
	for rs := range read {
		buf = buf[:0]
		for _, r := range rs {
			buf, _ = identity.Prepare(r).AppendBinary(buf)
		}
		for text := string(buf); text != ""; {
			p, rest, perr := identity.ReadPrepared(text)
			if perr != nil {
				for range read { // let the reader end
				}
				return nil, nil, fmt.Errorf("lead store: identity records: %w", perr)
			}
			ids = append(ids, p.ID())
			recs = append(recs, p)
			text = rest
		}
	}
	return ids, recs, err
}

// eachRecords reads every lead's identifying fields in id order and hands
// them to fn n at a time, each batch in a slice of its own.
func (s *Service) eachRecords(ctx context.Context, n int, fn func([]identity.Record)) error {
	rows, err := s.db.R.Query(ctx, `SELECT `+recordColumns+` FROM leads ORDER BY id`)
	if err != nil {
		return fmt.Errorf("lead store: identity records: %w", err)
	}
	defer rows.Close()
	rs := make([]identity.Record, 0, n)
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if rs = append(rs, r); len(rs) == n {
			fn(rs)
			rs = make([]identity.Record, 0, n)
		}
	}
	if len(rs) > 0 {
		fn(rs)
	}
	return rows.Err()
}

// rawBlocks are the blocks as read: the lead ids of block i are
// leads[at[i]:at[i+1]].
type rawBlocks struct {
	leads []int64
	at    []int32
}

// readBlocks reads the keys shared by 2 to MaxBlock leads, each as one
// row listing its leads, in key order. A key more common than MaxBlock
// says too little: its leads meet through their other keys. The count
// takes in leads stored after preparedLeads read them, as the check at
// intake does.
func (s *Service) readBlocks(ctx context.Context) (rawBlocks, error) {
	list := `group_concat(lead_id)`
	if s.db.Dialect == sqldb.Postgres {
		list = `string_agg(lead_id::text, ',')`
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+list+` FROM lead_keys GROUP BY key_hash
		HAVING count(*) BETWEEN 2 AND ? ORDER BY key_hash`, identity.Default.MaxBlock)
	if err != nil {
		return rawBlocks{}, fmt.Errorf("lead store: blocks: %w", err)
	}
	defer rows.Close()
	b := rawBlocks{at: []int32{0}}
	var text []byte
	for rows.Next() {
		if err := rows.Scan(&text); err != nil {
			return b, fmt.Errorf("lead store: blocks: %w", err)
		}
		if b.leads, err = appendIDs(b.leads, text); err != nil {
			return b, err
		}
		b.at = append(b.at, int32(len(b.leads)))
	}
	return b, rows.Err()
}

// appendIDs appends to ids the lead ids listed in text ("12,40,41").
func appendIDs(ids []int64, text []byte) ([]int64, error) {
	var id int64
	digits := 0
	for i, c := range text {
		switch {
		case c >= '0' && c <= '9':
			id = id*10 + int64(c-'0')
			digits++
		case c == ',' && digits > 0:
			ids = append(ids, id)
			id, digits = 0, 0
		default:
			return ids, fmt.Errorf("lead store: block %q: not a list of ids at %d", text, i)
		}
	}
	if digits == 0 {
		return ids, fmt.Errorf("lead store: block %q: not a list of ids", text)
	}
	return append(ids, id), nil
}

// blocks are the blocks with their leads as positions in the records
// read, each block's in order, and for each lead the blocks it is in:
// those of position p are in[inAt[p]:inAt[p+1]], in order.
type blocks struct {
	members []int32
	at      []int32
	in      []int32
	inAt    []int32
}

// index turns the lead ids of raw into positions in ids (the leads read;
// a lead stored since is left out) and lists each lead's blocks.
func (raw rawBlocks) index(ids []int64) blocks {
	pos := positions(ids)
	b := blocks{at: make([]int32, 1, len(raw.at))}
	b.members = make([]int32, 0, len(raw.leads))
	for i := 0; i+1 < len(raw.at); i++ {
		from := len(b.members)
		for _, id := range raw.leads[raw.at[i]:raw.at[i+1]] {
			if p, ok := pos(id); ok {
				b.members = append(b.members, p)
			}
		}
		slices.Sort(b.members[from:])
		if len(b.members)-from < 2 {
			b.members = b.members[:from] // no pair left
			continue
		}
		b.at = append(b.at, int32(len(b.members)))
	}
	b.inAt = make([]int32, len(ids)+1)
	for _, p := range b.members {
		b.inAt[p+1]++
	}
	for p := range ids {
		b.inAt[p+1] += b.inAt[p]
	}
	b.in = make([]int32, len(b.members))
	next := slices.Clone(b.inAt[:len(ids)])
	for k := 0; k+1 < len(b.at); k++ {
		for _, p := range b.members[b.at[k]:b.at[k+1]] {
			b.in[next[p]] = int32(k)
			next[p]++
		}
	}
	return b
}

// positions returns a lookup of an id's position in ids (sorted): a table
// when the ids are dense, as they are unless most leads were deleted,
// else a binary search.
func positions(ids []int64) func(int64) (int32, bool) {
	if len(ids) == 0 {
		return func(int64) (int32, bool) { return 0, false }
	}
	lo, span := ids[0], ids[len(ids)-1]-ids[0]+1
	if span > 4*int64(len(ids))+1024 {
		return func(id int64) (int32, bool) {
			p, ok := slices.BinarySearch(ids, id)
			return int32(p), ok
		}
	}
	table := make([]int32, span)
	for i := range table {
		table[i] = -1
	}
	for p, id := range ids {
		table[id-lo] = int32(p)
	}
	return func(id int64) (int32, bool) {
		if id < lo || id-lo >= span || table[id-lo] < 0 {
			return 0, false
		}
		return table[id-lo], true
	}
}

// first is the first block that both leads at positions x and y are in.
func (b *blocks) first(x, y int32) int32 {
	bx, by := b.in[b.inAt[x]:b.inAt[x+1]], b.in[b.inAt[y]:b.inAt[y+1]]
	for i, j := 0, 0; i < len(bx) && j < len(by); {
		switch {
		case bx[i] == by[j]:
			return bx[i]
		case bx[i] < by[j]:
			i++
		default:
			j++
		}
	}
	return -1
}

// score compares every pair of leads in a block, on every core, a pair
// that shares several blocks in the first of them only, and returns the
// probable duplicates (collected in found) and the number of pairs
// compared. Workers stop between chunks once ctx is done.
func (b *blocks) score(ctx context.Context, recs []identity.Prepared, found *foundPairs) (*foundPairs, int, error) {
	const chunk = 2048 // blocks a worker takes at a time
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var pairs atomic.Int64
	nBlocks := len(b.at) - 1
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			var mine []pair
			for {
				mine = found.add(mine)
				from := int(next.Add(chunk)) - chunk
				if from >= nBlocks || ctx.Err() != nil {
					break
				}
				for k := from; k < min(from+chunk, nBlocks); k++ {
					ms := b.members[b.at[k]:b.at[k+1]]
					for i, x := range ms {
						for _, y := range ms[i+1:] {
							if b.first(x, y) != int32(k) {
								continue // compared in an earlier block
							}
							n++
							if m, ok := identity.Default.Score(&recs[x], &recs[y]); ok {
								mine = append(mine, pairOf(m))
							}
						}
					}
				}
			}
			pairs.Add(int64(n))
		}()
	}
	wg.Wait()
	return found, int(pairs.Load()), ctx.Err()
}

// pair is a probable duplicate as it is stored: 24 bytes, where an
// identity.Match takes 64, and it needs neither the verdict nor the
// explanation. A full run holds its pairs smaller still (nearPair).
type pair struct {
	a, b  int64
	score float64
}

func pairOf(m identity.Match) pair { return pair{m.A, m.B, m.Score} }

// replacePairs makes the stored pairs those of ms, in order of their
// leads (but for the dismissed), and reports how many are stored. Most
// of a week's pairs are last week's with the same score: only what
// changed is written, new pairs a few hundred a statement as they come.
// A stored pair found since the run began, or shortly before (found_at
// from start less recheckMargin), stays as it is even if ms lacks it or
// scores it otherwise: it may be newer than what the run read. A write
// stamps its pairs with the time it took before it waited for its
// transaction (and an instance's clock may be behind another's), hence
// the margin.
func replacePairs(ctx context.Context, tx *sqldb.Tx, ms *pairsInOrder, start int64) (int, error) {
	since := start - recheckMargin.Milliseconds()
	add := make([]pair, 0, newPairsBatch)
	kept, added := 0, 0
	// New pairs are stored a batch at a time as the walk goes on. Each
	// sorts before the stored pair being handed on, and eachStoredPair
	// reads its next page after the last pair it read, so it never reads
	// them back.
	adding := func(m pair) error {
		if add = append(add, m); len(add) < newPairsBatch {
			return nil
		}
		n, err := storePairs(ctx, tx, add, start)
		added, add = added+n, add[:0]
		return err
	}
	err := eachStoredPair(ctx, tx, func(old storedPair) error {
		m, ok := ms.peek()
		for ; ok && (m.a < old.a || m.a == old.a && m.b < old.b); m, ok = ms.peek() {
			if err := adding(m); err != nil {
				return err
			}
			ms.next()
		}
		if !ok || m.a != old.a || m.b != old.b {
			return dropPair(ctx, tx, old.a, old.b, old.foundAt, since)
		}
		ms.next()
		kept++
		if old.score == m.score {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE duplicate_pairs SET score = ? WHERE lead_a = ? AND lead_b = ? AND found_at < ?`,
			m.score, m.a, m.b, since); err != nil {
			return fmt.Errorf("lead store: rescore pair %d-%d: %w", m.a, m.b, err)
		}
		return nil
	})
	for m, ok := ms.peek(); ok && err == nil; m, ok = ms.peek() {
		err = adding(m)
		ms.next()
	}
	if err != nil {
		return 0, err
	}
	n, err := storePairs(ctx, tx, add, start)
	return kept + added + n, err
}

// storedPairsPage is how many stored pairs eachStoredPair reads at a time.
var storedPairsPage = 5000

// storedPair is a stored probable duplicate as replacePairs reads it.
type storedPair struct {
	a, b    int64
	score   float64
	foundAt int64
}

// eachStoredPair hands fn the stored pairs in order of their leads, a
// page at a time, so that a run never holds them all (a million leads
// may have hundreds of thousands). fn may change or delete the pair it
// is handed: the next page starts after the last pair read.
func eachStoredPair(ctx context.Context, tx *sqldb.Tx, fn func(storedPair) error) error {
	page := storedPairsPage
	after := storedPair{a: -1}
	batch := make([]storedPair, 0, page)
	for {
		// The page is read whole before fn writes: on PostgreSQL the
		// connection serves one statement at a time.
		batch = batch[:0]
		err := tx.QueryEach(ctx, `SELECT lead_a, lead_b, score, found_at FROM duplicate_pairs
			WHERE (lead_a, lead_b) > (?, ?) ORDER BY lead_a, lead_b LIMIT ?`, []any{after.a, after.b, page}, func(rows *sql.Rows) error {
			var p storedPair
			if err := rows.Scan(&p.a, &p.b, &p.score, &p.foundAt); err != nil {
				return err
			}
			batch = append(batch, p)
			return nil
		})
		if err != nil {
			return fmt.Errorf("lead store: stored pairs: %w", err)
		}
		for _, p := range batch {
			if err := fn(p); err != nil {
				return err
			}
		}
		if len(batch) < page {
			return nil
		}
		after = batch[len(batch)-1]
	}
}

// dropPair deletes a stored pair the run did not find, unless it was found
// since (ms; see replacePairs).
func dropPair(ctx context.Context, tx *sqldb.Tx, a, b, foundAt, since int64) error {
	if foundAt >= since {
		return nil
	}
	// found_at is checked again: on PostgreSQL intake may have stored the
	// pair anew since the stored pairs were read.
	if _, err := tx.Exec(ctx, `DELETE FROM duplicate_pairs WHERE lead_a = ? AND lead_b = ? AND found_at < ?`, a, b, since); err != nil {
		return fmt.Errorf("lead store: drop pair %d-%d: %w", a, b, err)
	}
	return nil
}

// pairsPerStatement is how many pairs one statement of insertPairs stores.
const pairsPerStatement = 250

// newPairsBatch is how many new pairs replacePairs gathers before it
// stores them.
var newPairsBatch = pairsPerStatement

// insertPairs is the statement that stores pairs found at at (ms), but
// for those a reviewer dismissed.
func insertPairs(ps []pair, at int64) (string, []any) {
	const row = `(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION), CAST(? AS BIGINT))`
	args := make([]any, 0, 4*len(ps))
	for _, m := range ps {
		args = append(args, m.a, m.b, m.score, at)
	}
	return `INSERT INTO duplicate_pairs (lead_a, lead_b, score, found_at)
			SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES ` + strings.Repeat(row+", ", len(ps)-1) + row + `) AS v
			WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.lead_a = v.column1 AND d.lead_b = v.column2)
			ON CONFLICT (lead_a, lead_b) DO UPDATE SET score = excluded.score`, args
}

// storePairs keeps probable duplicates, but for those a reviewer said are
// two people, a few hundred a statement, and reports how many it stored.
func storePairs(ctx context.Context, q sqldb.Querier, ms []pair, at int64) (int, error) {
	n := 0
	for _, part := range chunks(ms, pairsPerStatement) {
		query, args := insertPairs(part, at)
		res, err := q.Exec(ctx, query, args...)
		if err != nil {
			return n, fmt.Errorf("lead store: store pairs: %w", err)
		}
		stored, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += int(stored)
	}
	return n, nil
}

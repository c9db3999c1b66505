package lead

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"leadflow/internal/identity"
)

// DefaultPairsMemory is the memory the full pairs run may hold when
// Service.PairsMemory is not set: some 165,000 leads fit in it at once.
// It is small because the run is rare and runs beside the server, which
// must stay within a small machine's memory (BENCHMARKS.md, "Peak RSS").
const DefaultPairsMemory = 64 << 20

// What holding every record and block list in memory takes, per lead and
// per stored key (see pairsInMemory), and what one membership of a lead
// in a block takes in a spill file: its key, its record and all its keys.
// gcGrowth is how much more than it holds the Go heap grows to while the
// run reads and prepares records: by default (GOGC=100) a collection
// starts when the heap has doubled since the last one.
const (
	memPerLead   = 150
	memPerKey    = 8
	gcGrowth     = 2
	spillPerKey  = 120
	maxSpillPart = 4096
)

// pairsMemory is the budget of the full pairs run, in bytes.
func (s *Service) pairsMemory() int64 {
	if s.PairsMemory > 0 {
		return s.PairsMemory
	}
	return DefaultPairsMemory
}

// runSize is what a full run is about to read: the leads, their stored
// keys and the pairs stored by the last run, which the new run will
// mostly find again.
type runSize struct{ leads, keys, pairs int64 }

func (s *Service) countRun(ctx context.Context) (runSize, error) {
	var n runSize
	if err := s.db.R.QueryRow(ctx, `SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_keys), (SELECT count(*) FROM duplicate_pairs)`).
		Scan(&n.leads, &n.keys, &n.pairs); err != nil {
		return n, fmt.Errorf("lead store: count leads, keys and pairs: %w", err)
	}
	return n, nil
}

// spillParts says into how many files the full run must spread its
// blocks so that memory stays within budget: 0 when every record and
// block list fit in memory at once, beside the pairs the run will find
// (about as many as the last run stored, which a run mostly finds again).
func (s *Service) spillParts(n runSize) int {
	budget := s.pairsMemory()
	// Room for the pairs the last run stored, and for one a lead at
	// least: a first run has none stored to go by.
	found := max(n.pairs, n.leads) * memPerPair
	if gcGrowth*(n.leads*memPerLead+n.keys*memPerKey+found) <= budget {
		return 0
	}
	// Beside the pairs found, every core holds a part as read and as
	// parsed, about twice its size.
	perPart := max((budget/gcGrowth-found)/int64(2*runtime.GOMAXPROCS(0)), 1<<20)
	return int(min(max((n.keys*spillPerKey+perPart-1)/perPart, 1), maxSpillPart))
}

// foundPairs collects what a run's workers find, in blocks of a fixed
// size rather than one list: a list grown as pairs come copies itself at
// each growth, and at a million leads holds a million or more pairs. A
// pair is held in 16 bytes (nearPair); one whose leads' ids lie 2³² or
// more apart, or whose score is no whole number of tenths, is kept whole,
// beside.
type foundPairs struct {
	mu     sync.Mutex
	blocks [][]nearPair
	whole  []pair
}

// pairsBlock is how many pairs a block of foundPairs holds (1 MiB).
const pairsBlock = 1 << 16

// nearPair is a pair as a full run holds it: b as its distance from a,
// and the score in tenths (identity rounds scores to a tenth).
type nearPair struct {
	a      int64
	gap    uint32
	tenths int32
}

func (p nearPair) pair() pair { return pair{p.a, p.a + int64(p.gap), float64(p.tenths) / 10} }

// memPerPair is what the list of pairs found takes per pair.
const memPerPair = int64(unsafe.Sizeof(nearPair{}))

// add appends a worker's pairs and returns its list emptied, for reuse.
func (f *foundPairs) add(ps []pair) []pair {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range ps {
		gap, tenths := p.b-p.a, math.Round(p.score*10)
		if gap <= 0 || gap > math.MaxUint32 || math.Abs(tenths) > math.MaxInt32 || tenths/10 != p.score {
			f.whole = append(f.whole, p)
			continue
		}
		if n := len(f.blocks); n == 0 || len(f.blocks[n-1]) == pairsBlock {
			f.blocks = append(f.blocks, make([]nearPair, 0, pairsBlock))
		}
		last := &f.blocks[len(f.blocks)-1]
		*last = append(*last, nearPair{p.a, uint32(gap), int32(tenths)})
	}
	return ps[:0]
}

// inOrder sorts each block of pairs found, and the others, and returns
// what reads them all in order of their leads.
func (f *foundPairs) inOrder() *pairsInOrder {
	c := &pairsInOrder{}
	for _, b := range f.blocks {
		slices.SortFunc(b, func(x, y nearPair) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.gap, y.gap)) })
		c.runs = append(c.runs, pairRun{near: b})
	}
	if len(f.whole) > 0 {
		slices.SortFunc(f.whole, comparePairs)
		c.runs = append(c.runs, pairRun{whole: f.whole})
	}
	heap.Init(c)
	return c
}

func comparePairs(x, y pair) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) }

// pairRun is a sorted run of pairs: a block of nearPairs, or those kept
// whole.
type pairRun struct {
	near  []nearPair
	whole []pair
}

func (r pairRun) first() pair {
	if len(r.near) > 0 {
		return r.near[0].pair()
	}
	return r.whole[0]
}

func (r *pairRun) drop() bool {
	if len(r.near) > 0 {
		r.near = r.near[1:]
	} else {
		r.whole = r.whole[1:]
	}
	return len(r.near)+len(r.whole) > 0
}

// pairsInOrder merges the sorted runs of the pairs found: peek returns
// the next in order of their leads, next moves past it. The runs are a
// heap by their first pair (container/heap's methods below).
type pairsInOrder struct{ runs []pairRun }

func (c *pairsInOrder) peek() (pair, bool) {
	if len(c.runs) == 0 {
		return pair{}, false
	}
	return c.runs[0].first(), true
}

func (c *pairsInOrder) next() {
	switch {
	case len(c.runs) == 0:
	case c.runs[0].drop():
		heap.Fix(c, 0)
	default:
		heap.Pop(c)
	}
}

func (c *pairsInOrder) Len() int { return len(c.runs) }
func (c *pairsInOrder) Less(i, j int) bool {
	return comparePairs(c.runs[i].first(), c.runs[j].first()) < 0
}
func (c *pairsInOrder) Swap(i, j int) { c.runs[i], c.runs[j] = c.runs[j], c.runs[i] }
func (c *pairsInOrder) Push(x any)    { c.runs = append(c.runs, x.(pairRun)) }
func (c *pairsInOrder) Pop() any {
	last := c.runs[len(c.runs)-1]
	c.runs = c.runs[:len(c.runs)-1]
	return last
}

// pairsSpilled finds and scores every candidate pair as pairsInMemory
// does, holding a bounded part of the records at a time. It reads each
// lead's record once, in id order, beside the lead's keys; it writes the
// record once per key into the file of the key's part (key hash modulo
// parts). A part then holds whole blocks: each part is read alone, sorted
// by key and scored, a part per core at a time. A pair that shares
// several blocks is scored in the block of its lowest key only, as in
// memory, since each record carries all its keys. Disk use is about 120
// bytes per stored key.
func (s *Service) pairsSpilled(ctx context.Context, parts int) (*foundPairs, int, error) {
	dir, err := os.MkdirTemp("", "leadflow-pairs-")
	if err != nil {
		return nil, 0, fmt.Errorf("lead store: pairs spill: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := s.spill(ctx, dir, parts); err != nil {
		return nil, 0, err
	}
	return scoreParts(ctx, dir, parts)
}

// spill writes the blocks' records into parts files under dir.
func (s *Service) spill(ctx context.Context, dir string, parts int) (err error) {
	files := make([]*os.File, parts)
	writers := make([]*bufio.Writer, parts)
	defer func() {
		for i, f := range files {
			if f == nil {
				continue
			}
			if ferr := writers[i].Flush(); err == nil && ferr != nil {
				err = fmt.Errorf("lead store: pairs spill: %w", ferr)
			}
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("lead store: pairs spill: %w", cerr)
			}
		}
	}()
	for i := range files {
		if files[i], err = os.Create(partPath(dir, i)); err != nil {
			return fmt.Errorf("lead store: pairs spill: %w", err)
		}
		writers[i] = bufio.NewWriterSize(files[i], 16<<10)
	}
	reading, stop := context.WithCancel(ctx)
	defer stop()
	recs := make(chan []identity.Record, 4)
	var errLeads error
	go func() {
		defer close(recs)
		errLeads = s.eachRecords(reading, 1024, func(rs []identity.Record) {
			select {
			case recs <- rs:
			case <-reading.Done():
			}
		})
	}()
	next := recordsInOrder(recs)
	var payload []byte
	write := func(id int64, keys []int64) error {
		r, ok := next(id)
		if !ok {
			return nil // stored after the leads were read, or deleted since
		}
		payload = payload[:0]
		payload = append(payload, byte(len(keys)))
		for _, k := range keys {
			payload = binary.LittleEndian.AppendUint64(payload, uint64(k))
		}
		p := identity.Prepare(r)
		payload, _ = p.AppendBinary(payload)
		var head [12]byte
		binary.LittleEndian.PutUint32(head[8:], uint32(len(payload)))
		for _, k := range keys {
			binary.LittleEndian.PutUint64(head[:8], uint64(k))
			w := writers[uint64(k)%uint64(parts)]
			w.Write(head[:]) // an error stays with w for the next write
			if _, err := w.Write(payload); err != nil {
				return fmt.Errorf("lead store: pairs spill: %w", err)
			}
		}
		return nil
	}
	err = s.eachLeadKeys(reading, write)
	stop()
	for range recs { // let the reader end
	}
	if err == nil && errLeads != nil && !errors.Is(errLeads, context.Canceled) {
		err = errLeads
	}
	return err
}

// eachLeadKeys hands fn each lead's keys, in lead id order, the keys in
// order, but for those shared by more than MaxBlock leads: they make no
// block. Neither read sorts in the database, whose sorts may be held in
// memory: the keys come in the order of an index, and the keys shared too
// widely are few.
func (s *Service) eachLeadKeys(ctx context.Context, fn func(id int64, keys []int64) error) error {
	common, err := s.commonKeys(ctx)
	if err != nil {
		return err
	}
	rows, err := s.db.R.Query(ctx, `SELECT lead_id, key_hash FROM lead_keys ORDER BY lead_id`)
	if err != nil {
		return fmt.Errorf("lead store: lead keys: %w", err)
	}
	defer rows.Close()
	var keys []int64
	last := int64(-1)
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		slices.Sort(keys)
		err := fn(last, keys[:min(len(keys), 255)]) // a record carries its count of keys in a byte
		keys = keys[:0]
		return err
	}
	for rows.Next() {
		var id, key int64
		if err := rows.Scan(&id, &key); err != nil {
			return fmt.Errorf("lead store: lead keys: %w", err)
		}
		if id != last {
			if err := flush(); err != nil {
				return err
			}
			last = id
		}
		if _, ok := common[key]; !ok {
			keys = append(keys, key)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lead store: lead keys: %w", err)
	}
	return flush()
}

// commonKeys are the keys shared by more than MaxBlock leads.
func (s *Service) commonKeys(ctx context.Context) (map[int64]struct{}, error) {
	rows, err := s.db.R.Query(ctx, `SELECT key_hash FROM lead_keys GROUP BY key_hash HAVING count(*) > ?`, identity.Default.MaxBlock)
	if err != nil {
		return nil, fmt.Errorf("lead store: common keys: %w", err)
	}
	defer rows.Close()
	common := map[int64]struct{}{}
	for rows.Next() {
		var key int64
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("lead store: common keys: %w", err)
		}
		common[key] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lead store: common keys: %w", err)
	}
	return common, nil
}

// recordsInOrder returns a lookup of the record with an id, for ids asked
// in increasing order, from batches of records in id order.
func recordsInOrder(batches <-chan []identity.Record) func(int64) (identity.Record, bool) {
	var batch []identity.Record
	return func(id int64) (identity.Record, bool) {
		for {
			for len(batch) > 0 && batch[0].ID < id {
				batch = batch[1:]
			}
			if len(batch) > 0 {
				return batch[0], batch[0].ID == id
			}
			var ok bool
			if batch, ok = <-batches; !ok {
				return identity.Record{}, false
			}
		}
	}
}

func partPath(dir string, i int) string { return filepath.Join(dir, strconv.Itoa(i)) }

// scoreParts scores the blocks of each part file under dir, a part per
// core at a time, and returns the probable duplicates and the number of
// pairs compared.
func scoreParts(ctx context.Context, dir string, parts int) (*foundPairs, int, error) {
	workers := min(runtime.GOMAXPROCS(0), parts)
	found := &foundPairs{}
	errs := make([]error, workers)
	var next atomic.Int64
	var pairs atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []pair
			for {
				i := int(next.Add(1)) - 1
				if i >= parts || ctx.Err() != nil || errs[w] != nil {
					return
				}
				var n int
				mine, n, errs[w] = scorePart(partPath(dir, i), mine)
				mine = found.add(mine)
				pairs.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	if err := cmp.Or(errors.Join(errs...), ctx.Err()); err != nil {
		return nil, 0, err
	}
	return found, int(pairs.Load()), nil
}

// member is one record's place in one block of a part.
type member struct {
	key int64
	id  int64
	rec int32 // index in the part's records
}

// scorePart reads one part file, sorts its members into blocks and scores
// the pairs of each block that meet there first, appending the probable
// duplicates to found.
func scorePart(path string, found []pair) ([]pair, int, error) {
	text, err := readString(path)
	if err != nil {
		return found, 0, err
	}
	n := 0 // members, counted first so that nothing grows by appending
	for rest := text; len(rest) >= 12 && 12+int(le32(rest[8:])) <= len(rest); n++ {
		rest = rest[12+int(le32(rest[8:])):]
	}
	members := make([]member, 0, n)
	recs := make([]identity.Prepared, 0, n)
	keys := make([]string, 0, n) // each record's keys, 8 bytes each, in order
	for rest := text; rest != ""; {
		if len(rest) < 13 {
			return found, 0, fmt.Errorf("lead store: pairs spill %s: cut short", path)
		}
		key, size := int64(le64(rest)), int(le32(rest[8:]))
		if len(rest) < 12+size || size < 1 || 1+8*int(rest[12]) > size {
			return found, 0, fmt.Errorf("lead store: pairs spill %s: cut short", path)
		}
		payload := rest[12 : 12+size]
		rest = rest[12+size:]
		nk := int(payload[0])
		p, tail, err := identity.ReadPrepared(payload[1+8*nk:])
		if err != nil || tail != "" {
			return found, 0, fmt.Errorf("lead store: pairs spill %s: %v", path, cmp.Or(err, errors.New("trailing bytes")))
		}
		members = append(members, member{key: key, id: p.ID(), rec: int32(len(recs))})
		recs = append(recs, p)
		keys = append(keys, payload[1:1+8*nk])
	}
	slices.SortFunc(members, func(x, y member) int { return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.id, y.id)) })
	n = 0
	for from := 0; from < len(members); {
		to := from + 1
		for to < len(members) && members[to].key == members[from].key {
			to++
		}
		block := members[from:to]
		for i, x := range block {
			for _, y := range block[i+1:] {
				if firstShared(keys[x.rec], keys[y.rec]) != x.key {
					continue // compared in the block of a lower key
				}
				n++
				if m, ok := identity.Default.Score(&recs[x.rec], &recs[y.rec]); ok {
					found = append(found, pairOf(m))
				}
			}
		}
		from = to
	}
	return found, n, nil
}

// readString reads a whole file into one string, without the copy that
// converting a byte slice would make.
func readString(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("lead store: pairs spill: %w", err)
	}
	defer f.Close()
	var b strings.Builder
	if st, err := f.Stat(); err == nil {
		b.Grow(int(st.Size()))
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", fmt.Errorf("lead store: pairs spill: %w", err)
	}
	return b.String(), nil
}

// firstShared is the lowest key two sorted lists of 8-byte keys share.
func firstShared(a, b string) int64 {
	for len(a) >= 8 && len(b) >= 8 {
		x, y := int64(le64(a)), int64(le64(b))
		switch {
		case x == y:
			return x
		case x < y:
			a = a[8:]
		default:
			b = b[8:]
		}
	}
	return 0
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

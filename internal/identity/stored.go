package identity

import (
	"hash/fnv"
	"slices"
)

// KeyHashes are r's blocking keys as 64-bit hashes that are the same in
// every process, for storing with the lead: records that share a hash are
// compared. Sorted, without repeats.
func KeyHashes(r Record) []int64 {
	p := prepare(r)
	var out []int64
	h := fnv.New64a()
	eachKey(&p, func(kind, a, b string) {
		h.Reset()
		h.Write([]byte(kind))
		h.Write([]byte{0})
		h.Write([]byte(a))
		h.Write([]byte{0})
		h.Write([]byte(b))
		out = append(out, int64(h.Sum64()))
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// Prepared is a record normalised once for comparing with many others.
type Prepared struct{ p prepared }

// Prepare normalises r for Score.
func Prepare(r Record) *Prepared { return &Prepared{prepare(r)} }

// ID is the id of the record p was prepared from.
func (p *Prepared) ID() int64 { return p.p.id }

// Score compares two prepared records and reports whether they are at
// least a probable duplicate; the match carries no explanation (Compare
// gives it), so that scoring many pairs allocates little.
func (s Settings) Score(a, b *Prepared) (Match, bool) {
	var fields [nFields]agreement
	m := s.score(&a.p, &b.p, true, &fields)
	return m, m.Verdict != Distinct
}

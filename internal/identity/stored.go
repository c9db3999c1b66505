package identity

import (
	"encoding/binary"
	"errors"
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

// AppendBinary appends p in the form ReadPrepared reads back, for a run
// that holds more records than fit in memory at once: the id, the length
// of each text, then the texts.
func (p *Prepared) AppendBinary(b []byte) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(p.p.id))
	from := uint16(0)
	for _, end := range p.p.end {
		b = binary.AppendUvarint(b, uint64(end-from))
		from = end
	}
	return append(b, p.p.text...), nil
}

// ReadPrepared reads the record AppendBinary wrote at the start of s and
// returns the rest of s. The record's text is a part of s, not a copy, so
// that reading many records from one string allocates nothing per record.
func ReadPrepared(s string) (Prepared, string, error) {
	var p Prepared
	id, s, ok := uvarint(s)
	if !ok {
		return p, s, errors.New("identity: stored record: no id")
	}
	p.p.id = int64(id)
	end := uint64(0)
	for i := range p.p.end {
		n, rest, ok := uvarint(s)
		if !ok || end+n > maxText {
			return p, s, errors.New("identity: stored record: bad length")
		}
		end += n
		p.p.end[i] = uint16(end)
		s = rest
	}
	if uint64(len(s)) < end {
		return p, s, errors.New("identity: stored record: cut short")
	}
	p.p.text = s[:end]
	return p, s[end:], nil
}

// uvarint is binary.Uvarint for a string.
func uvarint(s string) (uint64, string, bool) {
	var x uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, s[i+1:], true
		}
	}
	return 0, s, false
}

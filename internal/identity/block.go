package identity

import (
	"hash/maphash"
	"slices"
)

// Keys are the blocking keys of a record: two records are compared only
// when they share one. Each key is built to survive one kind of slip:
//
//	sw  both names' sounds, sorted      typos in names; names swapped
//	pl  postcode + surname sound        first name missing or mistyped
//	pf  postcode + first name sound     surname mistyped at its start
//	cl  city + surname sound            postcode missing or mistyped
//	cf  city + first name sound         surname mistyped, no postcode
//	pn  postcode + house number         both names mistyped or swapped
//	bd  birth date + surname initial    first name changed, postcode too
//	bf  birth date + first initial      surname changed (marriage)
//	ph  phone digits                    name missing or spelt otherwise
//	em  email mailbox name              another domain, same person
//	co  company word + surname sound    a colleague's record copied
//	cn  company word + first name sound surname mistyped at work
func Keys(r Record) []string {
	var keys []string
	p := prepare(r)
	eachKey(&p, func(kind, a, b string) {
		k := kind + ":" + a
		if b != "" {
			k += "|" + b
		}
		keys = append(keys, k)
	})
	return keys
}

// eachKey calls emit with each blocking key of p, as a kind and one or two
// parts, so that CandidatePairs can hash keys without building strings.
func eachKey(p *prepared, emit func(kind, a, b string)) {
	add := func(kind, a, b string, two bool) {
		if a != "" && (!two || b != "") {
			emit(kind, a, b)
		}
	}
	sf, sl := soundex(p.first()), soundex(p.last())
	add("sw", min(sf, sl), max(sf, sl), true)
	add("pl", p.postal(), sl, true)
	add("pf", p.postal(), sf, true)
	add("cl", p.city(), sl, true)
	add("cf", p.city(), sf, true)
	add("pn", p.postal(), houseNumber(p.street()), true)
	if p.last() != "" {
		add("bd", p.birth(), p.last()[:1], true)
	}
	if p.first() != "" {
		add("bf", p.birth(), p.first()[:1], true)
	}
	add("ph", p.phone(), "", false)
	if len(p.local()) >= 3 {
		add("em", p.local(), "", false)
	}
	for w := range words(p.company()) {
		if len(w) >= 3 {
			add("co", w, sl, true)
			add("cn", w, sf, true)
		}
	}
}

// seed makes key hashes the same within one process, for one search.
var seed = maphash.MakeSeed()

// CandidatePairs returns the pairs of records (as indexes into records,
// the lower first) that share at least one blocking key in a group of at
// most maxBlock records. Memory is one 16-byte entry per key of each
// record plus the pairs; time is a sort of those entries plus the pairs,
// so about linear in the number of records.
func CandidatePairs(records []Record, maxBlock int) [][2]int32 {
	prep := make([]prepared, len(records))
	for i, r := range records {
		prep[i] = prepare(r)
	}
	return candidatePairs(prep, maxBlock)
}

func candidatePairs(prep []prepared, maxBlock int) [][2]int32 {
	type entry struct {
		hash uint64
		rec  int32
	}
	entries := make([]entry, 0, len(prep)*8)
	var h maphash.Hash
	h.SetSeed(seed)
	for i := range prep {
		eachKey(&prep[i], func(kind, a, b string) {
			h.Reset()
			h.WriteString(kind)
			h.WriteByte(0)
			h.WriteString(a)
			h.WriteByte(0)
			h.WriteString(b)
			entries = append(entries, entry{h.Sum64(), int32(i)})
		})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return int(a.rec - b.rec)
	})
	var pairs []uint64
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && entries[end].hash == entries[start].hash {
			end++
		}
		if n := end - start; n >= 2 && n <= maxBlock {
			for i := start; i < end; i++ {
				for j := i + 1; j < end; j++ {
					a, b := entries[i].rec, entries[j].rec
					if a != b {
						pairs = append(pairs, uint64(a)<<32|uint64(b))
					}
				}
			}
		}
		start = end
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	out := make([][2]int32, len(pairs))
	for i, p := range pairs {
		out[i] = [2]int32{int32(p >> 32), int32(p & 0xffffffff)}
	}
	return out
}

// houseNumber is the first number of a street address ("12 main street").
func houseNumber(street string) string {
	for w := range words(street) {
		if digits(w) == w {
			return w
		}
	}
	return ""
}

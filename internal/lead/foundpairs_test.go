package lead

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A full run holds the pairs it finds in blocks, 16 bytes a pair, but for
// those that do not fit (leads 2³² ids or more apart, a score that is no
// whole number of tenths): every pair comes back whole, in order of
// its leads, with its score to the bit, whichever way it was held.
func TestFoundPairsGiveBackEveryPairInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var want []pair
	for range 2*pairsBlock + 1000 {
		a := rng.Int64N(1 << 40)
		b := a + 1 + rng.Int64N(1000)
		score := math.Round(rng.Float64()*400-100) / 10
		switch rng.IntN(10) {
		case 0:
			b = a + math.MaxUint32 + 1 + rng.Int64N(3) // too far apart
		case 1:
			score += 0.01 // not a tenth
		case 2:
			b = a + math.MaxUint32 // the farthest that fits
		}
		want = append(want, pair{a, b, score})
	}
	f := &foundPairs{}
	for part := range slices.Chunk(want, 777) {
		if rest := f.add(slices.Clone(part)); len(rest) != 0 {
			t.Fatalf("add gives back %d pairs", len(rest))
		}
	}
	held := len(f.whole)
	for _, b := range f.blocks {
		held += len(b)
	}
	if held != len(want) || len(f.whole) == 0 || len(f.blocks) < 2 {
		t.Fatalf("held %d pairs (%d blocks, %d whole), want %d", held, len(f.blocks), len(f.whole), len(want))
	}
	slices.SortFunc(want, comparePairs)
	var got []pair
	for c := f.inOrder(); ; c.next() {
		p, ok := c.peek()
		if !ok {
			break
		}
		got = append(got, p)
	}
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("pair %d is %+v, want %+v", i, got[i], want[i])
			}
		}
		t.Fatalf("got %d pairs, want %d", len(got), len(want))
	}
}

// The leads a full run keyed itself are held as runs of ids: each id
// added is held, no other is, and they count as many.
func TestIDRangesHoldWhatWasAdded(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var r idRanges
	held := map[int64]bool{}
	for id := int64(1); id < 20000; id += 1 + rng.Int64N(3)/2 {
		r = r.add(id)
		held[id] = true
	}
	if len(r) >= len(held)/2 || r.len() != len(held) {
		t.Fatalf("%d ids held in %d runs, counted %d", len(held), len(r), r.len())
	}
	for id := int64(-1); id < 20002; id++ {
		if r.has(id) != held[id] {
			t.Fatalf("has(%d) = %v", id, r.has(id))
		}
	}
}

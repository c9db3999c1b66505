package identity

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// synthetic makes n person records from the Febrl vocabulary (names,
// streets, suburbs, postcodes mixed at random), a tenth of them copies of
// an earlier record with one letter changed, as a CRM's leads would be.
func synthetic(b testing.TB, n int) []Record {
	seedRecs, _ := febrlRecords(b, "dataset2.csv")
	pick := func(r *rand.Rand, f func(Record) string) string {
		for {
			if v := f(seedRecs[r.IntN(len(seedRecs))]); v != "" {
				return v
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]Record, 0, n)
	for i := range n {
		if i > 0 && r.IntN(10) == 0 {
			c := out[r.IntN(len(out))]
			c.ID = int64(i + 1)
			if l := []byte(c.LastName); len(l) > 2 {
				l[r.IntN(len(l))] = byte('a' + r.IntN(26))
				c.LastName = string(l)
			}
			out = append(out, c)
			continue
		}
		out = append(out, Record{
			ID: int64(i + 1), FirstName: pick(r, func(x Record) string { return x.FirstName }),
			LastName: pick(r, func(x Record) string { return x.LastName }),
			Street:   strconv.Itoa(1+r.IntN(200)) + " " + pick(r, func(x Record) string { return x.Street }),
			City:     pick(r, func(x Record) string { return x.City }), PostalCode: strconv.Itoa(2000 + r.IntN(5000)),
			Phone:     "+61" + strconv.Itoa(400000000+r.IntN(99999999)),
			BirthDate: strconv.Itoa(19300101 + r.IntN(80)*10000 + r.IntN(12)*100 + r.IntN(28)),
		})
	}
	return out
}

// BenchmarkCandidatePairs finds every candidate pair (blocking alone)
// among 100,000 and 1,000,000 records:
//
//	go test ./internal/identity/ -run '^$' -bench CandidatePairs -benchmem -benchtime 3x
func BenchmarkCandidatePairs(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			recs := synthetic(b, n)
			b.ResetTimer()
			pairs := 0
			for b.Loop() {
				pairs = len(CandidatePairs(recs, Default.MaxBlock))
			}
			b.ReportMetric(float64(pairs), "pairs")
		})
	}
}

// BenchmarkFind finds and scores every probable duplicate among 100,000
// and 1,000,000 records:
//
//	go test ./internal/identity/ -run '^$' -bench Find -benchmem -benchtime 3x
func BenchmarkFind(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			recs := synthetic(b, n)
			b.ResetTimer()
			found := 0
			for b.Loop() {
				found = len(Default.Find(recs))
			}
			b.ReportMetric(float64(found), "matches")
		})
	}
}

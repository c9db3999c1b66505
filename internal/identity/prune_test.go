package identity

import (
	"math/rand/v2"
	"testing"
)

// TestPruningIsExact: scoring that stops once a pair cannot reach
// Probable finds exactly the pairs that full scoring finds, with the same
// scores and explanations, on the Febrl data sets (every candidate pair
// and random pairs) and on random records mixed from their fields with
// values left out, emails, phones and companies, so that every field
// takes part. It also prunes most pairs, or it would save nothing.
func TestPruningIsExact(t *testing.T) {
	var pairs [][2]Record
	for _, name := range []string{"dataset1.csv", "dataset2.csv"} {
		recs, _ := febrlRecords(t, name)
		for _, p := range CandidatePairs(recs, Default.MaxBlock) {
			pairs = append(pairs, [2]Record{recs[p[0]], recs[p[1]]})
		}
		r := rand.New(rand.NewPCG(7, uint64(len(recs))))
		for range 20000 {
			pairs = append(pairs, [2]Record{recs[r.IntN(len(recs))], recs[r.IntN(len(recs))]})
		}
	}
	mixed := mixedRecords(t, 4000)
	for _, p := range CandidatePairs(mixed, Default.MaxBlock) {
		pairs = append(pairs, [2]Record{mixed[p[0]], mixed[p[1]]})
	}
	r := rand.New(rand.NewPCG(8, 9))
	for range 50000 {
		pairs = append(pairs, [2]Record{mixed[r.IntN(len(mixed))], mixed[r.IntN(len(mixed))]})
	}

	found, pruned := 0, 0
	for _, p := range pairs {
		a, b := prepare(p[0]), prepare(p[1])
		var full, fast [nFields]agreement
		want := Default.score(&a, &b, false, &full)
		got := Default.score(&a, &b, true, &fast)
		if want.Verdict != Distinct {
			found++
		}
		if got.Verdict == Distinct && want.Verdict == Distinct {
			if got.Score != want.Score {
				pruned++
			}
			continue
		}
		if got.Verdict != want.Verdict || got.Score != want.Score || got.A != want.A || got.B != want.B || fast != full {
			t.Fatalf("%+v | %+v: pruned %+v %v, full %+v %v", p[0], p[1], got, explain(&fast), want, explain(&full))
		}
	}
	t.Logf("%d pairs, %d at least probable, %d set aside before all fields were compared", len(pairs), found, pruned)
	if found < 5000 || pruned < len(pairs)/2 {
		t.Errorf("%d pairs found and %d pruned of %d: the test compares too little", found, pruned, len(pairs))
	}
}

// mixedRecords are n records whose fields are drawn from different Febrl
// records, a third of each left empty, with emails, phones and companies
// from small vocabularies (so that they agree often), and one in four a
// copy of an earlier record with one field changed.
func mixedRecords(t *testing.T, n int) []Record {
	src, _ := febrlRecords(t, "dataset2.csv")
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(f func(Record) string) string {
		if r.IntN(3) == 0 {
			return ""
		}
		return f(src[r.IntN(len(src))])
	}
	oneOf := func(vs ...string) string {
		if r.IntN(3) == 0 {
			return ""
		}
		return vs[r.IntN(len(vs))]
	}
	out := make([]Record, 0, n)
	for i := range n {
		if i > 0 && r.IntN(4) == 0 {
			c := out[r.IntN(len(out))]
			c.ID = int64(i + 1)
			switch r.IntN(4) {
			case 0:
				c.FirstName, c.LastName = c.LastName, c.FirstName
			case 1:
				c.Email = ""
			case 2:
				c.Company = oneOf("Orbit Software SRL", "Orbit Sofware", "Acme")
			default:
				c.BirthDate = pick(func(x Record) string { return x.BirthDate })
			}
			out = append(out, c)
			continue
		}
		out = append(out, Record{
			ID:        int64(i + 1),
			FirstName: pick(func(x Record) string { return x.FirstName }),
			LastName:  pick(func(x Record) string { return x.LastName }),
			Street:    pick(func(x Record) string { return x.Street }), PostalCode: pick(func(x Record) string { return x.PostalCode }),
			City: pick(func(x Record) string { return x.City }), Region: pick(func(x Record) string { return x.Region }),
			BirthDate: pick(func(x Record) string { return x.BirthDate }),
			Email:     oneOf("ana.pop@acme.ro", "anapop@gmail.com", "info@acme.ro", "j.smith@orbit.io", "jsmith@orbit.io"),
			Phone:     oneOf("+40721234567", "0721 234 567", "+61 2 9876 5432", "02 9876 5433"),
			Company:   oneOf("Orbit Software SRL", "Orbit Sofware", "Acme", "Carpathia Software", "Ştefan & Co"),
			Country:   oneOf("RO", "AU", "US"),
		})
	}
	return out
}

// The ASCII path of Jaro-Winkler gives the very float the general one
// does, on random names from a small alphabet (so letters repeat and
// transpose) up to the path's 64-byte limit.
func TestJaroWinklerASCIIEqualsGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func() string {
		b := make([]byte, rng.IntN(65))
		for i := range b {
			b[i] = "abcde "[rng.IntN(6)]
		}
		return string(b)
	}
	for range 50000 {
		a, b := word(), word()
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		if got, want := jaroWinklerASCII(a, b), jaroWinklerOf([]rune(a), []rune(b)); got != want {
			t.Fatalf("%q ~ %q: ASCII %v, general %v", a, b, got, want)
		}
	}
}

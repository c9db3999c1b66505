package identity

import (
	"fmt"
	"testing"
)

func field(m Match, name string) Agreement {
	for _, f := range m.Fields {
		if f.Field == name {
			return f
		}
	}
	return Agreement{}
}

// TestSlipsThatExactRulesMissed: the pairs that exact phone or exact name
// and company could not see are probable duplicates, and the explanation
// says which field agreed how.
func TestSlipsThatExactRulesMissed(t *testing.T) {
	base := Record{ID: 1, FirstName: "Kayla", LastName: "Harrington", Company: "Orbit Software SRL",
		Street: "6 Tullaroop Street", PostalCode: "4011", City: "Brasov"}
	for _, c := range []struct {
		name  string
		other Record
		check func(Match) string
	}{
		{"one-letter typo in the surname", Record{ID: 2, FirstName: "Kayla", LastName: "Harringtom", Company: "Orbit Software", City: "Brasov"},
			func(m Match) string {
				return string(field(m, "last_name").Level) + " " + string(field(m, "company").Level)
			}},
		{"first and last name swapped", Record{ID: 2, FirstName: "Harrington", LastName: "Kayla", PostalCode: "4011", Street: "6 tullaroop st"},
			func(m Match) string { return field(m, "first_name").Note }},
		{"first name missing", Record{ID: 2, LastName: "Harrington", PostalCode: "4011", Street: "6 Tullaroop Street", City: "Braşov"},
			func(m Match) string {
				return string(field(m, "first_name").Level) + " " + string(field(m, "city").Level)
			}},
		{"the same phone, written two ways", Record{ID: 2, FirstName: "K.", LastName: "Harington", Phone: "0721 234 567"},
			func(m Match) string { return "" }},
	} {
		a, b := base, c.other
		if c.name == "the same phone, written two ways" {
			a.Phone = "+40721234567"
		}
		m := Default.Compare(a, b)
		if m.Verdict == Distinct {
			t.Errorf("%s: score %.1f, not found: %+v", c.name, m.Score, m.Fields)
		}
		t.Logf("%s: %.1f %s %s", c.name, m.Score, m.Verdict, c.check(m))
	}
	m := Default.Compare(base, Record{ID: 2, FirstName: "Kayla", LastName: "Harringtom", Company: "Orbit Software", City: "Brasov"})
	if got := field(m, "last_name"); got.Level != Similar || got.Weight <= 0 || got.Similarity < 0.9 {
		t.Errorf("a typo in the surname is explained as %+v", got)
	}
	if got := field(m, "street"); got.Level != Missing || got.Weight != 0 {
		t.Errorf("a street on one side only counts neither way: %+v", got)
	}
	m = Default.Compare(base, Record{ID: 2, FirstName: "Harrington", LastName: "Kayla", PostalCode: "4011"})
	if got := field(m, "first_name"); got.Note != "first and last name swapped" || got.Level != Same {
		t.Errorf("swapped names explained as %+v", got)
	}
}

// TestDifferentPeopleStayApart: a shared surname alone, a shared company,
// or two empty first names are not a duplicate.
func TestDifferentPeopleStayApart(t *testing.T) {
	for _, c := range [][2]Record{
		{{ID: 1, LastName: "Popescu"}, {ID: 2, LastName: "Popescu"}},
		{{ID: 1, FirstName: "Ana", LastName: "Popescu", Company: "Orbit"}, {ID: 2, FirstName: "Mihai", LastName: "Popescu", Company: "Orbit"}},
		{{ID: 1, FirstName: "Ana", LastName: "Ionescu", Company: "Orbit", City: "Cluj"}, {ID: 2, FirstName: "Dan", LastName: "Marin", Company: "Orbit", City: "Cluj"}},
		{{ID: 1, FirstName: "Ana", LastName: "Popescu", Country: "RO"}, {ID: 2, FirstName: "Ana", LastName: "Popescu", Country: "US", City: "Boston"}},
		// namesakes in two cities with two phones
		{{ID: 1, FirstName: "Mitchell", LastName: "Nguyen", City: "Condon", Phone: "+61403947974"}, {ID: 2, FirstName: "Mitchell", LastName: "Nguyen", City: "Ormond", Phone: "+61498685778"}},
	} {
		if m := Default.Compare(c[0], c[1]); m.Verdict != Distinct {
			t.Errorf("%+v and %+v: %s at %.1f", c[0], c[1], m.Verdict, m.Score)
		}
	}
}

// TestVerdicts: the same email with the same name is almost certainly one
// person; the same email alone is probable.
func TestVerdicts(t *testing.T) {
	a := Record{ID: 1, FirstName: "Ana", LastName: "Pop", Email: "ana@orbit.io"}
	if m := Default.Compare(a, Record{ID: 2, FirstName: "Ana", LastName: "Pop", Email: "ana@orbit.io"}); m.Verdict != Certain {
		t.Errorf("same email and name: %s %.1f", m.Verdict, m.Score)
	}
	if m := Default.Compare(a, Record{ID: 2, Email: "ana@orbit.io"}); m.Verdict != Probable {
		t.Errorf("same email alone: %s %.1f", m.Verdict, m.Score)
	}
}

// TestBlockingIsBounded: a key shared by more records than MaxBlock brings
// no pairs (it says too little), while records sharing a rare key meet.
func TestBlockingIsBounded(t *testing.T) {
	var recs []Record
	for i := range 200 {
		recs = append(recs, Record{ID: int64(i + 1), FirstName: "Ion", LastName: "Popescu", City: fmt.Sprint("town", i)})
	}
	recs = append(recs, Record{ID: 201, FirstName: "Ana", LastName: "Zamfir", Phone: "+40721000001"},
		Record{ID: 202, FirstName: "Anna", LastName: "Zamfir", Phone: "0721000001"})
	pairs := CandidatePairs(recs, 64)
	if len(pairs) != 1 || pairs[0] != [2]int32{200, 201} {
		t.Errorf("pairs %v, want only the Zamfirs", pairs)
	}
}

func TestJaroWinkler(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"martha", "marhta", 0.961}, {"dwayne", "duane", 0.84}, {"dixon", "dicksonx", 0.813}, {"abc", "xyz", 0}} {
		if got := jaroWinkler(c.a, c.b); got < c.want-0.001 || got > c.want+0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.3f, want %.3f", c.a, c.b, got, c.want)
		}
	}
	for _, c := range []struct{ a, b, want string }{{"robert", "r163", ""}, {"rupert", "r163", ""}, {"tymczak", "t522", ""}, {"pfister", "p236", ""}} {
		if got := soundex(c.a); got != c.b {
			t.Errorf("soundex(%q) = %q, want %q", c.a, got, c.b)
		}
	}
	if d := editDistance("gmial", "gmail"); d != 1 {
		t.Errorf("a swap is one edit, got %d", d)
	}
}

// TestSharedMailboxesSayNothing: the same mailbox name at two domains counts
// a little for a person's own name (ana.pop@), nothing for a company's
// shared address (info@), and shared addresses make no blocking key.
func TestSharedMailboxesSayNothing(t *testing.T) {
	own := Default.Compare(Record{ID: 1, Email: "ana.pop@acme.ro"}, Record{ID: 2, Email: "anapop@gmail.com"})
	shared := Default.Compare(Record{ID: 1, Email: "info@acme.ro"}, Record{ID: 2, Email: "info@orbit.io"})
	if field(own, "email").Level != Partial || field(shared, "email").Level != Different {
		t.Errorf("own mailbox %+v, shared %+v", field(own, "email"), field(shared, "email"))
	}
	for _, k := range Keys(Record{Email: "info@acme.ro"}) {
		t.Errorf("a shared mailbox makes the key %q", k)
	}
}

// TestInitials: a name given as its initial agrees a little with the full
// name, first or last ("Ioana I." and "Ioana Ionescu" at one phone).
func TestInitials(t *testing.T) {
	m := Default.Compare(Record{ID: 1, FirstName: "Ioana", LastName: "Ionescu", Phone: "+40721234567", Company: "Carpathia Software"},
		Record{ID: 2, FirstName: "Ioana", LastName: "I.", Phone: "+40721234567", Company: "Carpathia"})
	if f := field(m, "last_name"); f.Level != Partial || f.Note != "initial only" || m.Verdict == Distinct {
		t.Errorf("surname initial: %+v, %s at %.1f", f, m.Verdict, m.Score)
	}
	if f := field(Default.Compare(Record{ID: 1, FirstName: "J", LastName: "Weber"}, Record{ID: 2, FirstName: "Jonas", LastName: "Weber"}), "first_name"); f.Level != Partial {
		t.Errorf("first name initial: %+v", f)
	}
}

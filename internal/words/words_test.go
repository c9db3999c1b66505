package words

import (
	"slices"
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
	}{
		{[]string{"Ana-Maria", "Pop", "ana.pop@carpat.ro", "Carpat SRL"}, []string{"ana", "maria", "pop", "carpat", "ro", "srl"}},
		{[]string{"Jürgen Müller", "MÜLLER GmbH"}, []string{"jurgen", "muller", "gmbh"}},
		{[]string{"Şerban Ţărnă", "Brăila"}, []string{"serban", "tarna", "braila"}},
		{[]string{"Bjørn Ødegård", "Fjordkraft AS"}, []string{"bjørn", "ødegard", "fjordkraft", "as"}},
		{[]string{"", "  ", "--"}, nil},
		{[]string{"straße"}, []string{"strasse"}},
		// Abbreviations: the letters, then the word they make.
		{[]string{"Castello Foods S.p.A."}, []string{"castello", "foods", "s", "p", "a", "spa"}},
		{[]string{"S.C. Carpat S.R.L."}, []string{"s", "c", "sc", "carpat", "r", "l", "srl"}},
		{[]string{"Nordlys A/S", "J.R.R. Tolkien"}, []string{"nordlys", "a", "s", "as", "j", "r", "jrr", "tolkien"}},
		// Letters apart are not one: a space, two marks, a word between.
		{[]string{"a b", "c..d", "e.fg.h"}, []string{"a", "b", "c", "d", "e", "fg", "h"}},
	} {
		if got := Of(c.in...); !slices.Equal(got, c.want) {
			t.Errorf("Of(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQueryAbbreviation(t *testing.T) {
	for q, want := range map[string][]Term{
		"S.p.A.":          {{"spa", true}},
		"spa":             {{"spa", false}},
		"Castello SpA":    {{"castello", false}, {"spa", false}},
		"castello s.p.a.": {{"castello", false}, {"spa", true}},
		"castello s.p.a":  {{"castello", false}, {"spa", false}},
		"S.p":             {{"sp", false}},
		"A/S":             {{"as", false}},
		"A/S.":            {{"as", true}},
		"J. Smith":        {{"j", false}, {"smith", false}},
	} {
		if got := Query(q); !slices.Equal(got, want) {
			t.Errorf("Query(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestLimits(t *testing.T) {
	// An abbreviation's word is cut as any word is.
	for _, w := range Of(strings.Repeat("a.", 100)) {
		if len(w) > MaxLen {
			t.Errorf("a word of %d bytes is stored", len(w))
		}
	}
	long := strings.Repeat("é", 40) // two bytes each
	w := Of(long)
	if len(w) != 1 || len(w[0]) > MaxLen || !strings.HasPrefix(strings.Repeat("e", 40), w[0]) {
		t.Errorf("a long word is stored as %q", w)
	}
	// A query as long is cut the same way, so it still finds the word.
	if q := Query(long); q[0].Word != w[0] {
		t.Errorf("query %q, stored %q", q[0].Word, w[0])
	}
	many := strings.Repeat("w ", 100) + strings.Join(strings.Fields(strings.Repeat("a b c d e f g h i j k l m n o p q r s t u v w x y z ", 3)), "x ")
	if n := len(Of(many)); n > MaxPerLead {
		t.Errorf("%d words kept", n)
	}
	if n := len(Query("a b c d e f g h i j")); n != MaxPerQuery {
		t.Errorf("%d query words", n)
	}
	if UpperBound("ana") <= "anaïs" || UpperBound("ana") <= "ana\uffff" {
		t.Error("the upper bound is below a word that starts with the prefix")
	}
}

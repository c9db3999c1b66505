package sortkey

import (
	"slices"
	"strings"
	"testing"
)

func TestOrderIsNatural(t *testing.T) {
	names := []string{"Zoë", "Ømann", "van Dijk", "ßtraße", "Östlund", "", "Émile", "Van Dijk", "Élodie", "emile",
		"adams", "Smith", "Vana", "Van"}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(Of(a), Of(b)) })
	want := []string{"", "adams", "Élodie", "emile", "Émile", "Östlund", "Smith", "ßtraße", "Van", "Van Dijk", "van Dijk",
		"Vana", "Zoë", "Ømann"}
	if !slices.Equal(names, want) {
		t.Errorf("got  %q\nwant %q", names, want)
	}
}

func TestDifferentTextsHaveDifferentKeys(t *testing.T) {
	pairs := [][2]string{{"Van Dijk", "van Dijk"}, {"Émile", "Emile"}, {"a", "a "}, {"ß", "ss"}}
	for _, p := range pairs {
		if Of(p[0]) == Of(p[1]) {
			t.Errorf("%q and %q share a key", p[0], p[1])
		}
	}
}

// Span holds the keys of every text that differs from the one searched
// only in case, accents or the spaces around it, and no other.
func TestSpanHoldsTheTextsThatFoldAlike(t *testing.T) {
	lo, hi := Span("Costa")
	for _, s := range []string{"Costa", "COSTA", "costa", " Costa ", "Cósta"} {
		if k := Of(s); k < lo || k >= hi {
			t.Errorf("%q is outside the span of Costa", s)
		}
	}
	for _, s := range []string{"Costas", "Cost", "Costa Rica", "Acosta", "", "Costa-Gavras"} {
		if k := Of(s); k >= lo && k < hi {
			t.Errorf("%q is inside the span of Costa", s)
		}
	}
}

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

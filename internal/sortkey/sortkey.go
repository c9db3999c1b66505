// Package sortkey defines how lists sort and page: the key text is sorted
// by, and the keyset cursor that continues a list after its last row.
//
// Text sorts by a key stored next to it, computed here rather than in
// SQL: SQLite's lower() folds ASCII only and PostgreSQL's collation
// depends on the server's locale, so neither gives the same order on both
// databases, nor one that a cursor computed elsewhere could follow. A key
// compares bytewise (SQLite's BINARY, PostgreSQL's "C" collation), so the
// order is the same everywhere.
package sortkey

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// sep ends the folded part of a key. It sorts before every byte left in
// that part, so "van" comes before "vana" whatever follows.
const sep = "\x01"

var folder = cases.Fold()

// Of is the sort key of s: s folded (Unicode case folding, accents
// removed, so "Élodie" sorts among the e's and "ßtraße" as "strasse"),
// then s itself, so names that fold alike still have one fixed order
// ("Van Dijk" before "van Dijk"). Letters that are not an accented form
// of another (ø, æ) keep their place after z.
func Of(s string) string {
	return fold(s) + sep + s
}

// Span is the range [lo, hi) of the keys of every text that folds as s
// does: "COSTA", "Costa" and " costa" alike. A search that matches text
// without regard to case reads this range of a key's index, then tests
// each row: what lower() makes equal, folding makes equal too.
func Span(s string) (lo, hi string) {
	f := fold(s)
	return f + sep, f + "\x02" // sep + 1: no folded text holds a byte below ' '
}

// fold is the folded part of s's key.
func fold(s string) string {
	folded := norm.NFD.String(folder.String(strings.TrimSpace(s)))
	var b strings.Builder
	b.Grow(len(folded))
	for _, r := range folded {
		if unicode.Is(unicode.Mn, r) || r < ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// Package words splits a lead's text into the words a search finds it
// by: folded (Unicode case folding, accents removed, so "Müller" is found
// by "muller" and "MÜLL"), split at anything that is not a letter or a
// digit (so "ana.pop@carpat.ro" is the words ana, pop, carpat and ro),
// and cut to a bounded length. A search word matches a stored word it is
// the beginning of, which is how people type names.
package words

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits keep a lead's index rows few and small whatever it holds.
const (
	MaxLen      = 32 // bytes of a stored word; a longer one is cut
	MaxPerLead  = 48
	MaxPerQuery = 8
)

var folder = cases.Fold()

// split returns the folded words of s in order, repeats included.
func split(s string) []string {
	folded := norm.NFD.String(folder.String(s))
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, cut(norm.NFC.String(b.String())))
			b.Reset()
		}
	}
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// cut shortens w to at most MaxLen bytes, on a rune boundary.
func cut(w string) string {
	if len(w) <= MaxLen {
		return w
	}
	i := MaxLen
	for i > 0 && !utf8Start(w[i]) {
		i--
	}
	return w[:i]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Of returns the distinct words of texts, at most MaxPerLead, in the
// order they first appear.
func Of(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, w := range split(t) {
			if !seen[w] && len(out) < MaxPerLead {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// Query returns the words of a search, at most MaxPerQuery: a lead
// matches when each is the beginning of one of its words.
func Query(q string) []string {
	ws := Of(q)
	if len(ws) > MaxPerQuery {
		ws = ws[:MaxPerQuery]
	}
	return ws
}

// UpperBound is the least text above every word that starts with
// prefix, for a range scan (word >= prefix AND word < UpperBound) that
// compares bytewise: SQLite's BINARY and PostgreSQL's "C" collation.
func UpperBound(prefix string) string { return prefix + "\U0010FFFF" }

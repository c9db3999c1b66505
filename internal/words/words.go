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

// split returns the folded words of s in order, repeats included. Single
// letters joined by a dot, slash or ampersand are an abbreviation (the
// company forms S.p.A., S.R.L. and A/S, initials such as J.R.R.), which
// people also type as one word: after the letters comes the word they
// make ("spa"), whole when a mark ends it, and with letters false the
// letters themselves are left out, as a search needs only the word.
func split(s string, letters bool) []Term {
	folded := norm.NFD.String(folder.String(s))
	var out []Term
	var run []string
	var b strings.Builder
	sep := 0 // runes since the last word ended, the first and the last of them
	var after, mark rune
	endRun := func() {
		// Ended by its mark, as S.p.A. is, an abbreviation is whole;
		// without it, one may be still being typed (S.p, a.b).
		ended := sep > 0 && (after == '.' || after == '/' || after == '&')
		if len(run) > 1 {
			if letters {
				out = appendWords(out, run)
			}
			out = append(out, Term{cut(strings.Join(run, "")), ended})
		} else {
			out = appendWords(out, run)
		}
		run = run[:0]
	}
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := cut(norm.NFC.String(b.String()))
		b.Reset()
		joined := len(run) > 0 && sep == 1 && (mark == '.' || mark == '/' || mark == '&')
		if !joined {
			endRun()
		}
		if r := []rune(w); len(r) == 1 && unicode.IsLetter(r[0]) {
			run = append(run, w)
		} else {
			endRun()
			out = append(out, Term{Word: w})
		}
		sep = 0
	}
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			flush()
			if sep == 0 {
				after = r
			}
			sep, mark = sep+1, r
		}
	}
	flush()
	endRun()
	return out
}

func appendWords(out []Term, ws []string) []Term {
	for _, w := range ws {
		out = append(out, Term{Word: w})
	}
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
	ts := of(true, MaxPerLead, texts...)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Word
	}
	return out
}

// Term is a word of a search. A lead matches when each term is the
// beginning of one of its words, or the whole of one when Whole: an
// abbreviation typed with its marks (S.p.A.) is searched as the one word
// it makes, and only that word, not every word that begins with "spa".
type Term struct {
	Word  string
	Whole bool
}

// Query returns the terms of a search, at most MaxPerQuery.
func Query(q string) []Term { return of(false, MaxPerQuery, q) }

func of(letters bool, most int, texts ...string) []Term {
	seen := map[string]bool{}
	var out []Term
	for _, t := range texts {
		for _, w := range split(t, letters) {
			if !seen[w.Word] && len(out) < most {
				seen[w.Word] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// UpperBound is the least text above every word that starts with
// prefix, for a range scan (word >= prefix AND word < UpperBound) that
// compares bytewise: SQLite's BINARY and PostgreSQL's "C" collation.
func UpperBound(prefix string) string { return prefix + "\U0010FFFF" }

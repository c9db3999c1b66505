package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// fieldReason finds a field's reason written as a literal message.
var fieldReason = regexp.MustCompile(`\.Add\([^,()]+, ("(?:[^"\\]|\\.)*")\)`)

// Every field reason leadflow writes with a literal message reads in each
// reader's language: the reasons are found in the source itself, so a new
// one without a translation fails here rather than showing English under
// a field of a Romanian, Italian or Norwegian page.
func TestEveryFieldReasonReadsInTheLanguage(t *testing.T) {
	seen := map[string]string{}
	var found []string
	written := sourceLiterals(t, fieldReason)
	for _, l := range written {
		if _, ok := seen[l.text]; !ok {
			seen[l.text] = l.path
			found = append(found, l.text)
		}
	}
	// Some reasons are written in more than one place; each is checked once.
	if len(written) < 300 {
		t.Fatalf("found %d field reasons in the source; the scan no longer sees them", len(written))
	}
	for _, msg := range found {
		// English reads a reason as written, or as the English catalog
		// words it for a page ("must not be below min_licences" as "the
		// minimum licences", 10,000 as a number), never as an id.
		if got := For("en").Reason(msg); got == "" || strings.Contains(got, "why.") {
			t.Errorf("en %q reads %q", msg, got)
		}
		for _, lang := range []string{"ro", "it", "nb"} {
			if got := For(lang).Reason(msg); got == msg || strings.Contains(got, "why.") {
				t.Errorf("%s: %q (%s) is not translated (%q)", lang, msg, seen[msg], got)
			}
		}
	}
}

// A reason looked up whole reads in English as it is written, and no
// pattern matches it too: the pattern would never be reached for it.
func TestAWholeReasonReadsInEnglishAsWritten(t *testing.T) {
	for msg := range whys {
		if got := For("en").Reason(msg); got != msg {
			t.Errorf("en %q reads %q", msg, got)
		}
		if _, ok := denials[msg]; ok {
			t.Errorf("%q is both a field reason and a refusal", msg)
		}
		for _, r := range reasons {
			if r.re.MatchString(msg) {
				t.Errorf("%q is looked up whole and matches %s too", msg, r.re)
			}
		}
	}
}

package i18n

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	written := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fieldReason.FindAllSubmatch(src, -1) {
			msg, err := strconv.Unquote(string(m[1]))
			if err != nil {
				return fmt.Errorf("%s: %s: %v", path, m[1], err)
			}
			written++
			if _, ok := seen[msg]; !ok {
				seen[msg] = path
				found = append(found, msg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Some reasons are written in more than one place; each is checked once.
	if written < 300 {
		t.Fatalf("found %d field reasons in the source; the scan no longer sees them", written)
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

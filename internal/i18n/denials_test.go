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

// refusal finds a forbidden fault written with a literal message.
var refusal = regexp.MustCompile(`(?:fault\.Errorf\(fault\.Forbidden, |Code: fault\.Forbidden, Message: )("(?:[^"\\]|\\.)*")`)

// Every refusal leadflow writes reads in each reader's language: the
// messages are found in the source itself, so a new one without a
// translation fails here rather than showing English on a 403 page.
func TestEveryRefusalReadsInTheLanguage(t *testing.T) {
	var found []string
	for _, l := range sourceLiterals(t, refusal) {
		// The verbs a refusal names a record with: an id, a name.
		found = append(found, strings.NewReplacer("%d", "7", "%q", `"x"`).Replace(l.text))
	}
	if len(found) < 40 {
		t.Fatalf("found %d refusals in the source; the scan no longer sees them", len(found))
	}
	for _, msg := range found {
		if got := For("en").Reason(msg); got != msg {
			t.Errorf("en %q reads %q", msg, got)
		}
		for _, lang := range []string{"ro", "it", "nb"} {
			if got := For(lang).Reason(msg); got == msg || strings.Contains(got, "deny.") {
				t.Errorf("%s: %q is not translated (%q)", lang, msg, got)
			}
		}
	}
}

// literal is a string literal of leadflow's source and the file it is in.
type literal struct{ text, path string }

// sourceLiterals are the string literals that re's first group matches
// in leadflow's Go source, tests aside, unquoted.
func sourceLiterals(t *testing.T, re *regexp.Regexp) []literal {
	t.Helper()
	var out []literal
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			text, err := strconv.Unquote(string(m[1]))
			if err != nil {
				return fmt.Errorf("%s: %s: %v", path, m[1], err)
			}
			out = append(out, literal{text, path})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"leadflow/internal/i18n"
)

// Every note a page leaves for the next one in English ("Rule deleted.")
// has a message in the catalogs, so it reads in the reader's language:
// the notes are found in the source, and a new one without a message
// fails here.
func TestEveryFlashIsInTheCatalogs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`h\.flash\(w, ("(?:[^"\\]|\\.)*")\)`)
	found := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllSubmatch(src, -1) {
			msg, err := strconv.Unquote(string(m[1]))
			if err != nil {
				t.Fatalf("%s: %s: %v", name, m[1], err)
			}
			found++
			if i18n.ByEnglish(msg, "flash.") == "" {
				t.Errorf("%s: the note %q has no flash.* message", name, msg)
			}
		}
	}
	if found < 30 {
		t.Fatalf("found %d notes; the scan no longer sees them", found)
	}
}

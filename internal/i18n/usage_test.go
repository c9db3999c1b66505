package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// used finds the message ids written literally in templates ({{t "id"}},
// (t "id" ...)) and in Go (.T("id" ...), i18n.T(ctx, "id" ...)).
var used = []*regexp.Regexp{
	regexp.MustCompile(`[{(]\s*t\s+"([a-z0-9_.]*[a-z0-9])"`),
	regexp.MustCompile(`\bT\((?:ctx, |r\.Context\(\), )?"([a-z0-9_.]*[a-z0-9])"`),
	regexp.MustCompile(`\btr\(r, "([a-z0-9_.]*[a-z0-9])"`),
}

// Every id a template or the code asks for is in the catalogs: a typo
// or a message added to a page but not to en.toml fails here, not on a
// page that shows the id.
func TestEveryMessageUsedIsInTheCatalogs(t *testing.T) {
	root := filepath.Join("..", "..", "internal")
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".html") && !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range used {
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				seen++
				if !Has(m[1]) {
					t.Errorf("%s uses %q, which en.toml lacks", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 20 {
		t.Fatalf("found only %d uses of messages; is the pattern still right?", seen)
	}
}

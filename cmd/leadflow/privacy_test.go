package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrivacyCommands: an operator exports a person to a file, then
// erases them and is told what went.
func TestPrivacyCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leadflow.db")
	csv := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(csv, []byte("email,first_name\nKim@Example.com,Kim\nlee@example.com,Lee\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, nil, "import", csv, "--db", db); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kim.json")
	if _, err := cli(t, nil, "privacy", "export", "--email", "KIM@example.com", "--out", out, "--db", db); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Leads []map[string]any `json:"leads"`
	}
	if err := json.Unmarshal(raw, &ex); err != nil || len(ex.Leads) != 1 || ex.Leads[0]["first_name"] != "Kim" {
		t.Fatalf("export: %v\n%s", err, raw)
	}
	text, err := cli(t, nil, "privacy", "erase", "--email", "kim@example.com", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	// A finished import has dropped its file already.
	for _, want := range []string{"leads                        1", "timeline                     1", "import_files                 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("erase printed no %q:\n%s", want, text)
		}
	}
	text, err = cli(t, nil, "privacy", "export", "--email", "lee@example.com", "--db", db)
	if err != nil || !strings.Contains(text, `"first_name": "Lee"`) {
		t.Errorf("Lee's export after Kim's erasure: %v\n%s", err, text)
	}
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"leadflow/internal/sqldb"
)

// TestImportCommandFindsDuplicates: `leadflow import` compares the leads
// it created with their look-alikes before it ends, so the pairs are in
// the review queue when the command returns, no server running.
func TestImportCommandFindsDuplicates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "leadflow.db")
	csv := filepath.Join(dir, "people.csv")
	rows := "First Name,Last Name,Company,City\nIoana,Marinescu,Lumen SRL,Cluj\nIoana,Marinescu,Lumen,Cluj\nMarcus,Webb,Quasar,Arad\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, nil, "import", csv, "--db", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 created") || !strings.Contains(out, "probable duplicates among them are in the review queue") {
		t.Errorf("import printed:\n%s", out)
	}
	db, err := sqldb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pairs int
	if err := db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM duplicate_pairs p
		JOIN leads a ON a.id = p.lead_a JOIN leads b ON b.id = p.lead_b
		WHERE a.last_name = 'Marinescu' AND b.last_name = 'Marinescu'`).Scan(&pairs); err != nil || pairs != 1 {
		t.Errorf("the two Marinescus are %d pairs in the review queue (%v)", pairs, err)
	}
	var left int
	if err := db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM jobs WHERE kind = 'identity.pairs' AND state <> 'done'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d pairs jobs left unfinished (%v)", left, err)
	}
}

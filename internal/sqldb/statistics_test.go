package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// TestReadersPlanWithTheLatestStatistics: SQLite's ANALYZE loads what it
// gathers into its own connection only, the writer's. The lists run on
// the read pool, whose connections live for hours; they must plan with
// the statistics of the last ANALYZE, not the ones they opened with.
func TestReadersPlanWithTheLatestStatistics(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	exec := func(q string) {
		t.Helper()
		if _, err := db.W.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, grade TEXT NOT NULL, created INTEGER NOT NULL)`)
	exec(`CREATE INDEX t_grade ON t (grade)`)
	exec(`CREATE INDEX t_created ON t (created)`)
	exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		INSERT INTO t SELECT i, 'cold', i FROM n`)
	plan := func() string {
		t.Helper()
		if err := db.Analyze(ctx, "t"); err != nil {
			t.Fatal(err)
		}
		// EXPLAIN reads no table, so a reader learns of a new schema
		// from a query first.
		var n int
		if err := db.R.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return dbtest.Plan(t, db, `SELECT id FROM t WHERE grade = 'hot' ORDER BY created DESC LIMIT 50`)
	}
	// Every lead cold: a grade's index keeps nothing out, so the list
	// walks its order.
	if p := plan(); !strings.Contains(p, "t_created") {
		t.Fatalf("with one grade the list should walk t_created: %s", p)
	}
	// Grades spread out: the grade's index picks the few hot leads.
	exec(`UPDATE t SET grade = 'g' || id`)
	if p := plan(); !strings.Contains(p, "t_grade") {
		t.Errorf("a reader plans with the statistics it opened with, not the last ANALYZE's: %s", p)
	}
}

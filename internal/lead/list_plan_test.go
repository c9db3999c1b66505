package lead

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// The name and company sorts walk their index, also past a cursor and
// backwards, instead of sorting every lead; a cursor's page starts with a
// seek in the index.
func TestSortedListsStayOnTheirIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for sort, index := range map[string]string{"last_name": "leads_last_name", "company": "leads_company",
		"created_at": "leads_created", "score": "leads_score"} {
		for _, desc := range []bool{false, true} {
			f := Filter{Sort: sort, Desc: desc, Limit: 50}
			var value any = "k"
			if sortColumns[sort].numeric {
				value = int64(5)
			}
			for _, c := range []*sortkey.Cursor{nil, {Sort: sort, Value: value, ID: 9}, {Sort: sort, Value: value, ID: 9, Before: true}} {
				q, args := listQuery(f, c, 51)
				plan := dbtest.Plan(t, db, q, args...)
				want := "INDEX " + index
				if c != nil {
					want = "SEARCH l USING INDEX " + index // a seek to the cursor, not a walk from the start
				}
				if !strings.Contains(plan, want) || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("sort %s desc %v cursor %+v: %s", sort, desc, c, plan)
				}
			}
		}
	}
}

// A search word is a range on the word index's key, not a scan of the
// leads' text. (SQLite; PostgreSQL chooses by its statistics, which an
// empty test table does not have.)
func TestSearchUsesTheWordIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	f := Filter{Sort: "created_at", Desc: true, Limit: 50, Q: "ana pop", words: true}
	q, args := listQuery(f, nil, 51)
	plan := dbtest.Plan(t, db, q, args...)
	if !strings.Contains(plan, "SEARCH lead_words USING PRIMARY KEY (word>? AND word<?)") || strings.Contains(plan, "lower(") {
		t.Errorf("search plan:\n%s", plan)
	}
}

// Every lookup of a lead by its email (intake's merge, events named by
// email, undo's check) is a search of the email index, which leaves out
// leads without an email: on both databases a lookup that does not say
// email <> ” reads every lead.
func TestEmailLookupsUseTheEmailIndex(t *testing.T) {
	queries := []string{leadByEmail, `SELECT id, COALESCE(owner_id, 0) FROM leads WHERE ` + emailIs,
		`SELECT id FROM leads WHERE ` + emailIs + ` AND id <> ?`}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for _, q := range queries {
			args := []any{"a@b.example", int64(1)}[:strings.Count(q, "?")]
			if plan := dbtest.Plan(t, db, q, args...); !strings.Contains(plan, "USING INDEX leads_email") {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for _, q := range queries {
			args := []any{"a@b.example", int64(1)}[:strings.Count(q, "?")]
			if plan := pgPlan(t, db, q, args...); !strings.Contains(plan, "leads_email") {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
}

// pgPlan is PostgreSQL's plan of query with sequential scans priced out,
// so that an index the query can use shows even in a table without
// statistics; one it cannot use leaves the Seq Scan.
func pgPlan(t *testing.T, db *sqldb.DB, query string, args ...any) string {
	t.Helper()
	var plan []string
	err := db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, err := tx.Query(context.Background(), `EXPLAIN `+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

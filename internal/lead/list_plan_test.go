package lead

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
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
// the email is not empty reads every lead.
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
			if plan := dbtest.PostgresPlan(t, db, q, args...); !strings.Contains(plan, "leads_email") {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
}

// The index review (migration 0155) dropped leads_owner and made
// leads_account partial: a lead's owner is found through
// leads_contact_due, whose first column it is, and the leads of an
// account still through leads_account, on both databases.
func TestOwnerAndAccountLookupsKeepAnIndex(t *testing.T) {
	queries := map[string]string{
		`SELECT id FROM leads WHERE owner_id = ?`:                                            "leads_contact_due",
		`SELECT ` + columns + fromLeads + ` WHERE l.owner_id = ? AND l.contacted_at IS NULL`: "leads_contact_due",
		accountLeads: "leads_account",
	}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for q, index := range queries {
			if plan := dbtest.Plan(t, db, q, int64(7)); !strings.Contains(plan, "INDEX "+index) {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for q, index := range queries {
			if plan := dbtest.PostgresPlan(t, db, q, int64(7)); !strings.Contains(plan, index) {
				t.Errorf("%s:\n%s", q, plan)
			}
		}
	})
}

// A rescore's batched save finds each lead by its id, whatever the kind
// of save, on both databases.
func TestBatchedScoreSavesSearchByID(t *testing.T) {
	args := []any{int64(1), 10, "warm", "mql", int64(1), int64(2), 20, "hot", "mql", int64(1)}
	two := func(kind int) string {
		head, one, tail := saveRescoredSQL(kind)
		return head + one + ", " + one + tail
	}
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		for kind := range saveSets {
			plan := dbtest.Plan(t, db, two(kind), args...)
			if !strings.Contains(plan, "SEARCH leads USING INTEGER PRIMARY KEY (rowid=?)") || strings.Contains(plan, "SCAN leads") {
				t.Errorf("save kind %d plan:\n%s", kind, plan)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		for kind := range saveSets {
			if plan := dbtest.PostgresPlan(t, db, two(kind), args...); !strings.Contains(plan, "leads_pkey") {
				t.Errorf("save kind %d plan:\n%s", kind, plan)
			}
		}
	})
}

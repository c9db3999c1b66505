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

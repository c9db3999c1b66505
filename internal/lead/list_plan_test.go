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

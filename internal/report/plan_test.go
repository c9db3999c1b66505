package report

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// Revenue must start from the won deals and find each one's lead by the
// partial index on opportunity_id: joined the other way, SQLite walked a
// year of leads by creation date, 8.9 s at a million leads.
func TestRevenueStartsFromWonDeals(t *testing.T) {
	db := dbtest.SQLite(t)
	rows, err := db.R.Query(context.Background(), `EXPLAIN QUERY PLAN `+revenueQuery, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "leads_opportunity") || strings.Contains(got, "leads_created") {
		t.Errorf("revenue plan: %s", got)
	}
}

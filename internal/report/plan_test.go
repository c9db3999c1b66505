package report

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// Revenue must start from the won deals and find each one's lead by the
// partial index on opportunity_id: joined the other way, SQLite walked a
// year of leads by creation date, 8.9 s at a million leads.
func TestRevenueStartsFromWonDeals(t *testing.T) {
	got := dbtest.Plan(t, dbtest.SQLite(t), revenueQuery, 0, 1)
	if !strings.Contains(got, "leads_opportunity") || strings.Contains(got, "leads_created") {
		t.Errorf("revenue plan: %s", got)
	}
}

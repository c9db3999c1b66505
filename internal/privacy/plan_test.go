package privacy

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
)

// A search by phone uses leads_phone, which holds only leads with a
// phone (migration 0155), on both databases.
func TestPhoneSearchUsesThePhoneIndex(t *testing.T) {
	if plan := dbtest.Plan(t, dbtest.SQLite(t), LeadsByPhone, "+40721000000"); !strings.Contains(plan, "INDEX leads_phone") {
		t.Errorf("sqlite: %s", plan)
	}
	if plan := dbtest.PostgresPlan(t, dbtest.Postgres(t), LeadsByPhone, "+40721000000"); !strings.Contains(plan, "leads_phone") {
		t.Errorf("postgres: %s", plan)
	}
}

// A search by name and company reads the range of the name's sort key in
// leads_last_name, and leads whose key is not yet filled, on both
// databases: no lead is read that another name has.
func TestNameSearchUsesTheSortKeyIndex(t *testing.T) {
	lo, hi := sortkey.Span("Costa")
	if plan := dbtest.Plan(t, dbtest.SQLite(t), LeadsByName, lo, hi, "Costa", "Orbit"); !strings.Contains(plan, "INDEX leads_last_name (last_name_sort>? AND last_name_sort<?)") ||
		!strings.Contains(plan, "INDEX leads_last_name (last_name_sort=?)") || strings.Contains(plan, "SCAN") {
		t.Errorf("sqlite: %s", plan)
	}
	if plan := dbtest.PostgresPlan(t, dbtest.Postgres(t), LeadsByName, lo, hi, "Costa", "Orbit"); !strings.Contains(plan, "leads_last_name") ||
		strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "leads_pkey") {
		t.Errorf("postgres: %s", plan)
	}
}

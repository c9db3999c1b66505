package privacy

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
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

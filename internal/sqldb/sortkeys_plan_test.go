package sqldb_test

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// TestMissingSortKeysAreFoundByIndex: the look for rows without sort
// keys, made at every start, probes an index instead of reading the
// table: the partial ones for tables of several keys, the key's own
// index for the others.
func TestMissingSortKeysAreFoundByIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for _, c := range []struct{ table, cond, index string }{
		{"leads", "first_name_sort IS NULL OR last_name_sort IS NULL OR company_sort IS NULL", "leads_sort_missing"},
		{"accounts", "name_sort IS NULL OR industry_sort IS NULL", "accounts_sort_missing"},
		{"contacts", "name_sort IS NULL", "contacts_name_sort"},
		{"opportunities", "name_sort IS NULL", "opportunities_name_sort"},
	} {
		plan := dbtest.Plan(t, db, `SELECT id FROM `+c.table+` WHERE id > ? AND (`+c.cond+`) ORDER BY id LIMIT ?`, 0, 1000)
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "SCAN") {
			t.Errorf("%s: the look for missing keys does not probe %s: %s", c.table, c.index, plan)
		}
	}
}

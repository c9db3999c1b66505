package lead_test

import (
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// The visitor index holds only events that have a visitor id; the two
// lookups by visitor must still use it rather than scan every event.
func TestVisitorLookupsUseThePartialIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for _, q := range []string{
		`SELECT lead_id FROM events WHERE visitor_id = ? AND visitor_id <> '' AND lead_id IS NOT NULL LIMIT 1`,
		`UPDATE events SET lead_id = ? WHERE visitor_id = ? AND visitor_id <> '' AND lead_id IS NULL`,
	} {
		args := []any{"v1"}
		if strings.HasPrefix(q, "UPDATE") {
			args = []any{1, "v1"}
		}
		if got := dbtest.Plan(t, db, q, args...); !strings.Contains(got, "INDEX events_visitor") {
			t.Errorf("%s\nplan: %s", q, got)
		}
	}
}

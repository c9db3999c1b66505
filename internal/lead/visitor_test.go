package lead_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// The visitor index holds only events that have a visitor id; the two
// lookups by visitor must still use it rather than scan every event.
func TestVisitorLookupsUseThePartialIndex(t *testing.T) {
	db := dbtest.SQLite(t)
	for _, q := range []string{
		`SELECT l.id, COALESCE(l.owner_id, 0) FROM events e JOIN leads l ON l.id = e.lead_id
			WHERE e.visitor_id = ? AND e.visitor_id <> '' LIMIT 1`,
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

// A browser tied to Ann's lead counts for it, but Bob, in sales, cannot
// learn that lead's id, score or grade (nor add to it) by sending an
// event with the visitor id: he is refused as he is by the lead's id.
func TestEventByVisitorIsCheckedLikeByLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := lead.NewService(db)
		tm := newTeam(t, db)
		l, err := svc.Create(ctx, tm.admin, lead.Changes{"email": "ada@initech.com", "owner": "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordEvents(ctx, tm.ann, []lead.EventInput{{LeadID: l.ID, VisitorID: "v-ada", Type: "page_view"}}); err != nil {
			t.Fatal(err)
		}
		for _, e := range []lead.EventInput{{LeadID: l.ID, Type: "pricing_page_visit"}, {Email: l.Email, Type: "pricing_page_visit"},
			{VisitorID: "v-ada", Type: "pricing_page_visit"}} {
			res, err := svc.RecordEvents(ctx, tm.bob, []lead.EventInput{e})
			field := map[bool]string{true: "visitor_id", false: "lead_id"}[e.VisitorID != ""]
			if e.Email != "" {
				field = "email"
			}
			if fe := fault.As(err); fe == nil || fe.Code != fault.Forbidden || fe.Fields[field] == "" || len(res) > 0 && res[0].LeadID != 0 {
				t.Errorf("bob's event %+v: %+v %v", e, res, err)
			}
		}
		var n int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE lead_id = ?`, l.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("the lead has %d events after bob's refused ones, want 1 (%v)", n, err)
		}
		// Ann, and marketing, still reach the lead by the visitor.
		for _, a := range []access.Actor{tm.ann, tm.marketing} {
			res, err := svc.RecordEvents(ctx, a, []lead.EventInput{{VisitorID: "v-ada", Type: "page_view"}})
			if err != nil || res[0].LeadID != l.ID {
				t.Errorf("%s by visitor: %+v %v", a.Email, res, err)
			}
		}
		// An unknown visitor stays anonymous for everyone.
		if res, err := svc.RecordEvents(ctx, tm.bob, []lead.EventInput{{VisitorID: "v-new", Type: "page_view"}}); err != nil || res[0].LeadID != 0 {
			t.Errorf("anonymous visitor: %+v %v", res, err)
		}
	})
}

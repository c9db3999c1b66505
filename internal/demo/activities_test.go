package demo

import (
	"context"
	"testing"
	"time"

	act "leadflow/internal/activity"
	"leadflow/internal/calendar"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/user"
)

// What the demo's sales users did on a lead they did after it arrived: a
// first contact timed before the lead's creation read as nonsense on its
// timeline.
func TestDemoActivitiesFollowTheirLeads(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	leads := lead.NewService(db)
	svc := Services{Users: user.NewService(db), Leads: leads, Forms: forms.NewService(db, leads), CRM: crm.NewService(db, leads),
		Products: product.NewService(db), Invoices: invoice.NewService(db), Projects: project.NewService(db, leads),
		Activities: act.NewService(db, leads), Calendar: calendar.NewStore(db)}
	if err := Seed(ctx, svc, "a long demo password", 200, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	var done, early int
	err := db.R.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.due_at < l.created_at THEN 1 ELSE 0 END), 0)
		FROM activities a JOIN leads l ON l.id = a.lead_id WHERE a.status = 'done'`).Scan(&done, &early)
	if err != nil {
		t.Fatal(err)
	}
	if done == 0 || early > 0 {
		t.Errorf("%d of the %d activities done on leads were done before their lead arrived", early, done)
	}
}

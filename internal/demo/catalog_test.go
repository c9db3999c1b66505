package demo

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	solutions "leadflow/internal/catalog"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
	"leadflow/internal/user"
)

// The demo catalog loads whole: every row valid, products across the
// categories, and a typical request finds ranked matches in it.
func TestDemoCatalog(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	svc := solutions.NewService(db)
	if err := seedCatalog(ctx, svc); err != nil {
		t.Fatal(err)
	}
	all, _, err := svc.Solutions(ctx, solutions.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]int{}
	active := 0
	for _, s := range all {
		cats[s.Category]++
		if s.Active {
			active++
		}
	}
	if len(all) < 30 || len(cats) < 8 || active != len(all)-1 {
		t.Errorf("%d products in %d categories, %d active: %v", len(all), len(cats), active, cats)
	}
	sols, _ := svc.ForMatching(ctx)
	res := matching.Rank(matching.Request{Industry: "retail", Category: "crm", Deployments: []string{"cloud"}, Licences: 10,
		MustHave: []string{"contacts", "pipeline"}, NiceToHave: []string{"e-invoicing", "mobile-app"}, Languages: []string{"ro"},
		Budget: 300000, Currency: "EUR", BudgetPeriod: matching.Year}, sols, matching.DefaultConfig())
	if len(res.Ranked) < 2 || res.Ranked[0].Solution.Product != "Carpa CRM" {
		t.Errorf("a Romanian retailer's CRM request ranks %d, first %v", len(res.Ranked), res.Ranked)
	}
}

// The whole demo gets a software-request form with two visitors'
// answers and requests on qualified leads, most well matched and one
// that no product fits.
func TestDemoRequests(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	leads := lead.NewService(db)
	cat := solutions.NewService(db)
	svc := Services{Users: user.NewService(db), Leads: leads, Forms: forms.NewService(db, leads), CRM: crm.NewService(db, leads),
		Catalog: cat, Briefs: brief.NewService(db, leads, cat)}
	if err := Seed(ctx, svc, "a long demo password", 80, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Forms.PublicForm(ctx, "software-request"); err != nil {
		t.Errorf("no software-request form: %v", err)
	}
	var ids []int64
	rows, err := db.R.Query(ctx, `SELECT lead_id FROM software_requests ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != len(demoRequests) {
		t.Fatalf("%d requests, want %d", len(ids), len(demoRequests))
	}
	custom := 0
	for _, id := range ids {
		_, res, err := svc.Briefs.Matches(ctx, access.System, id)
		if err != nil {
			t.Fatal(err)
		}
		if res.NeedsCustom() {
			custom++
		}
	}
	if custom != 1 {
		t.Errorf("%d of %d demo requests need a custom project, want 1", custom, len(ids))
	}
}

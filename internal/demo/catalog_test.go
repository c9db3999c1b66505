package demo

import (
	"context"
	"testing"

	solutions "leadflow/internal/catalog"
	"leadflow/internal/dbtest"
	"leadflow/internal/matching"
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

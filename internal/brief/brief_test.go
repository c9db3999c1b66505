package brief_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/project"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type world struct {
	leads   *lead.Service
	catalog *catalog.Service
	briefs  *brief.Service
	sam     access.Actor // owns Ana's lead
	sue     access.Actor
	ana     lead.Lead
}

func setup(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	ctx := context.Background()
	w := world{leads: lead.NewService(db), catalog: catalog.NewService(db)}
	w.briefs = brief.NewService(db, w.leads, w.catalog)
	w.sam = usertest.Actor(t, db, "sam@example.com", access.Sales)
	w.sue = usertest.Actor(t, db, "sue@example.com", access.Sales)
	for _, f := range []catalog.Feature{{Key: "contacts", Name: "Contact management"}, {Key: "pipeline", Name: "Sales pipeline"}, {Key: "e-invoicing", Name: "E-invoicing"}} {
		if _, err := w.catalog.SaveFeature(ctx, access.System, f); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	w.ana, err = w.leads.Create(ctx, w.sam, lead.Changes{lead.FEmail: "ana@orbit.io", lead.FCompany: "Orbit", lead.FIndustry: "Retail"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func crmRequest() brief.Input {
	return brief.Input{Industry: "Retail", Category: "CRM", Deployments: []string{"cloud"}, Licences: "10", Budget: "3000",
		Currency: "eur", BudgetPeriod: "year", Timeline: "3m", MustHave: []string{"contacts", "pipeline"},
		NiceToHave: []string{"e-invoicing"}, Integrations: []string{"Outlook"}, Languages: []string{"ro"}, Notes: "Shops in Cluj and Iași."}
}

// The lead's owner saves a request; it is stored normalised, the lead's
// timeline says so, and another sales user can neither read nor write it.
func TestSaveRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, crmRequest())
		if err != nil {
			t.Fatal(err)
		}
		if r.Category != "crm" || r.Industry != "retail" || r.Budget != 300000 || r.Currency != "EUR" || r.Licences != 10 ||
			fmt.Sprint(r.MustHave) != "[contacts pipeline]" || r.Notes != "Shops in Cluj and Iași." || r.Version != 1 {
			t.Errorf("saved %+v", r)
		}
		tl, _ := w.leads.Timeline(ctx, w.sam, w.ana.ID)
		if len(tl) == 0 || tl[0].Kind != brief.KindRequest {
			t.Errorf("timeline %+v", tl)
		}
		if _, err := w.briefs.Get(ctx, w.sue, w.ana.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user read it: %v", err)
		}
		if _, err := w.briefs.Save(ctx, w.sue, w.ana.ID, 0, crmRequest()); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user wrote it: %v", err)
		}
		// An edit from version 1 after someone saved version 2 is refused.
		in := crmRequest()
		in.Licences = "12"
		if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 1, in); err != nil {
			t.Fatal(err)
		}
		if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 1, crmRequest()); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("a stale edit: %v", err)
		}
		if got, _ := w.briefs.Get(ctx, w.sam, w.ana.ID); got.Licences != 12 {
			t.Errorf("the stale edit overwrote: %d licences", got.Licences)
		}
	})
}

// Two people saving the first request of a lead at once make one
// request, on both databases; and of two edits from the same version,
// one wins and the other is told.
func TestConcurrentSaves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db)
		var fns []func() error
		for i := range 4 {
			in := crmRequest()
			in.Licences = fmt.Sprint(10 + i)
			fns = append(fns, func() error { _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, in); return err })
		}
		for _, err := range dbtest.Together(fns...) {
			if err != nil {
				t.Error(err)
			}
		}
		var n int
		db.R.QueryRow(ctx, `SELECT count(*) FROM software_requests`).Scan(&n)
		if r, _ := w.briefs.Get(ctx, w.sam, w.ana.ID); n != 1 || r.Version != 4 {
			t.Errorf("%d requests, version %d", n, r.Version)
		}
		errs := dbtest.Together(
			func() error { _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 4, crmRequest()); return err },
			func() error { _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 4, crmRequest()); return err })
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch fault.CodeOf(err) {
			case fault.Conflict:
				conflicts++
			default:
				if err == nil {
					ok++
				} else {
					t.Error(err)
				}
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Errorf("two edits of version 4: %d saved, %d conflicts", ok, conflicts)
		}
	})
}

// Every bad field is named and nothing is stored.
func TestRequestValidation(t *testing.T) {
	db := dbtest.SQLite(t)
	w := setup(t, db)
	in := brief.Input{Category: "", Deployments: []string{"fax"}, Licences: "0", Budget: "12.345", BudgetPeriod: "week",
		Horizon: "500", Timeline: "someday", MustHave: []string{"contacts", "telepathy"}, NiceToHave: []string{"contacts"},
		Languages: []string{"romanian"}, Notes: strings.Repeat("x", 5001)}
	_, err := w.briefs.Save(context.Background(), w.sam, w.ana.ID, 0, in)
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid {
		t.Fatalf("got %v", err)
	}
	for _, f := range []string{"category", "deployments", "licences", "budget", "horizon_months", "timeline", "must_have", "nice_to_have", "languages", "notes"} {
		if e.Fields[f] == "" {
			t.Errorf("%s not named: %v", f, e.Fields)
		}
	}
	if !strings.Contains(e.Fields["must_have"], "telepathy") || !strings.Contains(e.Fields["nice_to_have"], "must-have already") {
		t.Errorf("features: %v", e.Fields)
	}
	// A budget without a currency or period names them.
	in = crmRequest()
	in.Currency, in.BudgetPeriod = "", ""
	_, err = w.briefs.Save(context.Background(), w.sam, w.ana.ID, 0, in)
	if e := fault.As(err); e == nil || e.Fields["currency"] == "" || e.Fields["budget_period"] == "" {
		t.Errorf("budget without currency and period: %v", err)
	}
	if _, err := w.briefs.Get(context.Background(), w.sam, w.ana.ID); fault.CodeOf(err) != fault.NotFound {
		t.Errorf("a refused request was stored: %v", err)
	}
}

// A public form's answers, features written by name, prefill a request.
func TestFromAnswers(t *testing.T) {
	names := map[string]string{"contacts": "Contact management", "pipeline": "Sales pipeline"}
	in, ok := brief.FromAnswers("Retail", map[string]string{"app_category": "CRM", "deployment": "cloud", "licences": "8",
		"budget": "200", "budget_currency": "EUR", "budget_period": "month", "timeline": "Within 6 months",
		"must_have": "Contact management, sales pipeline", "nice_to_have": "drones", "request_notes": "Two shops"}, names)
	if !ok || in.Category != "CRM" || fmt.Sprint(in.MustHave) != "[contacts pipeline]" || fmt.Sprint(in.NiceToHave) != "[drones]" ||
		in.Timeline != "6m" || in.Licences != "8" || in.Notes != "Two shops" {
		t.Errorf("%v %+v", ok, in)
	}
	if _, ok := brief.FromAnswers("", map[string]string{"use_case": "x"}, names); ok {
		t.Errorf("answers without a category made a request")
	}
}

// Matches are ranked afresh: a product added to the catalog, or made
// inactive, changes the next answer at once.
func TestMatchesFollowTheCatalog(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	w := setup(t, db)
	if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, crmRequest()); err != nil {
		t.Fatal(err)
	}
	_, res, err := w.briefs.Matches(ctx, w.sam, w.ana.ID)
	if err != nil || len(res.Ranked) != 0 || !res.NeedsCustom() {
		t.Fatalf("empty catalog: %+v %v", res, err)
	}
	sol, err := w.catalog.Create(ctx, access.System, catalog.Input{Vendor: "Carpathia", Product: "Carpa CRM", Category: "crm",
		Industries: []string{"retail"}, Deployments: []string{"cloud"}, Features: []string{"contacts", "pipeline", "e-invoicing"},
		Integrations: []string{"outlook"}, Languages: []string{"ro"}, Price: "14.50", PricePeriod: "month", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	_, res, _ = w.briefs.Matches(ctx, w.sam, w.ana.ID)
	// 10 × 14.50 × 12 = 1,740 EUR against 3,000 a year: every point.
	if len(res.Ranked) != 1 || res.Ranked[0].Score != 100 || res.NeedsCustom() {
		t.Fatalf("after adding Carpa: %+v", res.Ranked)
	}
	in := catalog.InputOf(sol)
	in.Active = "false"
	if _, err := w.catalog.Update(ctx, access.System, sol.ID, 0, in); err != nil {
		t.Fatal(err)
	}
	if _, res, _ = w.briefs.Matches(ctx, w.sam, w.ana.ID); len(res.Ranked) != 0 {
		t.Errorf("an inactive product still matched")
	}
	if _, _, err := w.briefs.Matches(ctx, w.sue, w.ana.ID); fault.CodeOf(err) != fault.Forbidden {
		t.Errorf("another sales user saw the matches: %v", err)
	}
}

// A request that nothing fits opens a custom project, seeded from the
// request; saving it again does not open another; a request with a good
// match opens none.
func TestNothingFitsOpensCustomProject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db)
		projects := project.NewService(db, w.leads)
		w.briefs.Projects = projects
		if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, crmRequest()); err != nil {
			t.Fatal(err)
		}
		ps, err := projects.ForLead(ctx, w.sam, w.ana.ID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("%d projects: %v", len(ps), err)
		}
		p := ps[0]
		var feats []string
		for _, f := range p.Features {
			feats = append(feats, f.Name)
		}
		if p.Title != "Custom crm for Orbit" || p.Reason != "no solution in the catalog passes the request's filters" ||
			strings.Join(feats, ",") != "Contact management,Sales pipeline,E-invoicing" || strings.Join(p.AppTypes, ",") != "cloud" ||
			p.Checklist["integrations"].Notes != "Needs: outlook" {
			t.Errorf("project %+v", p)
		}
		if _, err := w.briefs.Save(ctx, w.sam, w.ana.ID, 0, crmRequest()); err != nil {
			t.Fatal(err)
		}
		if ps, _ := projects.ForLead(ctx, w.sam, w.ana.ID); len(ps) != 1 {
			t.Errorf("saved again: %d projects", len(ps))
		}
		// A fitting product for another lead: no project.
		if _, err := w.catalog.Create(ctx, access.System, catalog.Input{Vendor: "C", Product: "Carpa", Category: "crm", Industries: []string{"retail"},
			Deployments: []string{"cloud"}, Features: []string{"contacts", "pipeline", "e-invoicing"}, Integrations: []string{"outlook"},
			Languages: []string{"ro"}, Price: "10", PricePeriod: "month", Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		ben, _ := w.leads.Create(ctx, w.sam, lead.Changes{lead.FEmail: "ben@shop.example"})
		if _, err := w.briefs.Save(ctx, w.sam, ben.ID, 0, crmRequest()); err != nil {
			t.Fatal(err)
		}
		if ps, _ := projects.ForLead(ctx, w.sam, ben.ID); len(ps) != 0 {
			t.Errorf("a well matched request opened %d projects", len(ps))
		}
	})
}

package project_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/project"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func setup(t *testing.T, db *sqldb.DB) (*project.Service, *lead.Service, access.Actor, access.Actor, lead.Lead) {
	t.Helper()
	leads := lead.NewService(db)
	sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
	sue := usertest.Actor(t, db, "sue@example.com", access.Sales)
	l, err := leads.Create(context.Background(), sam, lead.Changes{lead.FEmail: "ana@farm.example", lead.FCompany: "Agro Nord"})
	if err != nil {
		t.Fatal(err)
	}
	return project.NewService(db, leads), leads, sam, sue, l
}

// A sales user opens a project by hand on their lead, works out the
// features and their effort, and sends the estimate: the range is the
// features' effort times the day rate, and the lead's timeline follows.
func TestOpenEstimateAndStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc, leads, sam, sue, l := setup(t, db)
		p, err := svc.Open(ctx, sam, l.ID, project.Input{Title: "Harvest tracker", AppTypes: []string{"mobile", "Web"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != project.Analysis || p.Reason != "opened by hand" || strings.Join(p.AppTypes, ",") != "mobile,web" {
			t.Errorf("opened %+v", p)
		}
		if _, err := svc.Get(ctx, sue, p.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user read it: %v", err)
		}
		// Sending an estimate needs features and a rate.
		in := project.InputOf(p)
		in.Status = string(project.EstimateSent)
		_, err = svc.Update(ctx, sam, p.ID, p.Version, in)
		if e := fault.As(err); e == nil || e.Fields["features"] == "" || e.Fields["day_rate"] == "" {
			t.Fatalf("an estimate without features or rate: %v", err)
		}
		in.Features = []project.FeatureInput{{Name: "Field log offline", DaysLow: "5", DaysHigh: "8"},
			{Name: "Yield reports", DaysLow: "3", DaysHigh: "4.5"}, {}}
		in.DayRate, in.Currency = "400", "eur"
		in.Checklist = map[string]project.Check{"processes": {Done: true, Notes: "Harvest, weighing, storage"}}
		p2, err := svc.Update(ctx, sam, p.ID, p.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		e := p2.Estimate()
		if e.DaysLow != 8 || e.DaysHigh != 12.5 || e.Low != 320000 || e.High != 500000 || p2.Currency != "EUR" || len(p2.Features) != 2 {
			t.Errorf("estimate %+v of %+v", e, p2)
		}
		if !p2.Checklist["processes"].Done {
			t.Errorf("checklist %v", p2.Checklist)
		}
		if _, err := svc.Update(ctx, sam, p.ID, p.Version, in); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("an edit from a stale version: %v", err)
		}
		tl, _ := leads.Timeline(ctx, sam, l.ID)
		if len(tl) < 2 || tl[0].Kind != project.KindProject || !strings.Contains(tl[0].Reason, "Estimate sent") {
			t.Errorf("timeline %+v", tl[0])
		}
	})
}

func TestValidation(t *testing.T) {
	db := dbtest.SQLite(t)
	svc, _, sam, _, l := setup(t, db)
	_, err := svc.Open(context.Background(), sam, l.ID, project.Input{Status: "dreaming", AppTypes: []string{"fax"},
		Checklist: map[string]project.Check{"budget": {}}, Features: []project.FeatureInput{{Name: "", DaysLow: "x"}, {Name: "B", DaysLow: "5", DaysHigh: "2"}},
		DayRate: "400"})
	e := fault.As(err)
	if e == nil {
		t.Fatal("accepted")
	}
	for _, f := range []string{"title", "status", "app_types", "checklist.budget", "features.0.name", "features.0.days_low", "features.1.days_high", "currency"} {
		if e.Fields[f] == "" {
			t.Errorf("%s not named: %v", f, e.Fields)
		}
	}
}

// Two requests saved at once for a lead that nothing fits open one
// project, on both databases.
func TestOpenIfNoneOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc, _, sam, _, l := setup(t, db)
		var fns []func() error
		for range 4 {
			fns = append(fns, func() error {
				_, _, err := svc.OpenIfNone(ctx, sam, l.ID, project.Project{Title: "Custom crm", Reason: "nothing fits"})
				return err
			})
		}
		for _, err := range dbtest.Together(fns...) {
			if err != nil {
				t.Error(err)
			}
		}
		ps, err := svc.ForLead(ctx, sam, l.ID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("%d projects, %v", len(ps), err)
		}
		// Once rejected, a new one may be opened.
		in := project.InputOf(ps[0])
		in.Status = string(project.Rejected)
		if _, err := svc.Update(ctx, sam, ps[0].ID, 0, in); err != nil {
			t.Fatal(err)
		}
		if _, created, err := svc.OpenIfNone(ctx, sam, l.ID, project.Project{Title: "Again", Reason: "nothing fits"}); err != nil || !created {
			t.Errorf("after a rejection: created %v, %v", created, err)
		}
	})
}

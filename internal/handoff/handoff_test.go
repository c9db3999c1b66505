package handoff_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/handoff"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type world struct {
	svc   *handoff.Service
	leads *lead.Service
	sam   access.Actor
	sue   access.Actor
	lead  lead.Lead
	sols  map[string]int64
}

func setup(t *testing.T, db *sqldb.DB, stage lead.Stage) world {
	t.Helper()
	ctx := context.Background()
	leads, cat := lead.NewService(db), catalog.NewService(db)
	briefs := brief.NewService(db, leads, cat)
	w := world{svc: handoff.NewService(db, leads, briefs, cat), leads: leads, sols: map[string]int64{},
		sam: usertest.Actor(t, db, "sam@example.com", access.Sales), sue: usertest.Actor(t, db, "sue@example.com", access.Sales)}
	if _, err := cat.SaveFeature(ctx, access.System, catalog.Feature{Key: "contacts", Name: "Contact management"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []catalog.Input{
		{Vendor: "Carpathia", Product: "Carpa CRM", ContactName: "Radu", ContactEmail: "radu@carpa.example"},
		{Vendor: "Kite", Product: "Kite CRM", ContactEmail: "hello@kite.example"},
		{Vendor: "Nobody", Product: "Silent CRM"},
		{Vendor: "Ledger", Product: "Books", Category: "accounting", ContactEmail: "x@ledger.example"},
	} {
		if in.Category == "" {
			in.Category = "crm"
		}
		in.Deployments, in.Features, in.Price, in.PricePeriod, in.Currency = []string{"cloud"}, []string{"contacts"}, "10", "month", "EUR"
		s, err := cat.Create(ctx, access.System, in)
		if err != nil {
			t.Fatal(err)
		}
		w.sols[in.Product] = s.ID
	}
	var err error
	w.lead, err = leads.Create(ctx, w.sam, lead.Changes{lead.FEmail: "ana@shop.example", lead.FCompany: "Lumen", lead.FStage: string(stage)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := briefs.Save(ctx, w.sam, w.lead.ID, 0, brief.Input{Category: "crm", Licences: "5", MustHave: []string{"contacts"}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// A sales-ready lead's brief goes to the vendors chosen among its
// matches; a vendor without a contact, or not among the matches, is
// named; sending again skips who has it; the timeline says who got it.
func TestSendBrief(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db, lead.SQL)
		_, err := w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Silent CRM"], w.sols["Books"]})
		e := fault.As(err)
		if e == nil || !strings.Contains(e.Fields["solution_ids"], "not among the lead's ranked matches") {
			t.Errorf("unfit choices: %v", err)
		}
		if _, err := w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Silent CRM"]}); fault.As(err) == nil ||
			!strings.Contains(fault.As(err).Fields["solution_ids"], "no vendor contact email for Silent CRM") {
			t.Errorf("no contact: %v", err)
		}
		res, err := w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Carpa CRM"], w.sols["Kite CRM"]})
		if err != nil || len(res.Sent) != 2 || res.Emailed {
			t.Fatalf("send: %+v %v", res, err)
		}
		if h := res.Sent[0]; h.ContactEmail != "radu@carpa.example" || h.Status != handoff.Awaiting || h.Cost != 5*1000*12 {
			t.Errorf("hand-off %+v", h)
		}
		res, err = w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Carpa CRM"]})
		if err != nil || len(res.Sent) != 0 || strings.Join(res.Already, ",") != "Carpa CRM" {
			t.Errorf("again: %+v %v", res, err)
		}
		tl, _ := w.leads.Timeline(ctx, w.sam, w.lead.ID)
		if tl[0].Kind != handoff.KindHandoff || tl[0].Reason != "brief sent to Carpathia (Carpa CRM), Kite (Kite CRM)" {
			t.Errorf("timeline: %+v", tl[0])
		}
		if _, err := w.svc.Send(ctx, w.sue, w.lead.ID, []int64{w.sols["Kite CRM"]}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user sent it: %v", err)
		}
	})
}

// A lead that is not sales-ready keeps its brief.
func TestNotSalesReady(t *testing.T) {
	db := dbtest.SQLite(t)
	w := setup(t, db, lead.MQL)
	_, err := w.svc.Send(context.Background(), w.sam, w.lead.ID, []int64{w.sols["Carpa CRM"]})
	if e := fault.As(err); e == nil || !strings.Contains(e.Fields["stage"], "it is mql") {
		t.Errorf("an MQL's brief went out: %v", err)
	}
}

// Vendors' answers are recorded; two answers at once to one hand-off:
// one is taken, the other told; concurrent sends make one hand-off per
// vendor.
func TestAnswersAndConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := setup(t, db, lead.SQL)
		errs := dbtest.Together(
			func() error { _, err := w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Carpa CRM"]}); return err },
			func() error { _, err := w.svc.Send(ctx, w.sam, w.lead.ID, []int64{w.sols["Carpa CRM"]}); return err })
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		hs, _ := w.svc.ForLead(ctx, w.sam, w.lead.ID)
		if len(hs) != 1 {
			t.Fatalf("%d hand-offs after two concurrent sends", len(hs))
		}
		if _, err := w.svc.Answer(ctx, w.sam, hs[0].ID, "maybe", ""); fault.As(err) == nil || fault.As(err).Fields["status"] == "" {
			t.Errorf("a bad answer: %v", err)
		}
		errs = dbtest.Together(
			func() error {
				_, err := w.svc.Answer(ctx, w.sam, hs[0].ID, handoff.Accepted, "Offer by Friday")
				return err
			},
			func() error { _, err := w.svc.Answer(ctx, w.sam, hs[0].ID, handoff.Declined, ""); return err })
		// Either one is refused, or they came one after the other; either
		// way the timeline's chain of answers has no gap and ends where
		// the hand-off is.
		for _, err := range errs {
			if err != nil && fault.CodeOf(err) != fault.Conflict {
				t.Error(err)
			}
		}
		hs, _ = w.svc.ForLead(ctx, w.sam, hs[0].LeadID)
		tl, _ := w.leads.Timeline(ctx, w.sam, w.lead.ID)
		from := handoff.Awaiting
		for i := len(tl) - 1; i >= 0; i-- {
			if d, ok := tl[i].Detail["handoff_status"]; ok {
				if d[0] != from {
					t.Errorf("the timeline says %s → %s after %s", d[0], d[1], from)
				}
				from = d[1]
			}
		}
		if from != hs[0].Status || hs[0].Status == handoff.Awaiting || hs[0].AnsweredAt == nil {
			t.Errorf("the hand-off is %s, the timeline ends at %s", hs[0].Status, from)
		}
		if _, err := w.svc.Answer(ctx, w.sue, hs[0].ID, handoff.Declined, ""); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user answered: %v", err)
		}
	})
}

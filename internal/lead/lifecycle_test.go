package lead_test

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

func TestMoveRules(t *testing.T) {
	cases := []struct {
		m    lead.Move
		want bool
	}{
		{lead.Move{From: lead.Subscriber, To: lead.StageLead}, true},
		{lead.Move{From: lead.StageLead, To: lead.MQL}, true},
		{lead.Move{From: lead.MQL, To: lead.SQL}, false},
		{lead.Move{From: lead.MQL, To: lead.SQL, Qualified: true}, true},
		{lead.Move{From: lead.MQL, To: lead.SQL, Admin: true}, false},
		{lead.Move{From: lead.MQL, To: lead.SQL, Admin: true, Reason: "qualified on the phone"}, true},
		{lead.Move{From: lead.SQL, To: lead.Opportunity}, true},
		{lead.Move{From: lead.Opportunity, To: lead.Customer}, true},
		{lead.Move{From: lead.Subscriber, To: lead.Customer}, false},
		{lead.Move{From: lead.Subscriber, To: lead.Customer, Admin: true}, false},
		{lead.Move{From: lead.Subscriber, To: lead.Customer, Admin: true, Reason: "signed at the trade fair"}, true},
		{lead.Move{From: lead.SQL, To: lead.Nurturing}, false},
		{lead.Move{From: lead.SQL, To: lead.Nurturing, Reason: "budget next year"}, true},
		{lead.Move{From: lead.SQL, To: lead.Disqualified, Reason: "didn't like us"}, false},
		{lead.Move{From: lead.SQL, To: lead.Disqualified, Reason: "Competitor"}, true},
		{lead.Move{From: lead.Disqualified, To: lead.StageLead}, true},
		{lead.Move{From: lead.Disqualified, To: lead.SQL}, false},
		{lead.Move{From: lead.Customer, To: lead.StageLead}, false},
		{lead.Move{From: lead.Nurturing, To: lead.MQL}, true},
		{lead.Move{From: lead.MQL, To: lead.MQL}, true},
	}
	for _, c := range cases {
		if why := c.m.Check(); (why == "") != c.want {
			t.Errorf("%s → %s (reason %q, admin %v, qualified %v): %q", c.m.From, c.m.To, c.m.Reason, c.m.Admin, c.m.Qualified, why)
		}
	}
}

func TestTimeInStages(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := lead.Lead{Stage: lead.SQL, CreatedAt: t0}
	tl := []lead.Change{
		{Kind: lead.KindStage, At: t0.Add(72 * time.Hour), Detail: map[string][2]string{"stage": {"mql", "sql"}}},
		{Kind: lead.KindUpdated, At: t0.Add(1 * time.Hour)},
		{Kind: lead.KindStage, At: t0.Add(24 * time.Hour), Detail: map[string][2]string{"stage": {"lead", "mql"}}},
	}
	spans := lead.TimeInStages(l, tl, t0.Add(100*time.Hour))
	if len(spans) != 3 || spans[0].Stage != lead.StageLead || spans[0].Duration != 24*time.Hour ||
		spans[1].Stage != lead.MQL || spans[1].Duration != 48*time.Hour || spans[2].Stage != lead.SQL || spans[2].Duration != 28*time.Hour {
		t.Errorf("spans %+v", spans)
	}
}

func TestStageChangesAndBANT(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		l, err := svc.Create(ctx, tm.ann, lead.Changes{"email": "buyer@kite.io", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Update(ctx, tm.ann, l.ID, lead.Changes{"stage": "sql"})
		if e := fault.As(err); e == nil || e.Fields["stage"] == "" {
			t.Fatalf("MQL to SQL without BANT: %v", err)
		}
		_, err = svc.Update(ctx, tm.ann, l.ID, lead.Changes{"stage": "customer"})
		if e := fault.As(err); e == nil || e.Fields["stage"] == "" {
			t.Fatalf("sales jumping to customer: %v", err)
		}

		budget := int64(40000)
		bad := lead.BANT{BudgetAmount: &budget, BudgetCurrency: "euro", Authority: "boss", Timing: "soon", Outcome: "won"}
		_, err = svc.Qualify(ctx, tm.ann, l.ID, bad)
		if e := fault.As(err); e == nil || len(e.Fields) != 5 {
			t.Fatalf("bad BANT: %v", err)
		}
		good := lead.BANT{BudgetAmount: &budget, BudgetCurrency: "eur", Authority: lead.DecisionMaker,
			Need: "Replace spreadsheets for 12 sales reps", Timing: "2027-Q1", Outcome: lead.SQL}
		q, err := svc.Qualify(ctx, tm.ann, l.ID, good)
		if err != nil || q.Stage != lead.SQL {
			t.Fatalf("qualify: %+v %v", q, err)
		}
		b, _ := svc.Qualification(ctx, tm.ann, l.ID)
		if b == nil || *b.BudgetAmount != 40000 || b.BudgetCurrency != "EUR" || b.DecidedBy != "ann@example.com" {
			t.Errorf("stored qualification %+v", b)
		}
		tl, _ := svc.Timeline(ctx, tm.admin, l.ID)
		if tl[0].Kind != lead.KindStage || tl[0].Reason != "passed BANT qualification" || tl[0].ActorEmail != "ann@example.com" {
			t.Errorf("stage entry %+v", tl[0])
		}

		// Back to nurturing needs a reason; then it is recorded.
		if _, err := svc.Update(ctx, tm.ann, l.ID, lead.Changes{"stage": "nurturing"}); fault.As(err) == nil {
			t.Error("nurturing without a reason was accepted")
		}
		if _, err := svc.Update(ctx, tm.ann, l.ID, lead.Changes{"stage": "nurturing", "stage_reason": "budget frozen until March"}); err != nil {
			t.Fatal(err)
		}
		tl, _ = svc.Timeline(ctx, tm.admin, l.ID)
		if tl[0].Reason != "budget frozen until March" {
			t.Errorf("nurturing reason %+v", tl[0])
		}
		// An admin may jump, with a reason.
		if _, err := svc.Update(ctx, tm.admin, l.ID, lead.Changes{"stage": "customer", "stage_reason": "signed offline"}); err != nil {
			t.Errorf("admin jump: %v", err)
		}

		// BANT is for MQLs; a disqualifying outcome needs a listed reason.
		other, _ := svc.Create(ctx, tm.admin, lead.Changes{"email": "maybe@kite.io", "stage": "mql"})
		no := lead.BANT{Authority: lead.Unknown, Need: "curious", Timing: "2027-12-31", Outcome: lead.Disqualified, Reason: "No budget"}
		if q, err := svc.Qualify(ctx, tm.admin, other.ID, no); err != nil || q.Stage != lead.Disqualified {
			t.Errorf("disqualify through BANT: %+v %v", q, err)
		}
		if _, err := svc.Qualify(ctx, tm.admin, other.ID, good); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("qualifying a disqualified lead: %v", err)
		}
	})
}

package lead_test

import (
	"context"
	"sync"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

var formOrigin = lead.Origin{Channel: "form", Reason: `form "Contact us"`, EventType: "form_submit", Props: map[string]string{"form": "contact"}}

func TestIntakeFillsNeverOverwritesAndRecordsConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := lead.NewService(db)
		admin := newTeam(t, db).admin

		first, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "Jo@Acme.io", "first_name": "Jo", "company": "Acme"}, Origin: formOrigin})
		if err != nil || !first.Created {
			t.Fatalf("first submission: %+v %v", first, err)
		}
		again, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{
			"email": "jo@ACME.IO", "first_name": "Joanna", "company": "Acme", "job_title": "CTO", "consent": "true",
			"custom.budget": "10000",
		}, Origin: formOrigin})
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.Lead.ID != first.Lead.ID {
			t.Fatalf("the same email in another case made a second lead: %+v", again)
		}
		l, _ := svc.Get(ctx, admin, first.Lead.ID)
		if l.FirstName != "Jo" || l.JobTitle != "CTO" || !l.Consent || l.Custom["budget"] != "10000" {
			t.Errorf("after the resubmission: first name %q (kept), job %q and consent %v and budget %q (filled)",
				l.FirstName, l.JobTitle, l.Consent, l.Custom["budget"])
		}
		if again.Conflicts["first_name"] != [2]string{"Jo", "Joanna"} || len(again.Conflicts) != 1 {
			t.Errorf("conflicts = %v", again.Conflicts)
		}
		tl, _ := svc.Timeline(ctx, admin, l.ID)
		kinds := map[string]int{}
		for _, c := range tl {
			kinds[c.Kind]++
		}
		if kinds["created"] != 1 || kinds["updated"] != 1 || kinds["conflict"] != 1 {
			t.Errorf("timeline kinds %v", kinds)
		}
		events, _ := svc.Events(ctx, l.ID, 10)
		if len(events) != 2 || events[0].Type != "form_submit" || events[0].Properties["form"] != "contact" {
			t.Errorf("events %+v", events)
		}

		// An import row without an event type leaves a resubmit event on a match only.
		imp := lead.Origin{Channel: "import", Reason: "import 1"}
		r, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "jo@acme.io", "consent": "false"}, Origin: imp})
		if err != nil || r.Changed() {
			t.Errorf("an import saying consent=false withdrew consent or changed the lead: %+v %v", r, err)
		}
		if events, _ := svc.Events(ctx, l.ID, 10); events[0].Type != lead.EventResubmit {
			t.Errorf("no resubmit event: %+v", events[0])
		}

		_, err = svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "bad", "employees": "-1"}, Origin: imp})
		if e := fault.As(err); e == nil || e.Fields["email"] == "" || e.Fields["employees"] == "" {
			t.Errorf("invalid intake: %v", err)
		}
	})
}

func TestIntakeBatchKeepsGoodRowsAndRestoresExports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := lead.NewService(db)
		newTeam(t, db)
		imp := lead.Origin{Channel: "import", Reason: "import 7"}
		res, errs, err := svc.IntakeBatch(ctx, []lead.Incoming{
			{Changes: lead.Changes{"email": "a@x.io", "created_at": "2025-01-02T03:04:05Z", "consent": "true", "consent_at": "2025-01-02T03:04:05Z", "owner": "ann@example.com"}, Origin: imp},
			{Changes: lead.Changes{"email": "nope"}, Origin: imp},
			{Changes: lead.Changes{"email": "A@x.io", "company": "X"}, Origin: imp},
		})
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || errs[1] == nil || errs[2] != nil {
			t.Fatalf("errs = %v", errs)
		}
		if !res[0].Created || res[2].Created || res[2].Filled["company"] != [2]string{"", "X"} {
			t.Errorf("results %+v", res)
		}
		if got := res[0].Lead.CreatedAt.Format("2006-01-02T15:04:05Z"); got != "2025-01-02T03:04:05Z" || res[0].Lead.OwnerEmail != "ann@example.com" {
			t.Errorf("restored created_at %s owner %q", got, res[0].Lead.OwnerEmail)
		}
	})
}

// TestConcurrentIdenticalSubmissionsMakeOneLead sends the same new email
// from many goroutines at once.
func TestConcurrentIdenticalSubmissionsMakeOneLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := lead.NewService(db)
		var wg sync.WaitGroup
		created := make(chan bool, 24)
		for i := 0; i < 24; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "rush@x.io", "company": "Rush"}, Origin: formOrigin})
				if err != nil {
					t.Error(err)
				}
				created <- r.Created
			}()
		}
		wg.Wait()
		close(created)
		n := 0
		for c := range created {
			if c {
				n++
			}
		}
		p, _ := svc.List(ctx, access.Actor{Role: access.Admin}, lead.Filter{Sort: "created_at", Limit: 10}, true)
		if n != 1 || p.Total != 1 {
			t.Errorf("%d submissions reported creating, %d leads exist; want 1 and 1", n, p.Total)
		}
		events, _ := svc.Events(ctx, p.Leads[0].ID, 100)
		if len(events) != 24 {
			t.Errorf("%d form_submit events, want 24", len(events))
		}
	})
}

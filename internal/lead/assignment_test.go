package lead_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/assign"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

func TestAssignmentRulesFallbackAndSLA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return now })
		rules := svc.Assignment()
		mustSave := func(in assign.Input) {
			t.Helper()
			if _, err := rules.Save(ctx, access.System, 0, in); err != nil {
				t.Fatal(err)
			}
		}
		mustSave(assign.Input{Name: "EMEA", Countries: "Germany, FR, uk", Members: "ann@example.com, bob@example.com"})
		// Added second but placed first: big DACH companies go to Ann alone.
		mustSave(assign.Input{Name: "DACH enterprise", Countries: "DE, AT, CH", MinEmployees: "500",
			Members: "ann@example.com", Position: "1"})
		mustSave(assign.Input{Name: "Account executives", AppliesTo: "qualified", Members: "mia@example.com"})
		if err := rules.SaveSettings(ctx, access.System, "bob@example.com", map[string]string{"hot": "4", "cold": "48"}); err != nil {
			t.Fatal(err)
		}
		got, _ := rules.Rules(ctx)
		if len(got) != 3 || got[0].Name != "DACH enterprise" || got[1].Name != "EMEA" {
			t.Fatalf("rule order %+v", got)
		}

		create := func(email, country, employees string) lead.Lead {
			t.Helper()
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": email, "country": country, "employees": employees})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		big := create("cfo@bigcorp.de", "DE", "5000")
		if big.OwnerEmail != "ann@example.com" {
			t.Errorf("big DACH lead went to %q", big.OwnerEmail)
		}
		var emea []string
		for i := range 4 {
			emea = append(emea, create(fmt.Sprintf("p%d@shop.fr", i), "FR", "20").OwnerEmail)
		}
		if fmt.Sprint(emea) != "[ann@example.com bob@example.com ann@example.com bob@example.com]" {
			t.Errorf("EMEA round robin gave %v", emea)
		}
		us := create("dev@startup.io", "US", "")
		if us.OwnerEmail != "bob@example.com" {
			t.Errorf("unmatched lead went to %q, not the fallback owner", us.OwnerEmail)
		}
		if us.ContactDueAt == nil || !us.ContactDueAt.Equal(now.Add(48*time.Hour)) {
			t.Errorf("cold lead due %v, want 48 h after %v", us.ContactDueAt, now)
		}
		tl, _ := svc.Timeline(ctx, tm.admin, us.ID)
		if tl[0].Kind != lead.KindOwner || tl[0].Reason != "fallback owner: no assignment rule matched" {
			t.Errorf("assignment not recorded: %+v", tl[0])
		}

		// Two days on, the leads nobody contacted are overdue for their owner.
		now = now.Add(49 * time.Hour)
		f, _ := lead.ParseFilter(map[string][]string{"contact": {"overdue"}, "owner": {"me"}})
		p, err := svc.List(ctx, tm.bob, f, true)
		if err != nil || p.Total != 3 || !p.Leads[0].Overdue(now) {
			t.Fatalf("bob's overdue leads: %d %v", p.Total, err)
		}
		if _, err := svc.MarkContacted(ctx, tm.bob, us.ID); err != nil {
			t.Fatal(err)
		}
		p, _ = svc.List(ctx, tm.bob, f, true)
		if p.Total != 2 {
			t.Errorf("after a first contact, %d overdue, want 2", p.Total)
		}
		if _, err := svc.MarkContacted(ctx, tm.bob, big.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("bob logged contact on Ann's lead: %v", err)
		}

		// A qualified lead goes to the account executives, with a new clock.
		l, err := svc.Update(ctx, tm.ann, big.ID, lead.Changes{"stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		budget := int64(90000)
		l, err = svc.Qualify(ctx, tm.ann, l.ID, lead.BANT{BudgetAmount: &budget, BudgetCurrency: "EUR",
			Authority: lead.DecisionMaker, Need: "CRM for 40 reps", Timing: "2027-Q2", Outcome: lead.SQL})
		if err != nil || l.OwnerEmail != "mia@example.com" || l.ContactedAt != nil || !l.ContactDueAt.After(now) {
			t.Fatalf("qualified lead: owner %q contacted %v due %v (%v)", l.OwnerEmail, l.ContactedAt, l.ContactDueAt, err)
		}
		tl, _ = svc.Timeline(ctx, tm.admin, l.ID)
		var kinds []string
		for _, c := range tl[:4] {
			kinds = append(kinds, c.Kind)
		}
		if fmt.Sprint(kinds) != "[owner stage qualified contacted]" || tl[0].Reason != `assignment rule "Account executives"` {
			t.Errorf("timeline after qualification: %v %q", kinds, tl[0].Reason)
		}

		// A manual reassignment is recorded and restarts the clock.
		l, err = svc.Update(ctx, tm.admin, l.ID, lead.Changes{"owner": "bob@example.com"})
		if err != nil || l.ContactDueAt == nil || l.ContactedAt != nil {
			t.Fatalf("reassigned: %+v %v", l, err)
		}
		tl, _ = svc.Timeline(ctx, tm.admin, l.ID)
		if tl[0].Kind != lead.KindOwner || tl[0].Detail["owner"] != [2]string{"mia@example.com", "bob@example.com"} || tl[0].ActorEmail != "admin@example.com" {
			t.Errorf("reassignment entry %+v", tl[0])
		}
	})
}

func TestAssignmentRuleValidation(t *testing.T) {
	db := dbtest.SQLite(t)
	newTeam(t, db)
	_, err := lead.NewService(db).Assignment().Save(context.Background(), access.System, 0, assign.Input{
		AppliesTo: "sometimes", Countries: "Atlantis", MinEmployees: "many", MaxEmployees: "-3", Members: "nobody@example.com"})
	e := fault.As(err)
	if e == nil {
		t.Fatal("a bad rule was saved")
	}
	for _, f := range []string{"name", "applies_to", "countries", "min_employees", "max_employees", "members"} {
		if e.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, e.Fields)
		}
	}
}

// Leads arriving at once are shared out evenly: the rule's turn is taken
// inside each lead's transaction.
func TestRoundRobinIsFairUnderConcurrentLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		if _, err := svc.Assignment().Save(ctx, access.System, 0, assign.Input{Name: "Everyone",
			Members: "ann@example.com, bob@example.com, mia@example.com"}); err != nil {
			t.Fatal(err)
		}
		const n = 60
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": fmt.Sprintf("rr%d@example.org", i)},
					Origin: lead.Origin{Channel: "form", Reason: "test"}})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		counts := map[string]int{}
		for _, owner := range []string{"ann@example.com", "bob@example.com", "mia@example.com"} {
			f, _ := lead.ParseFilter(map[string][]string{"owner": {owner}})
			p, err := svc.List(ctx, tm.admin, f, true)
			if err != nil {
				t.Fatal(err)
			}
			counts[owner] = p.Total
		}
		for owner, c := range counts {
			if c != n/3 {
				t.Errorf("%s got %d of %d leads: %v", owner, c, n, counts)
			}
		}
	})
}

// TestDisabledUsersAreGivenNoLeads: a disabled member is passed over by
// the round-robin, and a disabled fallback owner leaves leads unassigned.
func TestDisabledUsersAreGivenNoLeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		newTeam(t, db)
		svc := lead.NewService(db)
		if _, err := svc.Assignment().Save(ctx, access.System, 0, assign.Input{Name: "Pair", Countries: "NO",
			Members: "ann@example.com, bob@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Assignment().SaveSettings(ctx, access.System, "bob@example.com", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `UPDATE users SET disabled_at = 1 WHERE email = 'bob@example.com'`); err != nil {
			t.Fatal(err)
		}
		svc = lead.NewService(db) // a fresh cache, as after cacheFor
		owners := map[string]int{}
		for i := range 4 {
			res, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": fmt.Sprintf("d%d@example.no", i), "country": "NO"},
				Origin: lead.Origin{Channel: "form", Reason: "test"}})
			if err != nil {
				t.Fatal(err)
			}
			owners[res.Lead.OwnerEmail]++
		}
		if owners["ann@example.com"] != 4 {
			t.Errorf("owners with bob disabled: %v, want all four for ann", owners)
		}
		res, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "elsewhere@example.de", "country": "DE"},
			Origin: lead.Origin{Channel: "form", Reason: "test"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Lead.OwnerID != 0 {
			t.Errorf("a lead no rule matches went to %s, the disabled fallback owner", res.Lead.OwnerEmail)
		}
	})
}

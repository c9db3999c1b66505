package crm_test

import (
	"context"
	"sync"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func TestDomainAndNameMatching(t *testing.T) {
	domains := []struct{ website, email, want string }{
		{"https://www.Acme.de/about", "x@other.com", "acme.de"},
		{"acme.io", "", "acme.io"},
		{"", "jane@Acme.de", "acme.de"},
		{"", "jane@gmail.com", ""},
		{"not a site", "", ""},
	}
	for _, d := range domains {
		if got := crm.DomainOf(d.website, d.email); got != d.want {
			t.Errorf("DomainOf(%q, %q) = %q, want %q", d.website, d.email, got, d.want)
		}
	}
	same := [][2]string{{"ACME GmbH", "Acme"}, {"Acme, Inc.", "acme"}, {"Müller & Söhne AG", "müller & söhne"}, {"Globex Corp.", "globex"}}
	for _, p := range same {
		if crm.NameKey(p[0]) != crm.NameKey(p[1]) {
			t.Errorf("%q and %q should match: %q vs %q", p[0], p[1], crm.NameKey(p[0]), crm.NameKey(p[1]))
		}
	}
	if crm.NameKey("Group") != "group" || crm.NameKey("Acme Labs") == crm.NameKey("Acme") {
		t.Error("NameKey drops too much")
	}
}

type team struct{ admin, ann, bob access.Actor }

func setup(t *testing.T, db *sqldb.DB) (*lead.Service, *crm.Service, team) {
	t.Helper()
	leads := lead.NewService(db)
	return leads, crm.NewService(db, leads), team{usertest.Actor(t, db, "admin@example.com", access.Admin),
		usertest.Actor(t, db, "ann@example.com", access.Sales), usertest.Actor(t, db, "bob@example.com", access.Sales)}
}

// sqlLead makes a lead owned by ann and qualifies it into an SQL.
func sqlLead(t *testing.T, leads *lead.Service, tm team, c lead.Changes) lead.Lead {
	t.Helper()
	ctx := context.Background()
	c["owner"], c["stage"] = "ann@example.com", "mql"
	l, err := leads.Create(ctx, tm.admin, c)
	if err != nil {
		t.Fatal(err)
	}
	l, err = leads.Qualify(ctx, tm.ann, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM", Timing: "2027-Q1", Outcome: lead.SQL})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestConvertMatchesAccountsAndRefusesTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		first := sqlLead(t, leads, tm, lead.Changes{"email": "cto@acme.de", "first_name": "Ada", "last_name": "Lind",
			"company": "ACME GmbH", "website": "www.acme.de", "country": "DE", "employees": "250"})
		res, err := svc.Convert(ctx, tm.ann, first.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{
			Name: "ACME – 40 seats", Amount: "48,000", Currency: "eur", CloseDate: "2027-02-28"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.AccountMatched || res.AccountID == 0 || res.ContactID == 0 || res.OpportunityID == 0 {
			t.Fatalf("conversion %+v", res)
		}
		if res.Lead.Stage != lead.Opportunity || res.Lead.Converted.At == nil || res.Lead.Converted.AccountID != res.AccountID {
			t.Errorf("converted lead %+v", res.Lead)
		}
		acc, err := svc.Account(ctx, tm.ann, res.AccountID)
		if err != nil || acc.Name != "ACME GmbH" || acc.Domain != "acme.de" || acc.Country != "DE" || len(acc.Contacts) != 1 || len(acc.Opportunities) != 1 {
			t.Fatalf("account %+v %v", acc, err)
		}
		opp := acc.Opportunities[0]
		if *opp.Amount != 48000 || opp.Currency != "EUR" || opp.Stage != "qualification" || opp.OwnerEmail != "ann@example.com" || opp.ContactName != "Ada Lind" {
			t.Errorf("opportunity %+v", opp)
		}

		// Twice is refused, and nothing new is made.
		_, err = svc.Convert(ctx, tm.ann, first.ID, crm.ConvertInput{})
		if fault.CodeOf(err) != fault.Conflict {
			t.Errorf("second conversion: %v", err)
		}

		// A colleague from the same email domain joins the account; so does
		// a lead that spells the company differently, from a free-mail address.
		second := sqlLead(t, leads, tm, lead.Changes{"email": "buyer@acme.de", "company": "Acme"})
		third := sqlLead(t, leads, tm, lead.Changes{"email": "acme.ops@gmail.com", "company": "Acme, Inc."})
		for _, l := range []lead.Lead{second, third} {
			r, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{})
			if err != nil || !r.AccountMatched || r.AccountID != res.AccountID || r.OpportunityID != 0 || r.Lead.Stage != lead.SQL {
				t.Errorf("%s: %+v %v", l.Email, r, err)
			}
		}
		acc, _ = svc.Account(ctx, tm.admin, res.AccountID)
		if len(acc.Contacts) != 3 {
			t.Errorf("account has %d contacts, want 3", len(acc.Contacts))
		}
		from, _ := leads.ConvertedInto(ctx, tm.admin, res.AccountID)
		if len(from) != 3 {
			t.Errorf("account lists %d leads it came from, want 3", len(from))
		}

		// Unqualified leads and leads without a company are refused with the reason.
		mql, _ := leads.Create(ctx, tm.admin, lead.Changes{"email": "new@initech.com", "company": "Initech", "stage": "mql"})
		if _, err := svc.Convert(ctx, tm.admin, mql.ID, crm.ConvertInput{}); fault.As(err) == nil || fault.As(err).Fields["stage"] == "" {
			t.Errorf("an MQL was converted: %v", err)
		}
		loner := sqlLead(t, leads, tm, lead.Changes{"email": "solo@gmail.com"})
		_, err = svc.Convert(ctx, tm.ann, loner.ID, crm.ConvertInput{})
		if e := fault.As(err); e == nil || e.Fields["account_name"] == "" {
			t.Errorf("no company: %v", err)
		}
		if l, _ := leads.Get(ctx, tm.admin, loner.ID); l.Converted.At != nil {
			t.Error("a refused conversion left the lead marked converted")
		}
		if r, err := svc.Convert(ctx, tm.ann, loner.ID, crm.ConvertInput{AccountName: "Solo Consulting"}); err != nil || r.AccountMatched {
			t.Errorf("named account: %+v %v", r, err)
		}
	})
}

func TestConcurrentConversionsMakeOneContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l := sqlLead(t, leads, tm, lead.Changes{"email": "race@globex.com", "company": "Globex"})
		const n = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Globex deal"}})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case fault.CodeOf(err) == fault.Conflict:
					conflicts++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		contacts, _ := svc.Contacts(ctx, tm.admin, crm.ListOptions{})
		opps, _ := svc.Opportunities(ctx, tm.admin, crm.ListOptions{})
		if ok != 1 || conflicts != n-1 || contacts.Total != 1 || opps.Total != 1 {
			t.Errorf("%d converted, %d refused; %d contacts, %d opportunities", ok, conflicts, contacts.Total, opps.Total)
		}
	})
}

func TestDealBoardWonLostAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l := sqlLead(t, leads, tm, lead.Changes{"email": "cfo@umbrella.com", "company": "Umbrella"})
		res, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Umbrella rollout", Amount: "9000", Currency: "USD"}})
		if err != nil {
			t.Fatal(err)
		}
		id := res.OpportunityID

		// Sales sees its own deals only; accounts are shared.
		if _, err := svc.Opportunity(ctx, tm.bob, id); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("bob read ann's deal: %v", err)
		}
		if _, err := svc.Move(ctx, tm.bob, id, "proposal", ""); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("bob moved ann's deal: %v", err)
		}
		if p, _ := svc.Opportunities(ctx, tm.bob, crm.ListOptions{}); p.Total != 0 {
			t.Errorf("bob lists %d deals", p.Total)
		}
		// An unknown sort falls back to the default order instead of failing.
		if p, err := svc.Opportunities(ctx, tm.ann, crm.ListOptions{Sort: "-bogus", Q: "umbrella"}); err != nil || p.Total != 1 {
			t.Errorf("sorted by an unknown key: %+v %v", p, err)
		}
		if _, err := svc.Account(ctx, tm.bob, res.AccountID); err != nil {
			t.Errorf("bob cannot see the account: %v", err)
		}

		if _, err := svc.Move(ctx, tm.ann, id, "proposal", ""); err != nil {
			t.Fatal(err)
		}
		board, err := svc.Board(ctx, tm.ann, crm.ListOptions{}, 20)
		if err != nil || len(board) != 5 || board[1].Stage.Key != "proposal" || board[1].Count != 1 || board[1].Totals["USD"] == nil || board[1].Totals["USD"].Int64() != 9000 {
			t.Fatalf("board %+v %v", board, err)
		}
		_, err = svc.Move(ctx, tm.ann, id, "lost", " ")
		if e := fault.As(err); e == nil || e.Fields["lost_reason"] == "" {
			t.Errorf("lost without a reason: %v", err)
		}
		if _, err := svc.Move(ctx, tm.ann, id, "closed", ""); fault.As(err) == nil || fault.As(err).Fields["stage"] == "" {
			t.Errorf("unknown stage: %v", err)
		}
		o, err := svc.Move(ctx, tm.ann, id, "won", "signed")
		if err != nil || o.ClosedAt == nil {
			t.Fatalf("won: %+v %v", o, err)
		}
		c, _ := svc.Contact(ctx, tm.ann, res.ContactID)
		won, _ := leads.Get(ctx, tm.ann, l.ID)
		if c.Stage != lead.Customer || won.Stage != lead.Customer {
			t.Errorf("after the win: contact %s, lead %s", c.Stage, won.Stage)
		}
		tl, _ := leads.Timeline(ctx, tm.ann, l.ID)
		if tl[0].Kind != lead.KindStage || tl[0].Reason != `opportunity "Umbrella rollout" won` {
			t.Errorf("lead timeline %+v", tl[0])
		}
		v, _ := svc.Opportunity(ctx, tm.ann, id)
		if len(v.History) != 3 || v.History[0].To != "won" || v.History[0].ActorEmail != "ann@example.com" {
			t.Errorf("history %+v", v.History)
		}
	})
}

func TestPipelineIsConfigurable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		if _, err := svc.SetPipeline(ctx, tm.ann, "Demo"); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales changed the pipeline: %v", err)
		}
		l := sqlLead(t, leads, tm, lead.Changes{"email": "it@hooli.com", "company": "Hooli"})
		if _, err := svc.Convert(ctx, tm.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Hooli", Stage: "proposal"}}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.SetPipeline(ctx, tm.admin, "Discovery\nDemo")
		if e := fault.As(err); e == nil || e.Fields["stages"] == "" {
			t.Errorf("removed a stage holding a deal: %v", err)
		}
		p, err := svc.SetPipeline(ctx, tm.admin, "Discovery\nProof of concept\nProposal\n\n")
		if err != nil || p.Keys() != "discovery, proof_of_concept, proposal, won, lost" {
			t.Fatalf("pipeline %v %v", p.Keys(), err)
		}
		if _, err := svc.SetPipeline(ctx, tm.admin, "Won\nDemo\ndemo"); fault.As(err) == nil {
			t.Error("duplicates accepted")
		}
	})
}

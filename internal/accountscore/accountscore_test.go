package accountscore_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/usertest"
)

// Fit from firmographics, engagement from each person's behaviour with
// the lead rules' caps and decay, grade and suggested tier from the sum.
func TestScoreRollsUpPeople(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	leads := scoring.Rules{HalfLifeDays: 30, Behaviour: []scoring.Behaviour{
		{Event: "pricing_page_view", Points: 10, Cap: 30},
		{Event: "quote_request", Points: 30},
	}}
	people := []accountscore.Person{
		{LeadID: 1, Name: "Ada", Events: []scoring.Event{
			{Type: "pricing_page_view", At: now}, {Type: "pricing_page_view", At: now}, {Type: "pricing_page_view", At: now},
			{Type: "pricing_page_view", At: now}, // capped at 30 for Ada
		}},
		{LeadID: 2, Name: "Bo", Events: []scoring.Event{{Type: "quote_request", At: now.Add(-30 * 24 * time.Hour)}}}, // halved: 15
		{LeadID: 3, Name: "Cy"},
	}
	r := accountscore.Defaults()
	res := accountscore.Score(scoring.Facts{"employees": "450", "country": "NO", "revenue": "60000000"}, people, r, leads, now)
	if res.Fit != 45 || math.Abs(res.Engagement-45) > 1e-9 || res.Score != 90 || res.Grade != "hot" || res.Suggested != 1 {
		t.Errorf("result %+v", res)
	}
	if fmt.Sprint(res.People) != "[{1 Ada 30} {2 Bo 15}]" {
		t.Errorf("people %v", res.People)
	}
	res = accountscore.Score(scoring.Facts{"industry": "education", "employees": "12"}, people[1:2], r, leads, now)
	if res.Score != 5 || res.Grade != "cold" || res.Suggested != 3 {
		t.Errorf("small school: %+v", res)
	}
	bad := accountscore.Rules{Fit: []scoring.Explicit{{Field: "job_title", Op: scoring.Equals, Values: []string{"x"}}}, Hot: 10, Warm: 20}
	if e := fault.As(bad.Validate()); e == nil || e.Fields["fit.0.field"] == "" || e.Fields["warm"] == "" {
		t.Errorf("bad rules: %v", bad.Validate())
	}
}

// The account's score is its fit plus the behaviour parts of its people's
// own scores: the leads converted into it and those linked to it, not a
// lead whose link was undone nor another company's; on both databases.
func TestAccountScoreEqualsRolledUpEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		leads := lead.NewService(db)
		accounts := crm.NewService(db, leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		now := time.Now().UTC()
		acc, err := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Fjord Shipping AS", Website: "fjordship.no",
			Employees: "450", Country: "NO", Revenue: "60,000,000"})
		if err != nil {
			t.Fatal(err)
		}
		people := map[string]int64{}
		for _, email := range []string{"ada@fjordship.no", "bo@fjordship.no", "cy@fjordship.no", "out@other.example"} {
			l, err := leads.Create(ctx, admin, lead.Changes{"email": email, "first_name": email[:2]})
			if err != nil {
				t.Fatal(err)
			}
			people[email] = l.ID
		}
		// Converted into the account: a lead of the company by name only.
		conv, err := leads.Create(ctx, admin, lead.Changes{"email": "di@gmail.com", "first_name": "Di", "company": "Elsewhere", "owner": "sam@example.com", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Qualify(ctx, sam, conv.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "x", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.Convert(ctx, sam, conv.ID, crm.ConvertInput{AccountID: acc.ID}); err != nil {
			t.Fatal(err)
		}
		people["di@gmail.com"] = conv.ID
		var in []lead.EventInput
		for i, email := range []string{"ada@fjordship.no", "ada@fjordship.no", "bo@fjordship.no", "cy@fjordship.no", "out@other.example", "di@gmail.com"} {
			for _, typ := range []string{"pricing_page_view", "ebook_download", "quote_request"} {
				in = append(in, lead.EventInput{LeadID: people[email], Type: typ, OccurredAt: now.Add(-time.Duration(i*97) * time.Hour), Source: "api"})
			}
		}
		if _, err := leads.RecordEvents(ctx, mia, in); err != nil {
			t.Fatal(err)
		}
		if _, err := leads.UnlinkAccount(ctx, admin, people["cy@fjordship.no"]); err != nil {
			t.Fatal(err)
		}
		res, err := scores.Score(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want float64
		for _, email := range []string{"ada@fjordship.no", "bo@fjordship.no", "di@gmail.com"} {
			r, _, err := leads.Explain(ctx, people[email], time.Now())
			if err != nil {
				t.Fatal(err)
			}
			want += r.Behaviour
		}
		if want == 0 || math.Abs(res.Engagement-want) > 0.01 || len(res.People) != 3 {
			t.Errorf("engagement %.3f from %d people, want %.3f, the sum of Ada's, Bo's and Di's behaviour points", res.Engagement, len(res.People), want)
		}
		if res.Fit != 45 || res.Score != 45+int(math.Round(res.Engagement)) {
			t.Errorf("fit %d, score %d", res.Fit, res.Score)
		}
		// The timeline has every person's events, newest first; Sam sees
		// only his own and the unassigned leads' (all here but none hidden).
		tl, err := scores.Timeline(ctx, admin, acc.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 12 || tl[0].At.Before(tl[len(tl)-1].At) {
			t.Errorf("timeline of %d entries: %+v", len(tl), tl)
		}
		if err := scores.SetTier(ctx, sam, acc.ID, 4); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("tier 4: %v", err)
		}
		if err := scores.SetTier(ctx, sam, acc.ID, 1); err != nil {
			t.Fatal(err)
		}
		if v, _ := accounts.Account(ctx, sam, acc.ID); v.Tier != 1 {
			t.Errorf("tier %d", v.Tier)
		}
	})
}

// The account report: accounts, engaged accounts, open pipeline and won
// amounts per tier, and each target account's days from first touch to
// its first opportunity; on both databases.
func TestAccountReportByTier(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		leads := lead.NewService(db)
		accounts := crm.NewService(db, leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		now := time.Now().UTC()
		leads.SetClock(func() time.Time { return now.Add(-10 * 24 * time.Hour) })
		l, err := leads.Create(ctx, admin, lead.Changes{"email": "cto@nordwind.example", "company": "Nordwind", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Qualify(ctx, admin, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "x", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		leads.SetClock(func() time.Time { return now })
		conv, err := accounts.Convert(ctx, admin, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Fleet", Amount: "1000", Currency: "EUR"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.CreateOpportunity(ctx, admin, crm.OpportunityInput{AccountID: conv.AccountID, Name: "More", Amount: "500", Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.Move(ctx, admin, conv.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		tier2, _ := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Fjord AS", Website: "fjord.example"})
		accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Quiet Ltd"})
		if _, err := leads.Create(ctx, admin, lead.Changes{"email": "ola@fjord.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := leads.RecordEvents(ctx, admin, []lead.EventInput{{Email: "ola@fjord.example", Type: "page_view"}}); err != nil {
			t.Fatal(err)
		}
		scores.SetTier(ctx, admin, conv.AccountID, 1)
		scores.SetTier(ctx, admin, tier2.ID, 2)
		rep, err := scores.AccountReport(ctx, now.Add(-30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(rep.Tiers)
		want := "[{1 1 0 map[EUR:500] map[EUR:1000]} {2 1 1 map[] map[]} {3 0 0 map[] map[]} {0 1 0 map[] map[]}]"
		if got != want {
			t.Errorf("tiers\n%s\nwant\n%s", got, want)
		}
		if len(rep.Targets) != 2 || rep.Targets[0].Name != "Nordwind" || math.Abs(rep.Targets[0].Days-10) > 0.01 || rep.Targets[1].Days != -1 {
			t.Errorf("first touches %+v", rep.Targets)
		}
	})
}

// Account-based nurturing: the people of the tier-1 accounts (converted
// or linked) are enrolled in a sequence once; another tier's are not;
// sales may not.
func TestEnrolTargetAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		leads := lead.NewService(db)
		accounts := crm.NewService(db, leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		nur := nurture.NewService(db, leads, mail.NewOutbox(db, mail.Config{From: "a@acme.example"}), tracking.NewService(db))
		tpl, err := nur.SaveTemplate(ctx, mia, mailtmpl.Template{Name: "ABM", Subject: "For {{company|you}}", Text: "Hi"})
		if err != nil {
			t.Fatal(err)
		}
		seq, err := nur.SaveSequence(ctx, mia, nurture.Sequence{Name: "Tier 1 play", Status: nurture.Active,
			Steps: []nurture.Step{{Kind: nurture.StepEmail, TemplateID: tpl.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		top, _ := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Nordwind", Website: "nordwind.example"})
		other, _ := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Fjord", Website: "fjord.example"})
		scores.SetTier(ctx, admin, top.ID, 1)
		scores.SetTier(ctx, admin, other.ID, 2)
		for _, email := range []string{"a@nordwind.example", "b@nordwind.example", "c@fjord.example", "d@elsewhere.example"} {
			if _, err := leads.Create(ctx, admin, lead.Changes{"email": email, "consent": "true"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := scores.EnrolTargets(ctx, sam, nur, seq.ID, accountscore.Targets{Tier: 1}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales enrolled target accounts: %v", err)
		}
		if _, err := scores.EnrolTargets(ctx, mia, nur, seq.ID, accountscore.Targets{Tier: 4}); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("tier 4: %v", err)
		}
		if n, err := scores.EnrolTargets(ctx, mia, nur, seq.ID, accountscore.Targets{Tier: 1}); err != nil || n != 2 {
			t.Errorf("tier 1: %d %v, want Nordwind's 2 people", n, err)
		}
		if n, err := scores.EnrolTargets(ctx, mia, nur, seq.ID, accountscore.Targets{Tier: 1}); err != nil || n != 0 {
			t.Errorf("again: %d %v, want none anew", n, err)
		}
		if n, err := scores.EnrolTargets(ctx, mia, nur, seq.ID, accountscore.Targets{AccountID: other.ID}); err != nil || n != 1 {
			t.Errorf("one account: %d %v", n, err)
		}
	})
}

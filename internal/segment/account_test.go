package segment_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func TestValidateAccountSegments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		seg   segment.Segment
		field string
	}{
		{"unknown kind", segment.Segment{Kind: "contacts"}, "kind"},
		{"a lead field", segment.Segment{Kind: "accounts", Conditions: []segment.Condition{{Field: "stage", Op: "in", Values: []string{"mql"}}}}, "conditions.0.field"},
		{"unknown tier", segment.Segment{Kind: "accounts", Conditions: []segment.Condition{{Field: "tier", Op: "in", Values: []string{"4"}}}}, "conditions.0.values"},
		{"score needs a range", segment.Segment{Kind: "accounts", Conditions: []segment.Condition{{Field: "score", Op: "empty"}}}, "conditions.0.op"},
		{"open deal is yes or no", segment.Segment{Kind: "accounts", Conditions: []segment.Condition{{Field: "open_opportunity", Op: "is", Value: "soon"}}}, "conditions.0.value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.seg.Name = "S"
			e := fault.As(tc.seg.Validate())
			if e == nil || e.Fields[tc.field] == "" {
				t.Fatalf("Validate = %v, want a reason for %s", e, tc.field)
			}
		})
	}
}

// accountWorld is accounts that differ in what an account segment tests,
// with the services that keep their scores and segments.
type accountWorld struct {
	db       *sqldb.DB
	admin    access.Actor
	leads    *lead.Service
	accounts *crm.Service
	scores   *accountscore.Service
	segs     *segment.Service
	ids      map[string]int64
}

func newAccountWorld(t *testing.T, db *sqldb.DB) *accountWorld {
	t.Helper()
	w := &accountWorld{db: db, admin: usertest.Actor(t, db, "admin@example.com", access.Admin), leads: lead.NewService(db),
		segs: segment.NewService(db), ids: map[string]int64{}}
	usertest.Actor(t, db, "ann@example.com", access.Sales)
	w.accounts = crm.NewService(db, w.leads)
	w.scores = accountscore.NewService(db, scoring.NewStore(db))
	for _, a := range []struct {
		in   crm.AccountInput
		tier int
	}{
		{crm.AccountInput{Name: "Nordwind", Website: "nordwind.example", Employees: "1200", Country: "NO", Industry: "Shipping", Owner: "ann@example.com"}, 1},
		{crm.AccountInput{Name: "Fjord", Website: "fjord.example", Employees: "40", Country: "NO", Industry: "Fishing"}, 0},
		{crm.AccountInput{Name: "Acme", Website: "acme.example", Employees: "300", Country: "RO", Revenue: "80000000", Industry: "Software"}, 2},
		{crm.AccountInput{Name: "Globex", Website: "globex.example", Country: "IT", Industry: "Education"}, 3},
	} {
		acc, err := w.accounts.CreateAccount(ctx, w.admin, a.in)
		if err != nil {
			t.Fatal(err)
		}
		w.ids[a.in.Name] = acc.ID
		if a.tier != 0 {
			if err := w.scores.SetTier(ctx, w.admin, acc.ID, a.tier); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

// settle runs the score job and then the membership job, as the job
// system does one after the other.
func (w *accountWorld) settle(t *testing.T) {
	t.Helper()
	if _, err := w.scores.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.segs.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// members lists the segment's accounts through the accounts list's
// filter, by name.
func (w *accountWorld) members(t *testing.T, id int64) string {
	t.Helper()
	p, err := w.accounts.Accounts(ctx, w.admin, crm.ListOptions{Segment: id})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range p.Items {
		names = append(names, a.Name)
	}
	return strings.Join(names, ",")
}

// Account segments over every kind of account field, kept up to date as
// accounts change, their people act and their deals open; the accounts
// list filters by them; on both databases.
func TestAccountSegmentsFollowAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newAccountWorld(t, db)
		mk := func(name string, combine string, conds ...segment.Condition) segment.Segment {
			t.Helper()
			s, err := w.segs.Create(ctx, w.admin, segment.Segment{Kind: segment.KindAccounts, Name: name, Combine: combine, Conditions: conds})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		nordic := mk("Nordic", "all", segment.Condition{Field: "country", Op: "in", Values: []string{"Norway"}})
		targets := mk("Targets 1-2", "all", segment.Condition{Field: "tier", Op: "in", Values: []string{"1", "2"}})
		untiered := mk("No tier", "all", segment.Condition{Field: "tier", Op: "in", Values: []string{"none"}})
		big := mk("Big or rich", "any", segment.Condition{Field: "employees", Op: "between", Min: n64(1000)},
			segment.Condition{Field: "revenue", Op: "between", Min: n64(50000000)})
		anns := mk("Ann's", "all", segment.Condition{Field: "owner", Op: "in", Values: []string{"ann@example.com"}})
		industry := mk("Ship or fish", "any", segment.Condition{Field: "industry", Op: "contains", Value: "ship"},
			segment.Condition{Field: "industry", Op: "equals", Value: "fishing"})
		deals := mk("Open deals", "all", segment.Condition{Field: "open_opportunity", Op: "is", Value: "true"})
		engaged := mk("Engaged in 30 days", "all", segment.Condition{Field: "event", Op: "at_least", EventType: "any", Count: 2, Days: 30})
		hot := mk("Scored 50+", "all", segment.Condition{Field: "score", Op: "between", Min: n64(50)})
		warmNordic := mk("Nordic and not cold", "all", segment.Condition{Field: "segment", Op: "in", Segment: nordic.ID},
			segment.Condition{Field: "grade", Op: "in", Values: []string{"hot", "warm"}})
		w.settle(t)

		want := map[int64]string{nordic.ID: "Fjord,Nordwind", targets.ID: "Acme,Nordwind", untiered.ID: "Fjord", big.ID: "Acme,Nordwind",
			anns.ID: "Nordwind", industry.ID: "Fjord,Nordwind", deals.ID: "", engaged.ID: "", hot.ID: "", warmNordic.ID: "Nordwind"} // Nordwind's fit alone is 40: warm
		check := func(when string) {
			t.Helper()
			for id, names := range want {
				if got := w.members(t, id); got != names {
					seg, _ := w.segs.Get(ctx, w.admin, id)
					t.Errorf("%s: %s holds %q, want %q", when, seg.Name, got, names)
				}
			}
		}
		check("at first")

		// Fjord's people act: linked leads with events; its score rises
		// through the score job and the segments follow.
		var in []lead.EventInput
		for _, email := range []string{"kari@fjord.example", "ola@fjord.example"} {
			l, err := w.leads.Create(ctx, w.admin, lead.Changes{"email": email})
			if err != nil {
				t.Fatal(err)
			}
			for _, typ := range []string{"quote_request", "pricing_page_view", "demo_request"} {
				in = append(in, lead.EventInput{LeadID: l.ID, Type: typ, OccurredAt: time.Now().Add(-time.Hour), Source: "api"})
			}
		}
		if _, err := w.leads.RecordEvents(ctx, w.admin, in); err != nil {
			t.Fatal(err)
		}
		// Globex gets a deal; Acme loses its tier.
		if _, err := w.accounts.CreateOpportunity(ctx, w.admin, crm.OpportunityInput{AccountID: w.ids["Globex"], Name: "Campus", Amount: "100", Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := w.scores.SetTier(ctx, w.admin, w.ids["Acme"], 0); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		fjord, err := w.scores.Score(ctx, w.ids["Fjord"])
		if err != nil {
			t.Fatal(err)
		}
		if fjord.Score < 50 {
			t.Fatalf("Fjord's people did not lift it to 50: %+v", fjord)
		}
		want[engaged.ID], want[hot.ID], want[warmNordic.ID] = "Fjord", "Fjord", "Fjord,Nordwind"
		want[deals.ID], want[targets.ID], want[untiered.ID] = "Globex", "Nordwind", "Acme,Fjord"
		check("after events, a deal and a tier removed")

		// The deal is won: no open deal any more. Nordwind moves to Sweden.
		p, _ := w.accounts.Account(ctx, w.admin, w.ids["Globex"])
		if _, err := w.accounts.Move(ctx, w.admin, p.Opportunities[0].ID, "won", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.accounts.UpdateAccount(ctx, w.admin, w.ids["Nordwind"], crm.AccountInput{Name: "Nordwind", Website: "nordwind.example",
			Employees: "1200", Country: "SE", Industry: "Shipping", Owner: "ann@example.com"}); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		want[deals.ID], want[nordic.ID], want[warmNordic.ID] = "", "Fjord", "Fjord"
		check("after a won deal and a move")

		// An account deleted leaves its segments.
		if _, err := db.W.Exec(ctx, `DELETE FROM accounts WHERE id = ?`, w.ids["Fjord"]); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		for id := range want {
			want[id] = strings.Trim(strings.ReplaceAll(strings.ReplaceAll(want[id], "Fjord", ""), ",,", ","), ",")
		}
		check("after Fjord was deleted")
		var count int64
		db.R.QueryRow(ctx, `SELECT members FROM segments WHERE id = ?`, untiered.ID).Scan(&count)
		if count != 1 {
			t.Errorf("No tier counts %d members, want 1 (Acme)", count)
		}
	})
}

// An account segment's definition is checked against the other segments:
// it may test membership of account segments only, its kind stays, a
// lead segment's members are not accounts, and every change is on the
// audit log.
func TestAccountSegmentRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newAccountWorld(t, db)
		leadSeg, err := w.segs.Create(ctx, w.admin, segment.Segment{Name: "Norwegian leads", Conditions: []segment.Condition{{Field: "country", Op: "in", Values: []string{"NO"}}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.segs.Create(ctx, w.admin, segment.Segment{Kind: "accounts", Name: "Mixed", Conditions: []segment.Condition{{Field: "segment", Op: "in", Segment: leadSeg.ID}}})
		if e := fault.As(err); e == nil || !strings.Contains(e.Fields["conditions.0.segment"], "holds leads") {
			t.Errorf("an account segment of a lead segment: %v", err)
		}
		acc, err := w.segs.Create(ctx, w.admin, segment.Segment{Kind: "accounts", Name: "Tier 1", Conditions: []segment.Condition{{Field: "tier", Op: "in", Values: []string{"1"}}}})
		if err != nil {
			t.Fatal(err)
		}
		acc.Kind = segment.KindLeads
		acc.Conditions = []segment.Condition{{Field: "country", Op: "in", Values: []string{"NO"}}}
		if _, err := w.segs.Update(ctx, w.admin, acc); fault.As(err) == nil || fault.As(err).Fields["kind"] == "" {
			t.Errorf("a segment changed its kind: %v", err)
		}
		if _, err := w.segs.Members(ctx, w.admin, acc.ID, "", 10); fault.CodeOf(err) != fault.Invalid {
			t.Errorf("lead members of an account segment: %v", err)
		}
		p, err := w.segs.Preview(ctx, w.admin, segment.Segment{Kind: "accounts", Name: "p", Conditions: []segment.Condition{{Field: "country", Op: "in", Values: []string{"NO"}}}})
		if err != nil || p.Count != 2 || len(p.Accounts) != 2 || len(p.Leads) != 0 {
			t.Errorf("preview %+v %v", p, err)
		}
		if err := w.segs.Delete(ctx, w.admin, acc.ID); err != nil {
			t.Fatal(err)
		}
		var actions []string
		rows, _ := db.R.Query(ctx, `SELECT action, detail FROM audit_log WHERE subject_type = 'segment' AND subject_id = ? ORDER BY id`, acc.ID)
		for rows.Next() {
			var a, d string
			rows.Scan(&a, &d)
			actions = append(actions, a+" "+d)
		}
		rows.Close()
		if len(actions) != 2 || !strings.Contains(actions[0], `"kind":"accounts"`) || !strings.HasPrefix(actions[1], "segment.delete") {
			t.Errorf("audit entries %s", fmt.Sprint(actions))
		}
	})
}

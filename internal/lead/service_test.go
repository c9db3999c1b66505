package lead_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type team struct {
	admin, marketing, ann, bob access.Actor
}

func newTeam(t *testing.T, db *sqldb.DB) team {
	t.Helper()
	mk := func(email string, role access.Role) access.Actor { return usertest.Actor(t, db, email, role) }
	return team{
		admin:     mk("admin@example.com", access.Admin),
		marketing: mk("mia@example.com", access.Marketing),
		ann:       mk("ann@example.com", access.Sales),
		bob:       mk("bob@example.com", access.Sales),
	}
}

func TestCreateUpdateAndTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		clock := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })

		l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": "jo@acme.io", "first_name": "Jo",
			"company": "Acme", "employees": "250", "country": "RO", "consent": "true"})
		if err != nil {
			t.Fatal(err)
		}
		if l.ID == 0 || l.Stage != lead.StageLead || l.Grade != lead.Cold || l.OwnerID != 0 || !l.CreatedAt.Equal(clock) {
			t.Fatalf("created %+v", l)
		}

		clock = clock.Add(time.Hour)
		l, err = svc.Update(ctx, tm.marketing, l.ID, lead.Changes{"company": "Acme SRL", "stage": "mql", "owner": "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, tm.admin, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Company != "Acme SRL" || got.Stage != lead.MQL || got.OwnerEmail != "ann@example.com" ||
			!got.UpdatedAt.Equal(clock) || *got.Employees != 250 || got.ConsentAt == nil {
			t.Fatalf("after update: %+v", got)
		}

		tl, err := svc.Timeline(ctx, tm.admin, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]lead.Change{}
		for _, c := range tl {
			kinds[c.Kind] = c
		}
		if len(tl) != 5 || kinds[lead.KindScore].Detail["score"] != [2]string{"0", "25"} {
			t.Fatalf("timeline has %d entries, want created, score, stage, owner, updated: %+v", len(tl), tl)
		}
		if d := kinds[lead.KindStage].Detail["stage"]; d != [2]string{"lead", "mql"} {
			t.Errorf("stage change recorded as %v", d)
		}
		if c := kinds[lead.KindUpdated]; c.Detail["company"] != [2]string{"Acme", "Acme SRL"} || c.ActorEmail != "mia@example.com" {
			t.Errorf("update recorded as %+v", c)
		}

		// An update that changes nothing records nothing.
		if _, err := svc.Update(ctx, tm.marketing, l.ID, lead.Changes{"company": "Acme SRL"}); err != nil {
			t.Fatal(err)
		}
		if tl2, _ := svc.Timeline(ctx, tm.admin, l.ID); len(tl2) != len(tl) {
			t.Errorf("a no-op update added %d timeline entries", len(tl2)-len(tl))
		}
	})
}

func TestValidationAndConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		_, err := svc.Create(ctx, tm.admin, lead.Changes{"email": "bad", "employees": "-1", "stage": "won", "owner": "nobody@example.com"})
		e := fault.As(err)
		if e == nil || e.Code != fault.Invalid {
			t.Fatalf("want invalid, got %v", err)
		}
		for _, f := range []string{"email", "employees", "stage", "owner"} {
			if e.Fields[f] == "" {
				t.Errorf("no reason for %s: %v", f, e.Fields)
			}
		}
		if _, err := svc.Create(ctx, tm.admin, lead.Changes{"email": "x@acme.io"}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Create(ctx, tm.admin, lead.Changes{"email": "X@ACME.IO"})
		if fault.CodeOf(err) != fault.Conflict {
			t.Fatalf("same email in other case: want conflict, got %v", err)
		}
		if _, err := svc.Get(ctx, tm.admin, 9999); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("unknown id: want not found, got %v", err)
		}
	})
}

func TestSalesSeesOwnAndUnassigned(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		mk := func(a access.Actor, email, owner string) lead.Lead {
			l, err := svc.Create(ctx, a, lead.Changes{"email": email, "owner": owner})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		annLead := mk(tm.admin, "a@x.io", "ann@example.com")
		bobLead := mk(tm.admin, "b@x.io", "bob@example.com")
		mk(tm.admin, "free@x.io", "")
		own, err := svc.Create(ctx, tm.ann, lead.Changes{"email": "mine@x.io"})
		if err != nil || own.OwnerEmail != "ann@example.com" {
			t.Fatalf("a sales user's new lead is theirs: %+v %v", own, err)
		}

		p, err := svc.List(ctx, tm.ann, lead.Filter{Sort: "email", Limit: 50}, true)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, l := range p.Leads {
			emails = append(emails, l.Email)
		}
		if fmt.Sprint(emails) != "[a@x.io free@x.io mine@x.io]" || p.Total != 3 {
			t.Errorf("ann sees %v (total %d)", emails, p.Total)
		}
		if _, err := svc.Get(ctx, tm.ann, bobLead.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann opening bob's lead: want forbidden, got %v", err)
		}
		if _, err := svc.Update(ctx, tm.ann, bobLead.ID, lead.Changes{"company": "X"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann editing bob's lead: want forbidden, got %v", err)
		}
		if _, err := svc.Update(ctx, tm.ann, annLead.ID, lead.Changes{"owner": "bob@example.com"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("ann handing her lead to bob: want forbidden, got %v", err)
		}
		if err := svc.Delete(ctx, tm.ann, annLead.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales deleting: want forbidden, got %v", err)
		}
		if err := svc.Delete(ctx, tm.marketing, annLead.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, tm.admin, annLead.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("deleted lead still there: %v", err)
		}
	})
}

func TestListFiltersSortsAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		countries := []string{"DE", "RO", "US"}
		for i := 0; i < 30; i++ {
			employees := int64(i * 10)
			l := lead.Lead{
				Email: fmt.Sprintf("p%02d@corp%d.com", i, i%3), FirstName: "Pat", LastName: fmt.Sprintf("Doe%02d", i),
				Company: fmt.Sprintf("Corp %d", i%3), Country: countries[i%3], Source: []string{"web", "referral"}[i%2],
				Stage: lead.Stages[i%len(lead.Stages)], Score: i * 3, Employees: &employees,
				CreatedAt: day.AddDate(0, 0, i), UpdatedAt: day.AddDate(0, 0, i),
			}
			if i%4 == 0 {
				l.OwnerID = tm.ann.ID
			}
			if _, err := svc.Insert(ctx, l, "test"); err != nil {
				t.Fatal(err)
			}
		}
		list := func(query string) []string {
			t.Helper()
			v, _ := url.ParseQuery(query)
			f, err := lead.ParseFilter(v)
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.List(ctx, tm.admin, f, false)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, l := range p.Leads {
				out = append(out, l.LastName)
			}
			return out
		}
		cases := []struct{ query, want string }{
			{"country=RO&sort=last_name", "[Doe01 Doe04 Doe07 Doe10 Doe13 Doe16 Doe19 Doe22 Doe25 Doe28]"},
			{"min_score=80&sort=-score", "[Doe29 Doe28 Doe27]"},
			{"grade=hot&sort=score", "[Doe24 Doe25 Doe26 Doe27 Doe28 Doe29]"},
			{"stage=customer,disqualified&sort=last_name", "[Doe05 Doe07 Doe13 Doe15 Doe21 Doe23 Doe29]"},
			{"owner=ann@example.com&source=web&sort=last_name", "[Doe00 Doe04 Doe08 Doe12 Doe16 Doe20 Doe24 Doe28]"},
			{"owner=none&country=DE&sort=-employees&limit=3", "[Doe27 Doe21 Doe18]"},
			{"q=doe1&sort=last_name&limit=3", "[Doe10 Doe11 Doe12]"},
			{"q=CORP2.COM&country=US&sort=last_name&limit=2", "[Doe02 Doe05]"},
			{"created_from=2026-01-05&created_to=2026-01-07&sort=created_at", "[Doe04 Doe05 Doe06]"},
			{"q=nobody", "[]"},
		}
		for _, c := range cases {
			if got := fmt.Sprint(list(c.query)); got != c.want {
				t.Errorf("%s: got %s, want %s", c.query, got, c.want)
			}
		}

		// Walking a cursor visits every lead once, in order, for every sort.
		for _, sort := range []string{"-created_at", "score", "company", "-owner", "employees", "stage"} {
			seen := map[string]bool{}
			f, _ := lead.ParseFilter(url.Values{"sort": {sort}, "limit": {"7"}})
			pages := 0
			for {
				p, err := svc.List(ctx, tm.admin, f, false)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, l := range p.Leads {
					if seen[l.Email] {
						t.Fatalf("sort %s: %s seen twice", sort, l.Email)
					}
					seen[l.Email] = true
				}
				if p.NextCursor == "" {
					break
				}
				f, err = lead.ParseFilter(url.Values{"sort": {sort}, "limit": {"7"}, "cursor": {p.NextCursor}})
				if err != nil {
					t.Fatal(err)
				}
			}
			if len(seen) != 30 || pages != 5 {
				t.Errorf("sort %s: cursor walk saw %d leads in %d pages, want 30 in 5", sort, len(seen), pages)
			}
		}
	})
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("c%d@x.io", i)})
				if err == nil {
					_, err = svc.Update(ctx, tm.marketing, l.ID, lead.Changes{"company": "Busy Inc"})
				}
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		p, _ := svc.List(ctx, tm.admin, lead.Filter{Sort: "created_at", Limit: 100}, true)
		if p.Total != 40 {
			t.Errorf("total = %d after 40 concurrent creates", p.Total)
		}
	})
}

// A filter built in code, with no order or size, lists newest first in
// pages of the default size instead of failing.
func TestListWithAZeroFilter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := lead.NewService(db)
		day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		for i := 0; i < 3; i++ {
			if _, err := svc.Insert(ctx, lead.Lead{Email: fmt.Sprintf("z%d@example.com", i), Stage: lead.StageLead,
				CreatedAt: day.AddDate(0, 0, i), UpdatedAt: day}, "test"); err != nil {
				t.Fatal(err)
			}
		}
		p, err := svc.List(ctx, access.System, lead.Filter{Stages: []lead.Stage{lead.StageLead}}, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Leads) != 3 || p.Leads[0].Email != "z2@example.com" || p.Total != 3 {
			t.Errorf("listed %d of %d, first %q; want 3, newest first", len(p.Leads), p.Total, p.Leads[0].Email)
		}
	})
}

package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"leadflow/internal/access"
	act "leadflow/internal/activity"
	"leadflow/internal/calendar"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/user"
)

// The demo tells a believable story: titles fit the size of the
// company, every lead from MQL on has an owner and a score that fits its
// stage, closed deals closed in the past, the won deals are billed
// (paid, overdue, a draft and a credit note among them), and what the
// sales users did on a lead they did after it arrived (a first contact
// timed before its lead's creation read as nonsense on its timeline).
func TestDemoTellsABelievableStory(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	leads := lead.NewService(db)
	deals := crm.NewService(db, leads)
	inv := invoice.NewService(db)
	projects := project.NewService(db, leads)
	svc := Services{Users: user.NewService(db), Leads: leads, Forms: forms.NewService(db, leads), CRM: deals,
		Products: product.NewService(db), Invoices: inv, Projects: projects,
		Activities: act.NewService(db, leads), Calendar: calendar.NewStore(db)}
	now := time.Now()
	if err := Seed(ctx, svc, "a long demo password", 200, 1, now); err != nil {
		t.Fatal(err)
	}
	admin := access.Actor{Role: access.Admin}
	f, _ := lead.ParseFilter(map[string][]string{"limit": {"500"}})
	page, err := leads.List(ctx, admin, f, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range page.Leads {
		if l.Employees != nil && *l.Employees >= 200 && !slices.Contains(largeTitles, l.JobTitle) {
			t.Errorf("%s at a company of %d is a %q", l.Email, *l.Employees, l.JobTitle)
		}
		if l.JobTitle == "Student" && l.Employees != nil {
			t.Errorf("%s is a student at a company of %d", l.Email, *l.Employees)
		}
		// A consent given has its record: the lead's page shows both.
		if history, err := leads.ConsentHistory(ctx, admin, l.ID); err != nil {
			t.Fatal(err)
		} else if l.Consent && (len(history) == 0 || history[0].Action != lead.ConsentGranted && history[0].Action != lead.ConsentConfirmed) {
			t.Errorf("%s has consent but its history is %v", l.Email, history)
		}
		switch l.Stage {
		case lead.MQL, lead.SQL, lead.Opportunity, lead.Customer:
			if l.OwnerID == 0 {
				t.Errorf("%s is an %s without an owner", l.Email, l.Stage)
			}
			if l.Score < 30 {
				t.Errorf("%s is an %s with a score of %d", l.Email, l.Stage, l.Score)
			}
		}
	}
	today := now.Format(time.DateOnly)
	list, err := deals.Opportunities(ctx, admin, crm.ListOptions{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, o := range list.Items {
		if o.Stage == crm.Won || o.Stage == crm.Lost {
			closed++
			if o.CloseDate > today {
				t.Errorf("deal %q was %s but closes on %s", o.Name, o.Stage, o.CloseDate)
			}
		}
	}
	if closed == 0 {
		t.Fatal("the demo closed no deal")
	}
	docs, _, err := inv.List(ctx, admin, invoice.Filter{Limit: 200, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range docs {
		seen[d.Kind+" "+d.Shown(today)]++
		if d.IssueDate > today {
			t.Errorf("%s is issued on %s", d.Title(), d.IssueDate)
		}
	}
	t.Logf("%d leads, %d closed deals, documents %v", len(page.Leads), closed, seen)
	for _, want := range []string{"invoice paid", "invoice overdue", "invoice draft", "credit_note issued"} {
		if seen[want] == 0 {
			t.Errorf("the demo's invoices have no %q: %v", want, seen)
		}
	}
	// Each won deal goes on as a project, at different stages, with time.
	ps, err := projects.List(ctx, admin, project.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]bool{}
	for _, p := range ps.Data {
		stages[p.StageName] = true
	}
	if won := seenWon(list.Items); len(ps.Data) != won || len(stages) < 2 {
		t.Errorf("%d projects for %d won deals, in stages %v", len(ps.Data), won, stages)
	}
	var done, early int
	err = db.R.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.due_at < l.created_at THEN 1 ELSE 0 END), 0)
		FROM activities a JOIN leads l ON l.id = a.lead_id WHERE a.status = 'done'`).Scan(&done, &early)
	if err != nil {
		t.Fatal(err)
	}
	if done == 0 || early > 0 {
		t.Errorf("%d of the %d activities done on leads were done before their lead arrived", early, done)
	}
}

func seenWon(deals []crm.Opportunity) int {
	n := 0
	for _, o := range deals {
		if o.Stage == crm.Won {
			n++
		}
	}
	return n
}

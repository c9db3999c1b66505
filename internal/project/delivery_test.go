package project_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/project"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type world struct {
	db              *sqldb.DB
	leads           *lead.Service
	crm             *crm.Service
	projects        *project.Service
	admin, ann, bob access.Actor
	clock           time.Time
	t               *testing.T
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	w := &world{db: db, t: t, clock: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)}
	w.leads = lead.NewService(db)
	w.crm = crm.NewService(db, w.leads)
	w.projects = project.NewService(db, w.leads)
	w.crm.AfterWon = w.projects.OnWon
	clock := func() time.Time { return w.clock }
	w.leads.SetClock(clock)
	w.crm.SetClock(clock)
	w.projects.SetClock(clock)
	w.admin = usertest.Actor(t, db, "admin@example.com", access.Admin)
	w.ann = usertest.Actor(t, db, "ann@example.com", access.Sales)
	w.bob = usertest.Actor(t, db, "bob@example.com", access.Sales)
	return w
}

// wonDeal brings a lead of ann's from source through conversion to a
// won deal of amount EUR, and returns the lead and the deal.
func (w *world) wonDeal(email, company, source, amount string, win bool) (lead.Lead, crm.Converted) {
	t, ctx := w.t, context.Background()
	t.Helper()
	l, err := w.leads.Create(ctx, w.admin, lead.Changes{"email": email, "company": company, "source": source, "owner": "ann@example.com",
		"stage": "mql", "industry": "Retail"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.leads.Qualify(ctx, w.ann, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a shop", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
		t.Fatal(err)
	}
	res, err := w.crm.Convert(ctx, w.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: company + " rollout", Amount: amount, Currency: "eur"}})
	if err != nil {
		t.Fatal(err)
	}
	if win {
		if _, err := w.crm.Move(ctx, w.ann, res.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
	}
	return l, res
}

// A won deal becomes a project in one step: it carries the deal's
// account, contact, amount and owner and the lead it came from, starts
// at the type's first stage, and its template plans the standard tasks
// and milestone from the start date. Asked again, it is the same one.
func TestProjectFromWonDeal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		l, deal := w.wonDeal("eva@shop.example", "Shop Nord", "webinar", "48,000", true)
		p, created, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
		if err != nil || !created {
			t.Fatal(created, err)
		}
		if p.AccountID != deal.AccountID || p.ContactID != deal.ContactID || p.Budget != 4_800_000 || p.Currency != "EUR" ||
			p.OwnerID != w.ann.ID || p.LeadID != l.ID || p.OpportunityID != deal.OpportunityID || p.AccountName != "Shop Nord" {
			t.Errorf("project %+v", p)
		}
		if p.Type != project.Implementation || p.Delivery.Status != project.Active || p.StageName != "Kickoff" || p.StartOn != "2026-09-01" {
			t.Errorf("not started: %s %s %s %s", p.Type, p.Delivery.Status, p.StageName, p.StartOn)
		}
		tasks, err := w.projects.Tasks(ctx, w.ann, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, tk := range tasks {
			subjects = append(subjects, tk.DueAt.Format("01-02")+" "+tk.Subject+" "+tk.OwnerEmail)
		}
		want := "09-01 Kickoff meeting with the client ann@example.com|09-06 Collect requirements ann@example.com|" +
			"09-16 Configure the system ann@example.com|09-26 Migrate the client's data ann@example.com|10-06 Train the users ann@example.com"
		if got := strings.Join(subjects, "|"); got != want {
			t.Errorf("template tasks:\n%s\nwant\n%s", got, want)
		}
		ms, _ := w.projects.Milestones(ctx, w.ann, p.ID)
		if len(ms) != 1 || ms[0].Name != "Go-live" || ms[0].DueOn != "2026-10-11" {
			t.Errorf("milestones %+v", ms)
		}
		again, created, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
		if err != nil || created || again.ID != p.ID {
			t.Errorf("second click: %d %v %v", again.ID, created, err)
		}
		// Another sales user sees it once on its team, not before.
		if _, err := w.projects.Get(ctx, w.bob, p.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("bob read ann's project: %v", err)
		}
		if page, _ := w.projects.List(ctx, w.bob, project.Filter{}); len(page.Data) != 0 {
			t.Errorf("bob lists %d projects", len(page.Data))
		}
		if _, err := w.projects.ChangeDelivery(ctx, w.ann, p.ID, p.Version, project.DeliveryInput{Members: &[]string{"bob@example.com"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.projects.Get(ctx, w.bob, p.ID); err != nil {
			t.Errorf("team member: %v", err)
		}
		// An open deal is refused, naming the field.
		_, open := w.wonDeal("rui@shop.example", "Shop Sud", "ads", "1000", false)
		_, _, err = w.projects.FromDeal(ctx, w.ann, open.OpportunityID, "")
		if e := fault.As(err); e == nil || e.Fields["opportunity_id"] == "" {
			t.Errorf("an open deal: %v", err)
		}
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE subject_type = 'project' AND subject_id = ?`, p.ID).Scan(&n)
		if n < 3 {
			t.Errorf("%d audit entries for the project", n)
		}
	})
}

// With the admin's setting on, winning a deal opens its project; two
// clicks at once on "create project" make one.
func TestProjectAutomaticAndConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, deal := w.wonDeal("a@one.example", "One", "ads", "5000", false)
		var wg sync.WaitGroup
		if _, err := w.crm.Move(ctx, w.ann, deal.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, project.CustomDevelopment)
				if err != nil {
					t.Error(err)
				}
				ids[i] = p.ID
			}()
		}
		wg.Wait()
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM projects WHERE opportunity_id = ?`, deal.OpportunityID).Scan(&n)
		if n != 1 || ids[0] != ids[1] || ids[1] != ids[2] || ids[2] != ids[3] {
			t.Errorf("%d projects for one deal: %v", n, ids)
		}
		if _, err := w.projects.SaveSettings(ctx, w.ann, project.SettingsInput{AutoFromWon: ptr(true)}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales changed settings: %v", err)
		}
		if _, err := w.projects.SaveSettings(ctx, w.admin, project.SettingsInput{AutoFromWon: ptr(true), DefaultType: project.Str("custom_development")}); err != nil {
			t.Fatal(err)
		}
		_, auto := w.wonDeal("b@two.example", "Two", "ads", "7000", true)
		page, err := w.projects.List(ctx, w.ann, project.Filter{Type: project.CustomDevelopment})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range page.Data {
			found = found || p.OpportunityID == auto.OpportunityID && p.Budget == 700_000 && p.StageName == "Business analysis"
		}
		if !found {
			t.Errorf("winning did not open the project: %+v", page.Data)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Time in each stage and cost against budget, on a history built by
// hand: the clock moves, the project moves, time is logged at rates.
func TestTimeInStageAndCost(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, deal := w.wonDeal("c@three.example", "Three", "seo", "1,000", true)
		p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
		if err != nil {
			t.Fatal(err)
		}
		stages, _ := w.projects.Stages(ctx, project.Implementation)
		day := 24 * time.Hour
		start := w.clock
		for _, step := range []struct {
			after time.Duration
			stage int
		}{{2 * day, 1}, {5 * day, 2}, {6 * day, 0}} {
			w.clock = start.Add(step.after)
			if p, err = w.projects.Move(ctx, w.ann, p.ID, 0, stages[step.stage].ID); err != nil {
				t.Fatal(err)
			}
		}
		hist, err := w.projects.History(ctx, w.ann, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range project.TimeInStages(hist, start.Add(7*day+12*time.Hour)) {
			got = append(got, st.StageName+"="+st.Time.String())
		}
		if want := "Kickoff=84h0m0s|Requirements=72h0m0s|Configuration=24h0m0s"; strings.Join(got, "|") != want {
			t.Errorf("time in stages %v, want %s", got, want)
		}
		// A stale version is refused.
		if _, err := w.projects.Move(ctx, w.ann, p.ID, p.Version-1, stages[3].ID); fault.CodeOf(err) != fault.Conflict {
			t.Errorf("stale move: %v", err)
		}
		if _, err := w.projects.SaveSettings(ctx, w.admin, project.SettingsInput{WarnAt: project.Str("80"),
			Rates: map[string]string{"role:sales": "50", "user:ann@example.com": "80", "role:chef": "1"}}); fault.As(err) == nil || fault.As(err).Fields["rates.role:chef"] == "" {
			t.Errorf("a bad role: %v", err)
		}
		if _, err := w.projects.SaveSettings(ctx, w.admin, project.SettingsInput{WarnAt: project.Str("80"),
			Rates: map[string]string{"role:sales": "50", "user:ann@example.com": "80"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.projects.ChangeDelivery(ctx, w.ann, p.ID, 0, project.DeliveryInput{Members: &[]string{"bob@example.com"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.projects.LogTime(ctx, w.ann, p.ID, project.TimeInput{Hours: "10"}); err != nil {
			t.Fatal(err)
		}
		c, _ := w.projects.Costs(ctx, w.ann, p.ID)
		if c.Cost != 80_000 || c.Budget != 100_000 || c.Share != 80 || c.Warning {
			t.Errorf("at 80%%: %+v", c)
		}
		bobs, err := w.projects.LogTime(ctx, w.bob, p.ID, project.TimeInput{Hours: "0.5", WorkedOn: "2026-09-03"})
		if err != nil || bobs.Rate != 5_000 || bobs.Cost != 2_500 {
			t.Fatalf("bob's half hour at the sales rate: %+v %v", bobs, err)
		}
		c, _ = w.projects.Costs(ctx, w.ann, p.ID)
		if c.Cost != 82_500 || !c.Warning {
			t.Errorf("past 80%%: %+v", c)
		}
		_, err = w.projects.LogTime(ctx, w.bob, p.ID, project.TimeInput{Hours: "25", WorkedOn: "2026-13-01", User: "ann@example.com"})
		if e := fault.As(err); e == nil || e.Fields["hours"] == "" || e.Fields["worked_on"] == "" || e.Fields["user"] == "" {
			t.Errorf("bad time: %v", err)
		}
	})
}

// An admin reorders, renames, adds and removes stages: the history keeps
// every stay, under the stage's new name or its archived one, and a
// stage that holds a project cannot be removed.
func TestStageEditsKeepHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, deal := w.wonDeal("d@four.example", "Four", "ads", "2000", true)
		p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
		if err != nil {
			t.Fatal(err)
		}
		stages, _ := w.projects.Stages(ctx, project.Implementation)
		w.clock = w.clock.Add(time.Hour)
		if _, err := w.projects.Move(ctx, w.ann, p.ID, 0, stages[1].ID); err != nil {
			t.Fatal(err)
		}
		w.clock = w.clock.Add(time.Hour)
		if _, err := w.projects.Move(ctx, w.ann, p.ID, 0, stages[2].ID); err != nil {
			t.Fatal(err)
		}
		// Kickoff renamed and moved last, Requirements removed, a stage added.
		edit := []project.StageInput{{ID: stages[2].ID, Name: "Configuration"}, {ID: stages[3].ID, Name: "Data migration"},
			{ID: stages[4].ID, Name: "Training"}, {ID: stages[5].ID, Name: "Go-live"}, {ID: stages[6].ID, Name: "Support"},
			{Name: "Hypercare"}, {ID: stages[0].ID, Name: "Kick-off (late)"}}
		if _, err := w.projects.SetStages(ctx, w.ann, project.Implementation, edit); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales edited stages: %v", err)
		}
		got, err := w.projects.SetStages(ctx, w.admin, project.Implementation, edit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, st := range got {
			names = append(names, st.Name)
		}
		if strings.Join(names, ",") != "Configuration,Data migration,Training,Go-live,Support,Hypercare,Kick-off (late)" {
			t.Errorf("stages now %v", names)
		}
		hist, _ := w.projects.History(ctx, w.ann, p.ID)
		var h []string
		for _, v := range hist {
			h = append(h, v.StageName)
		}
		if strings.Join(h, ",") != "Kick-off (late),Requirements,Configuration" {
			t.Errorf("history %v", h)
		}
		// Configuration holds the project: it stays.
		_, err = w.projects.SetStages(ctx, w.admin, project.Implementation, []project.StageInput{{ID: stages[3].ID, Name: "Data migration"}, {Name: "data MIGRATION"}})
		if e := fault.As(err); e == nil || !strings.Contains(e.Fields["stages"]+e.Fields["stages.1.name"], "") || e.Fields["stages.1.name"] == "" {
			t.Errorf("a duplicate name: %v", err)
		}
		_, err = w.projects.SetStages(ctx, w.admin, project.Implementation, []project.StageInput{{ID: stages[3].ID, Name: "Data migration"}})
		if e := fault.As(err); e == nil || !strings.Contains(e.Fields["stages"], `"Configuration" holds 1 projects`) {
			t.Errorf("removing a stage in use: %v", err)
		}
		if cur, _ := w.projects.Get(ctx, w.ann, p.ID); cur.StageName != "Configuration" {
			t.Errorf("the project's stage is now %q", cur.StageName)
		}
	})
}

// A custom project goes on as the same record: accepted, it enters
// delivery as custom development with its estimate as the budget; the
// deal its lead wins later joins that record instead of making another.
func TestAcceptedCustomProjectGoesOn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		l, err := w.leads.Create(ctx, w.admin, lead.Changes{"email": "ion@farm.example", "company": "Agro Nord", "source": "partner",
			"owner": "ann@example.com", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.projects.Open(ctx, w.ann, l.ID, project.Input{Title: "Harvest tracker"})
		if err != nil {
			t.Fatal(err)
		}
		in := project.InputOf(p)
		in.Features = []project.FeatureInput{{Name: "Field log", DaysLow: "5", DaysHigh: "8"}}
		in.DayRate, in.Currency, in.Status = "400", "EUR", "accepted"
		acc, err := w.projects.Update(ctx, w.ann, p.ID, p.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		if acc.ID != p.ID || acc.Status != project.Accepted || acc.Type != project.CustomDevelopment || !acc.InDelivery() ||
			acc.StageName != "Business analysis" || acc.Budget != 320_000 || acc.OwnerID != w.ann.ID {
			t.Errorf("accepted: %+v", acc)
		}
		if _, err := w.leads.Qualify(ctx, w.ann, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "x", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		res, err := w.crm.Convert(ctx, w.ann, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Harvest tracker", Amount: "3500", Currency: "EUR"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.crm.Move(ctx, w.ann, res.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		got, created, err := w.projects.FromDeal(ctx, w.ann, res.OpportunityID, "")
		if err != nil || created || got.ID != p.ID || got.AccountID != res.AccountID || got.Budget != 350_000 || got.StageName != "Business analysis" {
			t.Errorf("the deal's project: %+v created %v %v", got, created, err)
		}
	})
}

// The channel report joins each project to the source of the lead it
// came from: the webinar's project was delivered under budget, the
// ads' over it; the webinar is the channel of profitable projects.
func TestChannelReportJoinsLeadSourceToMargin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		if _, err := w.projects.SaveSettings(ctx, w.admin, project.SettingsInput{Rates: map[string]string{"role:sales": "100"}}); err != nil {
			t.Fatal(err)
		}
		deliver := func(email, source, amount, hours, due string) {
			w.clock = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
			_, deal := w.wonDeal(email, "Co "+source+email, source, amount, true)
			p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.projects.LogTime(ctx, w.ann, p.ID, project.TimeInput{Hours: hours}); err != nil {
				t.Fatal(err)
			}
			w.clock = time.Date(2026, 9, 10, 9, 0, 0, 0, time.UTC)
			if _, err := w.projects.ChangeDelivery(ctx, w.ann, p.ID, 0, project.DeliveryInput{Status: project.Str("done"), DueOn: project.Str(due)}); err != nil {
				t.Fatal(err)
			}
		}
		deliver("a@w.example", "webinar", "5000", "20", "2026-10-01") // 2,000 of 5,000: margin 3,000, on time
		deliver("b@w.example", "webinar", "3000", "10", "2026-09-05") // 1,000 of 3,000: margin 2,000, late
		deliver("c@a.example", "ads", "1000", "15", "2026-10-01")     // 1,500 of 1,000: margin −500
		w.wonDeal("d@a.example", "Co d", "ads", "800", true)          // won, no project yet
		rep, err := w.projects.DeliveryReport(ctx, project.ByChannel, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Currency != "EUR" || len(rep.Rows) != 2 || rep.Rows[0].Value != "webinar" || rep.Rows[1].Value != "ads" {
			t.Fatalf("report %+v", rep)
		}
		web, ads := rep.Rows[0], rep.Rows[1]
		share, _ := web.OnTimeShare()
		if web.WonDeals != 2 || web.Started != 2 || web.Delivered != 2 || web.Margin != 500_000 || web.Profitable != 2 || share != 0.5 {
			t.Errorf("webinar %+v", web)
		}
		if ads.WonDeals != 2 || ads.Started != 1 || ads.Delivered != 1 || ads.Margin != -50_000 || ads.Profitable != 0 || ads.Cost != 150_000 {
			t.Errorf("ads %+v", ads)
		}
		if rep.Total.Started != 3 || rep.Total.Margin != 450_000 {
			t.Errorf("total %+v", rep.Total)
		}
		if d, ok := web.DaysToGoLive(); !ok || d != 9 {
			t.Errorf("days to go-live %v %v", d, ok)
		}
		if _, err := w.projects.DeliveryReport(ctx, "colour", ""); fault.As(err) == nil || fault.As(err).Fields["by"] == "" {
			t.Errorf("a bad dimension: %v", err)
		}
	})
}

// A project in delivery outlives its lead, as a deal does, with its
// time and history; a custom project still in pre-sale goes with it.
func TestDeletingALeadKeepsProjectsInDelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		l, deal := w.wonDeal("e@five.example", "Five", "ads", "900", true)
		p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.projects.LogTime(ctx, w.ann, p.ID, project.TimeInput{Hours: "2"}); err != nil {
			t.Fatal(err)
		}
		presale, err := w.projects.Open(ctx, w.ann, l.ID, project.Input{Title: "An app too"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.leads.Delete(ctx, w.admin, l.ID); err != nil {
			t.Fatal(err)
		}
		got, err := w.projects.Get(ctx, w.admin, p.ID)
		if err != nil || got.LeadID != 0 || got.AccountID != deal.AccountID {
			t.Errorf("the delivered project after its lead went: %+v %v", got, err)
		}
		if entries, _ := w.projects.Time(ctx, w.admin, p.ID); len(entries) != 1 {
			t.Errorf("its time: %v", entries)
		}
		if _, err := w.projects.Get(ctx, w.admin, presale.ID); fault.CodeOf(err) != fault.NotFound {
			t.Errorf("the pre-sale project stayed: %v", err)
		}
	})
}

// Projects moving into a stage while an admin removes it: each move
// either lands before the removal, which is then refused, or finds the
// stage gone; no project is left in a removed stage.
func TestStageRemovalRacesMoves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		var ids []int64
		for i := range 4 {
			_, deal := w.wonDeal(fmt.Sprintf("r%d@race.example", i), fmt.Sprintf("Race %d", i), "ads", "100", true)
			p, _, err := w.projects.FromDeal(ctx, w.ann, deal.OpportunityID, "")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		stages, _ := w.projects.Stages(ctx, project.Implementation)
		target := stages[6] // Support
		var keep []project.StageInput
		for _, st := range stages[:6] {
			keep = append(keep, project.StageInput{ID: st.ID, Name: st.Name})
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.projects.Move(ctx, w.ann, id, 0, target.ID)
				if err != nil && fault.CodeOf(err) != fault.Invalid {
					t.Errorf("move %d: %v", id, err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.projects.SetStages(ctx, w.admin, project.Implementation, keep)
			if err != nil && fault.CodeOf(err) != fault.Invalid {
				t.Errorf("remove: %v", err)
			}
		}()
		wg.Wait()
		var stranded int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM projects p JOIN project_stages st ON st.id = p.stage_id WHERE st.archived_at IS NOT NULL`).Scan(&stranded)
		if stranded != 0 {
			t.Errorf("%d projects stand in a removed stage", stranded)
		}
	})
}

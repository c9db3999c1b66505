package report_test

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/report"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

func actors(t *testing.T, db *sqldb.DB) (admin, sales access.Actor) {
	t.Helper()
	return usertest.Actor(t, db, "admin@example.com", access.Admin), usertest.Actor(t, db, "sam@example.com", access.Sales)
}

// thisMonth is the current month as a period and as YYYY-MM.
func thisMonth() (report.Period, string) {
	now := time.Now().UTC()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return report.Period{From: from, To: from.AddDate(0, 1, 0)}, from.Format("2006-01")
}

func TestKPIsFollowLeadsThroughTheLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin, sales := actors(t, db)
		leads := lead.NewService(db)
		deals := crm.NewService(db, leads)
		kpis := report.NewService(db)
		mk := func(email, source string, more lead.Changes) lead.Lead {
			c := lead.Changes{"email": email, "source": source, "company": "Co " + email}
			for k, v := range more {
				c[k] = v
			}
			l, err := leads.Create(ctx, admin, c)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		mk("a@web.example", "web", nil)
		mk("b@web.example", "web", lead.Changes{"stage": "mql"})
		gone := mk("c@web.example", "web", nil)
		mk("d@ads.example", "ads", lead.Changes{"stage": "disqualified", "stage_reason": "spam"})
		moved := mk("e@ads.example", "ads", nil)
		buyer := mk("f@ads.example", "ads", lead.Changes{"stage": "mql", "owner": "admin@example.com"})
		if _, err := leads.Qualify(ctx, admin, buyer.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		conv, err := deals.Convert(ctx, admin, buyer.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "F deal", Amount: "12000", Currency: "EUR"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := deals.Move(ctx, admin, conv.OpportunityID, "won", ""); err != nil {
			t.Fatal(err)
		}
		// A lead deleted leaves the counts; one whose source is corrected
		// moves to its new channel.
		if err := leads.Delete(ctx, admin, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Update(ctx, admin, moved.ID, lead.Changes{"source": "web"}); err != nil {
			t.Fatal(err)
		}
		p, month := thisMonth()
		if _, err := kpis.SetSpend(ctx, admin, report.SpendInput{Source: "ads", Month: month, Amount: "3,000", Currency: "eur"}); err != nil {
			t.Fatal(err)
		}
		k, err := kpis.KPIs(ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if k.Currency != "EUR" || k.Total.Leads != 5 || len(k.Channels) != 2 {
			t.Fatalf("kpis %+v", k)
		}
		web, ads := k.Channels[0], k.Channels[1]
		if web.Source != "web" || web.Leads != 3 || web.MQL != 1 || web.Customers != 0 || web.Spend != 0 {
			t.Errorf("web %+v", web)
		}
		if ads.Source != "ads" || ads.Leads != 2 || ads.MQL != 1 || ads.SQL != 1 || ads.Opportunities != 1 || ads.Customers != 1 ||
			ads.Disqualified != 1 || ads.Won != 1 || ads.Revenue != 12000 || ads.Spend != 3000 {
			t.Errorf("ads %+v", ads)
		}
		if cpl, ok := ads.CostPerLead(); !ok || cpl != 1500 {
			t.Errorf("cost per lead %v %v", cpl, ok)
		}
		if cpa, ok := ads.CostPerAcquisition(); !ok || cpa != 3000 {
			t.Errorf("cost per acquisition %v %v", cpa, ok)
		}
		if roi, ok := ads.ROI(); !ok || roi != 3 {
			t.Errorf("ROI %v %v", roi, ok)
		}
		if _, ok := web.ROI(); ok {
			t.Error("a channel without spend has an ROI")
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		var sum int64
		for _, d := range k.Days {
			sum += d.Leads
			if d.Date.Equal(today) && d.Leads != 5 {
				t.Errorf("today has %d leads", d.Leads)
			}
		}
		if len(k.Days) != p.Days() || sum != 5 {
			t.Errorf("%d days, %d leads", len(k.Days), sum)
		}
		// The kept counts agree with counting the leads themselves.
		dbtest.CountsMatchLeads(t, db)

		// Sales may look at the dashboard but not record spend.
		if _, err := kpis.SetSpend(ctx, sales, report.SpendInput{Source: "ads", Month: month, Amount: "1", Currency: "EUR"}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("sales recorded spend: %v", err)
		}
		// Another period has none of it.
		old, _ := report.ParsePeriod(url.Values{"from": {"2001-01-01"}, "to": {"2001-12-31"}}, time.Now())
		if k, err := kpis.KPIs(ctx, old, ""); err != nil || k.Total.Leads != 0 || len(k.Channels) != 0 || len(k.Days) != 365 {
			t.Errorf("2001: %+v %v", k.Total, err)
		}
	})
}

func TestSpendIsValidatedAndProRated(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	admin, _ := actors(t, db)
	kpis := report.NewService(db)
	_, err := kpis.SetSpend(ctx, admin, report.SpendInput{Source: " ", Month: "2026-13", Amount: "-5", Currency: "euro"})
	e := fault.As(err)
	for _, f := range []string{"source", "month", "amount", "currency"} {
		if e == nil || e.Fields[f] == "" {
			t.Errorf("no error on %s: %v", f, err)
		}
	}
	for _, in := range []report.SpendInput{
		{Source: "ads", Month: "2026-03", Amount: "3100", Currency: "EUR"},
		{Source: "ads", Month: "2026-04", Amount: "3000", Currency: "EUR"},
		{Source: "ads", Month: "2026-03", Amount: "999", Currency: "USD"},
	} {
		if _, err := kpis.SetSpend(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
	}
	// 10 days of March's 31 and 5 of April's 30.
	p, err := report.ParsePeriod(url.Values{"from": {"2026-03-22"}, "to": {"2026-04-05"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k, err := kpis.KPIs(ctx, p, "EUR")
	if err != nil || k.Total.Spend != 1000+500 || len(k.Currencies) != 2 {
		t.Errorf("spend %+v %v", k, err)
	}
	// Recording again replaces; 0 removes.
	kpis.SetSpend(ctx, admin, report.SpendInput{Source: "ads", Month: "2026-03", Amount: "0", Currency: "EUR"})
	if k, _ := kpis.KPIs(ctx, p, "EUR"); k.Total.Spend != 500 {
		t.Errorf("after removing March: %d", k.Total.Spend)
	}
	if all, _ := kpis.Spends(ctx); len(all) != 2 || all[0].Month != "2026-04" {
		t.Errorf("spends %+v", all)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	p, err := report.ParsePeriod(url.Values{}, now)
	if err != nil || p.Preset != "30d" || p.Days() != 30 || !p.LastDay().Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("default %+v %v", p, err)
	}
	p, _ = report.ParsePeriod(url.Values{"period": {"ytd"}}, now)
	if !p.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ytd from %v", p.From)
	}
	p, _ = report.ParsePeriod(url.Values{"from": {"2026-02-01"}, "to": {"2026-02-01"}}, now)
	if p.Days() != 1 {
		t.Errorf("one day: %d", p.Days())
	}
	bad := []struct {
		q     url.Values
		field string
	}{
		{url.Values{"period": {"forever"}}, "period"},
		{url.Values{"from": {"yesterday"}, "to": {"2026-01-01"}}, "from"},
		{url.Values{"from": {"2026-01-01"}}, "to"},
		{url.Values{"from": {"2026-02-01"}, "to": {"2026-01-01"}}, "to"},
		{url.Values{"from": {"1900-01-01"}, "to": {"2026-01-01"}}, "to"},
	}
	for _, b := range bad {
		_, err := report.ParsePeriod(b.q, now)
		if e := fault.As(err); e == nil || e.Fields[b.field] == "" {
			t.Errorf("%v: want an error on %s, got %v", b.q, b.field, err)
		}
	}
	if math.IsNaN(report.Row{}.Rate(3)) {
		t.Error("rate without leads")
	}
}

// Leads created, moved, re-sourced and deleted from many goroutines at once
// leave counts that match the leads; on PostgreSQL this crosses the
// counts' row locks in every order.
func TestCountsStayExactUnderConcurrentWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin, _ := actors(t, db)
		leads := lead.NewService(db)
		sources := []string{"web", "ads", "event"}
		var wg sync.WaitGroup
		errs := make(chan error, 9)
		// The periodic fold runs all along, as it would on a busy server.
		folding, stopFolding := context.WithCancel(ctx)
		folded := make(chan error, 1)
		go func() {
			var err error
			for folding.Err() == nil && err == nil {
				_, err = report.NewService(db).Fold(ctx)
			}
			folded <- err
		}()
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 6 {
					l, err := leads.Create(ctx, admin, lead.Changes{"email": fmt.Sprintf("w%d.%d@example.com", w, i), "source": sources[(w+i)%3]})
					if err != nil {
						errs <- err
						return
					}
					switch i % 3 {
					case 1:
						_, err = leads.Update(ctx, admin, l.ID, lead.Changes{"stage": "mql", "source": sources[w%3]})
					case 2:
						err = leads.Delete(ctx, admin, l.ID)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		stopFolding()
		errs <- <-folded
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		dbtest.CountsMatchLeads(t, db)
		if db.Dialect == sqldb.Postgres {
			if _, err := report.NewService(db).Fold(ctx); err != nil {
				t.Fatal(err)
			}
			var left int
			db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_count_deltas`).Scan(&left)
			if left != 0 {
				t.Errorf("%d count changes left after a fold", left)
			}
			dbtest.CountsMatchLeads(t, db)
		}
		p, _ := thisMonth()
		if k, err := report.NewService(db).KPIs(ctx, p, ""); err != nil || k.Total.Leads != 32 || k.Total.MQL != 16 {
			t.Errorf("after the writes: %+v %v", k.Total, err)
		}
	})
}

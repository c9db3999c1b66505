package lead_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/notify"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

func TestEventsScoreLeadsAndMakeMQLs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		clock := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })

		l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": "cto@kite.io", "job_title": "CTO", "employees": "300"})
		if err != nil {
			t.Fatal(err)
		}
		if l.Score != 35 || l.Grade != lead.Cold {
			t.Fatalf("explicit score %d %s, want 35 cold (decision maker 20, 200+ 15)", l.Score, l.Grade)
		}
		res, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{
			{Email: "CTO@kite.io", Type: "pricing_page_view", URL: "https://kite.io/pricing"},
			{LeadID: l.ID, Type: "quote_request"},
		})
		if err != nil {
			t.Fatal(err)
		}
		// 35 + pricing 10 + quote 30 = 75: hot, and past the MQL threshold of 60.
		if res[0].Score != 75 || res[1].Grade != lead.Hot {
			t.Errorf("after events: %+v", res)
		}
		got, _ := svc.Get(ctx, tm.admin, l.ID)
		if got.Stage != lead.MQL {
			t.Errorf("stage %s, want mql", got.Stage)
		}
		tl, _ := svc.Timeline(ctx, tm.admin, l.ID)
		if tl[0].Kind != lead.KindStage || tl[0].Reason != "score 75 reached the MQL threshold of 60" {
			t.Errorf("newest timeline entry %+v", tl[0])
		}

		// Decay: sixty days later the behavioural 40 points are worth 10.
		clock = clock.AddDate(0, 0, 60)
		p, err := svc.RescoreAll(ctx, "decay", nil)
		if err != nil || p.Done != 1 || p.Changed != 1 {
			t.Fatalf("rescore: %+v %v", p, err)
		}
		got, _ = svc.Get(ctx, tm.admin, l.ID)
		if got.Score != 45 || got.Grade != lead.Warm || got.Stage != lead.MQL {
			t.Errorf("after sixty days: %d %s %s; want 45, warm, still mql", got.Score, got.Grade, got.Stage)
		}
		if got := scoreEntries(t, svc, tm.admin, l.ID); got != "35 lead created; 75 new activity: reached the MQL threshold of 60; 45 decay: fell below the MQL threshold of 60" {
			t.Errorf("score entries on the timeline: %s", got)
		}
		exp, _, _ := svc.Explain(ctx, l.ID, clock)
		if exp.Score != 45 || len(exp.Fired) != 4 {
			t.Errorf("explanation %+v", exp)
		}

		_, err = svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{Email: "nobody@x.io", Type: "page_view"}, {Type: "has space"}})
		if e := fault.As(err); e == nil || e.Fields["events.1.type"] == "" {
			t.Errorf("bad batch: %v", err)
		}
		_, err = svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{Email: "nobody@x.io", Type: "page_view"}})
		if e := fault.As(err); e == nil || e.Fields["email"] != "no lead has this email" {
			t.Errorf("unknown email: %v", err)
		}
	})
}

func TestVisitorEventsJoinTheLeadTheyBecome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		for i := 0; i < 3; i++ {
			if _, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{VisitorID: "v-123", Type: "ebook_download", URL: "https://x.io/ebook"}}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "reader@x.io"},
			Origin: lead.Origin{Channel: "form", EventType: "form_submit", VisitorID: "v-123", Reason: "form"}})
		if err != nil {
			t.Fatal(err)
		}
		// ebook downloads 3 x 10 capped at 20, form submission 10.
		if r.Lead.Score != 30 {
			t.Errorf("score %d, want 30 from the visitor's earlier downloads and the form", r.Lead.Score)
		}
		res, _ := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{VisitorID: "v-123", Type: "pricing_page_view"}})
		if res[0].LeadID != r.Lead.ID || res[0].Score != 40 {
			t.Errorf("a known visitor's next event: %+v", res[0])
		}
	})
}

func TestRuleChangeRescoresEveryLead(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	tm := newTeam(t, db)
	svc := lead.NewService(db)
	for _, e := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		if _, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": e, "industry": "Education"}); err != nil {
			t.Fatal(err)
		}
	}
	rules := scoring.Defaults()
	rules.Explicit = append(rules.Explicit, scoring.Explicit{Field: "email_domain", Op: scoring.Equals, Values: []string{"x.io"}, Points: 50})
	if _, err := svc.Rules().Save(ctx, tm.admin, rules, "x.io is a key account"); err != nil {
		t.Fatal(err)
	}
	runner := job.NewRunner(db, job.Options{Poll: 10 * time.Millisecond})
	runner.Handle(lead.RescoreJob, svc.RunRescoreJob)
	runner.Start()
	defer runner.Stop(ctx)
	svc.Jobs = runner
	id, err := svc.StartRescore(ctx, tm.admin, "rules version 1")
	if err != nil {
		t.Fatal(err)
	}
	var r lead.Rescore
	for until := time.Now().Add(time.Minute); time.Now().Before(until); {
		r, _, _ = svc.LatestRescore(ctx)
		if r.Status != "running" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r.ID != id || r.Status != "done" || r.Progress.Done != 3 || r.Progress.Changed != 3 {
		t.Fatalf("rescore %+v", r)
	}
	got, _ := svc.Get(ctx, tm.admin, 1)
	if got.Score != 45 { // 50 - 5 for education
		t.Errorf("score after the rule change %d, want 45", got.Score)
	}
	// The planner's statistics of leads are fresh for the grades moved.
	var stats int
	if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'leads' AND idx = 'leads_grade_score'`).Scan(&stats); err != nil || stats != 1 {
		t.Errorf("statistics of leads_grade_score after the rescore: %d rows (%v)", stats, err)
	}
}

// TestConcurrentEventBatches sends batches that touch the same leads in
// different orders from several clients at once: on PostgreSQL this made
// deadlocks, which must be retried, never reach the caller.
func TestConcurrentEventBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		var ids []int64
		for i := 0; i < 10; i++ {
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("c%d@x.io", i)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for round := 0; round < 5; round++ {
					var batch []lead.EventInput
					for i := range ids {
						batch = append(batch, lead.EventInput{LeadID: ids[(i*(w+1)+round)%len(ids)], Type: "page_view"})
					}
					if _, err := svc.RecordEvents(ctx, tm.marketing, batch); err != nil {
						t.Error(err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		var total int
		for _, id := range ids {
			ev, _ := svc.Events(ctx, id, 1000)
			total += len(ev)
		}
		if total != 8*5*10 {
			t.Errorf("%d events stored, want 400", total)
		}
	})
}

// The replayed curve covers events that arrived dated in the past: it
// rises at each event, decays between them, and ends at today's score,
// where the recorded history has a single jump on the day they arrived.
func TestScoreReplayCoversBackdatedEvents(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	tm := newTeam(t, db)
	svc := lead.NewService(db)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": "ana@carpat.ro"})
	if err != nil {
		t.Fatal(err)
	}
	quote, meeting := now.AddDate(0, 0, -90), now.AddDate(0, 0, -30)
	if _, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{
		{LeadID: l.ID, Type: "quote_request", OccurredAt: quote},
		{LeadID: l.ID, Type: "meeting_booked", OccurredAt: meeting},
	}); err != nil {
		t.Fatal(err)
	}
	curve, err := svc.ScoreReplay(ctx, l.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	at := func(t0 time.Time) int {
		s := 0
		for _, p := range curve {
			if !p.At.After(t0) {
				s = p.Score
			}
		}
		return s
	}
	exp, _, _ := svc.Explain(ctx, l.ID, now)
	// Half-life 30 days: the quote's 30 points are 7.5 two months on,
	// when the meeting adds 25; a month later that is 3.75 + 12.5.
	if got := at(quote); got != 30 {
		t.Errorf("just after the quote request: %d, want 30", got)
	}
	if got := at(meeting.Add(-time.Hour)); got != 8 {
		t.Errorf("just before the meeting: %d, want 8 (decayed)", got)
	}
	if got := at(meeting); got != 33 {
		t.Errorf("just after the meeting: %d, want 33", got)
	}
	if last := curve[len(curve)-1]; !last.At.Equal(now) || last.Score != exp.Score || exp.Score != 16 {
		t.Errorf("the curve ends at %v with %d; today's score is %d", last.At, last.Score, exp.Score)
	}
	if len(curve) > 120 || len(curve) < 10 {
		t.Errorf("%d points", len(curve))
	}
}

// scoreEntries is lead id's score entries on its timeline, oldest first,
// as "score reason; ...".
func scoreEntries(t *testing.T, svc *lead.Service, a access.Actor, id int64) string {
	t.Helper()
	tl, err := svc.Timeline(context.Background(), a, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(tl) - 1; i >= 0; i-- {
		if c := tl[i]; c.Kind == lead.KindScore {
			out = append(out, c.Detail["score"][1]+" "+c.Reason)
		}
	}
	return strings.Join(out, "; ")
}

// TestTimelineRecordsWhatAPersonReads: events move the score without a
// timeline entry each; a grade change and a crossing of the MQL
// threshold, either way, are entries, and "why this score" still
// accounts for every event.
func TestTimelineRecordsWhatAPersonReads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		clock := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })
		l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": "cto@kite.io", "job_title": "CTO", "employees": "300"})
		if err != nil {
			t.Fatal(err)
		}
		// 35 explicit; page views 2 each, a quote request 30.
		for i, typ := range []string{"page_view", "quote_request", "page_view", "page_view"} {
			clock = clock.Add(time.Minute)
			if _, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{LeadID: l.ID, Type: typ}}); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		got, _ := svc.Get(ctx, tm.admin, l.ID)
		if got.Score != 71 || got.Grade != lead.Hot {
			t.Fatalf("after four events: %d %s, want 71 hot", got.Score, got.Grade)
		}
		want := "35 lead created; 67 new activity: reached the MQL threshold of 60; 71 new activity"
		if entries := scoreEntries(t, svc, tm.admin, l.ID); entries != want {
			t.Errorf("score entries:\n got %s\nwant %s", entries, want)
		}
		exp, _, err := svc.Explain(ctx, l.ID, clock)
		if err != nil {
			t.Fatal(err)
		}
		events := 0
		for _, f := range exp.Fired {
			events += len(f.Events)
		}
		if exp.Score != 71 || events != 4 {
			t.Errorf("why this score: %d from %d events, want 71 from 4", exp.Score, events)
		}
		clock = clock.AddDate(0, 0, 60)
		if _, err := svc.RescoreAll(ctx, lead.ReasonDecay, nil); err != nil {
			t.Fatal(err)
		}
		want += "; 44 decay: fell below the MQL threshold of 60"
		if entries := scoreEntries(t, svc, tm.admin, l.ID); entries != want {
			t.Errorf("after decay:\n got %s\nwant %s", entries, want)
		}
	})
}

// TestOneBatchMovesLeadsOfEveryKind: a batch whose events move one lead's
// score alone, another's grade and a third's grade and stage stores each
// move with the timeline entries it calls for, and tells the owner of the
// lead that turned hot, as batches of one lead each would.
func TestOneBatchMovesLeadsOfEveryKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		clock := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })
		var ids [3]int64
		for i := range ids {
			// 35 explicit each: decision maker 20, 200+ employees 15.
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("cto%d@kite.io", i), "job_title": "CTO",
				"employees": "300", "owner": "ann@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = l.ID
		}
		clock = clock.Add(time.Minute)
		_, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{
			{LeadID: ids[2], Type: "quote_request"}, // 65: MQL, warm
			{LeadID: ids[0], Type: "page_view"},     // 37: the score alone
			{LeadID: ids[1], Type: "pricing_page_view"},
			{LeadID: ids[2], Type: "pricing_page_view"}, // 75: hot
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			score   int
			grade   lead.Grade
			stage   lead.Stage
			entries string
		}{
			{37, lead.Cold, lead.StageLead, "35 lead created"},
			{45, lead.Warm, lead.StageLead, "35 lead created; 45 new activity"},
			{75, lead.Hot, lead.MQL, "35 lead created; 75 new activity: reached the MQL threshold of 60"},
		}
		for i, w := range want {
			got, err := svc.Get(ctx, tm.admin, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if got.Score != w.score || got.Grade != w.grade || got.Stage != w.stage {
				t.Errorf("lead %d: %d %s %s, want %d %s %s", i, got.Score, got.Grade, got.Stage, w.score, w.grade, w.stage)
			}
			if entries := scoreEntries(t, svc, tm.admin, ids[i]); entries != w.entries {
				t.Errorf("lead %d score entries:\n got %s\nwant %s", i, entries, w.entries)
			}
		}
		if tl, _ := svc.Timeline(ctx, tm.admin, ids[2]); tl[0].Kind != lead.KindStage || tl[0].Reason != "score 75 reached the MQL threshold of 60" {
			t.Errorf("newest timeline entry of the MQL %+v", tl[0])
		}
		page, err := notify.NewService(db).List(ctx, tm.ann, true, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var hot []string
		for _, n := range page.Items {
			if n.Kind == notify.Hot {
				hot = append(hot, n.Link)
			}
		}
		if len(hot) != 1 || !strings.HasSuffix(hot[0], fmt.Sprint(ids[2])) {
			t.Errorf("hot notices to the owner: %v, want one for lead %d", hot, ids[2])
		}
	})
}

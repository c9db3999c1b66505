package lead_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// sumRules are the default rules with a short window (so events leave
// windows within a test), a fast half-life, and a rule of negative points
// sharing another's key.
func sumRules() scoring.Rules {
	r := scoring.Defaults()
	r.HalfLifeDays = 7
	r.Behaviour = append(r.Behaviour,
		scoring.Behaviour{Event: "page_view", Points: 4, Cap: 9, WindowDays: 2, Label: "Busy these days"},
		scoring.Behaviour{Event: "page_view", URL: "*/pricing*", Points: -1, Cap: 3, Label: "Price shopper"})
	return r
}

// createLeads creates n leads as a, with emails from the pattern, and
// returns their ids.
func createLeads(t *testing.T, svc *lead.Service, a access.Actor, n int, email string) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		l, err := svc.Create(context.Background(), a, lead.Changes{"email": fmt.Sprintf(email, i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	return ids
}

// storedEvents reads a lead's events as the recomputation sees them.
func storedEvents(t *testing.T, db *sqldb.DB, id int64) []scoring.Event {
	t.Helper()
	rows, err := db.R.Query(context.Background(), `SELECT id, type, url, occurred_at FROM events WHERE lead_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []scoring.Event
	for rows.Next() {
		var e scoring.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.Type, &e.URL, &at); err != nil {
			t.Fatal(err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out
}

// checkSums says where lead id's stored sums differ from the sums
// recomputed from all its events at now, and its score (as the events
// path answered it, when given) from the recomputed score.
func checkSums(t *testing.T, db *sqldb.DB, svc *lead.Service, id int64, rules scoring.Rules, now time.Time, answered *int) {
	t.Helper()
	ctx := context.Background()
	k := rules.Keyset()
	events := storedEvents(t, db, id)
	want := k.Fold(events, now.UnixMilli())
	in, args := "?", []any{id}
	stored, err := scoring.ReadSums(ctx, db.R, in, args)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := stored[id].For(k)
	if !ok {
		if len(events) > 0 {
			t.Errorf("lead %d: no sums of the rules in force for its %d events", id, len(events))
		}
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("lead %d: kept sums %+v, recomputed from its %d events %+v", id, got, len(events), want)
	}
	exp, _, err := svc.Explain(ctx, id, now)
	if err != nil {
		t.Fatal(err)
	}
	if answered != nil {
		// What a list sorts and filters by is the answered score at once.
		var score int
		if err := db.R.QueryRow(ctx, `SELECT score FROM leads WHERE id = ?`, id).Scan(&score); err != nil {
			t.Fatal(err)
		}
		if score != *answered {
			t.Errorf("lead %d: stored score %d right after answering %d", id, score, *answered)
		}
	}
	if inc := scoring.ScoreSums(nil, got, k, rules, now.UnixMilli()); inc.Behaviour != exp.Behaviour {
		t.Errorf("lead %d: behaviour %v from the kept sums, %v from the events", id, inc.Behaviour, exp.Behaviour)
	}
	if answered != nil && *answered != exp.Score {
		t.Errorf("lead %d: events answered score %d, recomputed %d", id, *answered, exp.Score)
	}
}

// On random streams of event batches (backdated, a few minutes ahead, of
// anonymous visitors who later submit a form), with merges and their
// undo, edits, rescores and a change of rules in between, the sums kept
// event by event are always, bit for bit, the sums recomputed from the
// lead's events, and the scores the same integers.
func TestKeptScoresEqualRecomputation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		rng := rand.New(rand.NewPCG(18, 1))
		clock := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })
		rules := sumRules()
		if _, err := svc.Rules().Save(ctx, tm.admin, rules, "test rules"); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 6 {
			l, err := svc.Create(ctx, tm.marketing, lead.Changes{"email": fmt.Sprintf("p%d@acme.io", i), "job_title": []string{"CEO", "Intern"}[i%2]})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		types := []string{"page_view", "page_view", "email_open", "email_click", "quote_request", "email_bounce", "ebook_download", "webinar"}
		urls := []string{"https://acme.io/pricing?x=1", "https://acme.io/blog", ""}
		var merges []int64
		for step := range 160 {
			clock = clock.Add(time.Duration(rng.Int64N(int64(20 * time.Hour)))).Truncate(time.Millisecond)
			switch op := rng.IntN(20); {
			case op == 0:
				if _, err := svc.RescoreAll(ctx, "rules changed", nil); err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					checkSums(t, db, svc, id, rules, clock, nil)
				}
				continue
			case op == 1 && len(merges) < 3:
				a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
				if a == b {
					continue
				}
				if _, err := svc.Merge(ctx, tm.admin, a, b); err != nil {
					t.Fatal(err)
				}
				merges = append(merges, a)
				ids = slices.DeleteFunc(ids, func(id int64) bool { return id == b })
				checkSums(t, db, svc, a, rules, clock, nil)
				continue
			case op == 2 && len(merges) > 0:
				recs, err := svc.Merges(ctx, tm.admin, merges[0])
				if err != nil || len(recs) == 0 {
					t.Fatalf("merges of %d: %v", merges[0], err)
				}
				res, err := svc.UndoMerge(ctx, tm.admin, recs[0].ID)
				if err != nil {
					t.Logf("undo merge %d: %v", recs[0].ID, err)
					continue
				}
				_ = res
				ids = append(ids, recs[0].Absorbed...)
				merges = merges[1:]
				for _, id := range append([]int64{recs[0].LeadID}, recs[0].Absorbed...) {
					checkSums(t, db, svc, id, rules, clock, nil)
				}
				continue
			case op == 3:
				visitor := fmt.Sprintf("v-%d", step)
				if _, err := svc.RecordEvents(ctx, tm.marketing, []lead.EventInput{{VisitorID: visitor, Type: "page_view", URL: urls[0]},
					{VisitorID: visitor, Type: "ebook_download", OccurredAt: clock.Add(-30 * time.Hour)}}); err != nil {
					t.Fatal(err)
				}
				r, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": fmt.Sprintf("p%d@acme.io", rng.IntN(8))},
					Origin: lead.Origin{Channel: "form", EventType: "form_submit", VisitorID: visitor, Reason: "form"}})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(ids, r.Lead.ID) {
					ids = append(ids, r.Lead.ID)
				}
				checkSums(t, db, svc, r.Lead.ID, rules, clock, &r.Lead.Score)
				continue
			case op == 4 && step > 80 && rules.Behaviour[0].WindowDays == 90:
				rules.Behaviour[0].WindowDays = 3 // a new keyset: every lead's sums are rebuilt
				if _, err := svc.Rules().Save(ctx, tm.admin, rules, "shorter window"); err != nil {
					t.Fatal(err)
				}
				// The rescore keeps the sums of the other rules and folds
				// the changed one from the page views.
				if _, err := svc.RescoreAll(ctx, "rules changed", nil); err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					checkSums(t, db, svc, id, rules, clock, nil)
				}
			case op == 5:
				if _, err := svc.Update(ctx, tm.admin, ids[0], lead.Changes{"job_title": []string{"CTO", "Clerk"}[rng.IntN(2)]}); err != nil {
					t.Fatal(err)
				}
			}
			batch := make([]lead.EventInput, 1+rng.IntN(12))
			for i := range batch {
				e := lead.EventInput{LeadID: ids[rng.IntN(len(ids))], Type: types[rng.IntN(len(types))], URL: urls[rng.IntN(len(urls))]}
				switch rng.IntN(8) {
				case 0:
					e.OccurredAt = clock.Add(-time.Duration(rng.Int64N(int64(120 * 24 * time.Hour))))
				case 1: // a sender's clock a little fast
					e.OccurredAt = clock.Add(time.Duration(rng.Int64N(int64(lead.MaxClockSkew))))
				}
				batch[i] = e
			}
			if step%10 == 0 { // further ahead, a batch is refused, naming the event
				ahead := append(slices.Clone(batch), lead.EventInput{LeadID: ids[0], Type: "page_view", OccurredAt: clock.Add(lead.MaxClockSkew + time.Minute)})
				if _, err := svc.RecordEvents(ctx, tm.marketing, ahead); fault.As(err) == nil || fault.As(err).Fields[fmt.Sprintf("events.%d.occurred_at", len(batch))] == "" {
					t.Fatalf("an event dated 6 minutes ahead: %v", err)
				}
			}
			res, err := svc.RecordEvents(ctx, tm.marketing, batch)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int64]bool{}
			for _, r := range res {
				if !seen[r.LeadID] {
					seen[r.LeadID] = true
					checkSums(t, db, svc, r.LeadID, rules, clock, &r.Score)
				}
			}
		}
		if _, err := svc.RescoreAll(ctx, "final", nil); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			checkSums(t, db, svc, id, rules, clock, nil)
			l, err := svc.Get(ctx, tm.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			exp, _, _ := svc.Explain(ctx, id, clock)
			if l.Score != exp.Score || string(l.Grade) != exp.Grade {
				t.Errorf("lead %d: stored %d %s after a rescore, recomputed %d %s", id, l.Score, l.Grade, exp.Score, exp.Grade)
			}
		}
	})
}

// Batches of events for the same leads from many clients at once (on
// PostgreSQL truly at once) lose no increment: every event is counted in
// its lead's sums, in the order a recomputation folds them.
func TestConcurrentEventsKeepEveryIncrement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return now })
		ids := createLeads(t, svc, tm.marketing, 3, "hot%d@acme.io")
		const clients, rounds = 8, 6
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(c), 2))
				for range rounds {
					var batch []lead.EventInput
					for i := range 9 {
						batch = append(batch, lead.EventInput{LeadID: ids[(i+c)%len(ids)], Type: "page_view", URL: "https://acme.io/pricing",
							OccurredAt: now.Add(-time.Duration(rng.Int64N(int64(48 * time.Hour))))})
					}
					if _, err := svc.RecordEvents(ctx, tm.marketing, batch); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		k := scoring.Defaults().Keyset()
		var counted int64
		for _, id := range ids {
			checkSums(t, db, svc, id, scoring.Defaults(), now, nil)
			stored, err := scoring.ReadSums(ctx, db.R, "?", []any{id})
			if err != nil {
				t.Fatal(err)
			}
			s, ok := stored[id].For(k)
			if !ok {
				t.Fatalf("lead %d has no sums", id)
			}
			counted += s[k.Of[0]].N // the page views of every lead
		}
		if counted != clients*rounds*9 {
			t.Errorf("the sums count %d page views, %d were sent", counted, clients*rounds*9)
		}
	})
}

// Batches of events from many clients at once (on SQLite sharing the
// writer's transactions), some of them naming a lead that does not
// exist: each refused batch is refused by name and stores nothing, and
// every event of every other batch is stored and counted in its lead's
// sums and stored score, whichever batches it shared a transaction with.
func TestRefusedEventBatchLosesNoOtherBatchsEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return now })
		ids := createLeads(t, svc, tm.marketing, 4, "busy%d@acme.io")
		const clients, rounds = 8, 5
		types := []string{"page_view", "email_open", "email_click", "quote_request", "ebook_download"}
		var mu sync.Mutex
		sent := map[int64]int{} // events of accepted batches, by lead
		refused := 0
		start := make(chan struct{})
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rng := rand.New(rand.NewPCG(uint64(c), 3))
				for r := range rounds {
					var batch []lead.EventInput
					for i := range 7 {
						batch = append(batch, lead.EventInput{LeadID: ids[(i+c+r)%len(ids)], Type: types[rng.IntN(len(types))],
							OccurredAt: now.Add(-time.Duration(rng.Int64N(int64(72 * time.Hour))))})
					}
					bad := (c+r)%3 == 0
					if bad {
						batch[4].LeadID = 1 << 40
					}
					res, err := svc.RecordEvents(ctx, tm.marketing, batch)
					if bad {
						if f := fault.As(err); f == nil || f.Fields["events.4.lead_id"] == "" {
							t.Errorf("client %d round %d: a batch naming no lead: %v", c, r, err)
						}
						mu.Lock()
						refused++
						mu.Unlock()
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, e := range batch {
						sent[e.LeadID]++
					}
					mu.Unlock()
					if len(res) != len(batch) {
						t.Errorf("%d results for %d events", len(res), len(batch))
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		if refused == 0 || refused == clients*rounds {
			t.Fatalf("%d of %d batches refused: the test needs both kinds", refused, clients*rounds)
		}
		for _, id := range ids {
			if got := len(storedEvents(t, db, id)); got != sent[id] {
				t.Errorf("lead %d: %d events stored, %d sent in accepted batches", id, got, sent[id])
			}
			l, err := svc.Get(ctx, tm.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			checkSums(t, db, svc, id, scoring.Defaults(), now, nil)
			exp, _, err := svc.Explain(ctx, id, now)
			if err != nil {
				t.Fatal(err)
			}
			if l.Score != exp.Score || string(l.Grade) != exp.Grade {
				t.Errorf("lead %d: stored %d %s, recomputed %d %s", id, l.Score, l.Grade, exp.Score, exp.Grade)
			}
		}
	})
}

// A rescore after a change of behavioural rules, which rebuilds every
// lead's sums, runs while clients send event batches for the same leads
// (on PostgreSQL truly at once): it ends without an error,
// and none is run again as a deadlock victim; afterwards every lead's
// sums equal a recomputation from its events, whichever write came first.
func TestRescoreBesideEventBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return now })
		ids := createLeads(t, svc, tm.marketing, 120, "both%d@acme.io")
		send := func(rng *rand.Rand) error {
			batch := make([]lead.EventInput, 12)
			for i := range batch {
				batch[i] = lead.EventInput{LeadID: ids[rng.IntN(len(ids))], Type: []string{"page_view", "email_click", "webinar"}[rng.IntN(3)],
					URL: "https://acme.io/pricing", OccurredAt: now.Add(-time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))}
			}
			_, err := svc.RecordEvents(ctx, tm.marketing, batch)
			return err
		}
		rng := rand.New(rand.NewPCG(5, 5))
		for range 40 {
			if err := send(rng); err != nil {
				t.Fatal(err)
			}
		}
		rules := sumRules()
		if _, err := svc.Rules().Save(ctx, tm.admin, rules, "a window of two days"); err != nil {
			t.Fatal(err)
		}
		var p lead.RescoreProgress
		fns := []func() error{func() (err error) { p, err = svc.RescoreAll(ctx, "rules changed", nil); return err }}
		for c := range 4 {
			fns = append(fns, func() error {
				rng := rand.New(rand.NewPCG(uint64(c), 9))
				for range 10 {
					if err := send(rng); err != nil {
						return err
					}
				}
				return nil
			})
		}
		for _, err := range dbtest.Together(fns...) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if p.Changed == 0 {
			t.Fatal("the rescore changed no score: the test shows nothing")
		}
		if n := db.Retried(); n != 0 {
			t.Errorf("%d transactions were run again as deadlock victims", n)
		}
		for _, id := range ids {
			checkSums(t, db, svc, id, rules, now, nil)
		}
	})
}

package accountscore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// stored reads account id's stored score, grade and as-of through the
// accounts list's own read.
func stored(t *testing.T, accounts *crm.Service, a access.Actor, id int64) crm.Account {
	t.Helper()
	v, err := accounts.Account(context.Background(), a, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Account
}

// assertStoredIsComputed checks that the stored score of account id is
// the one computed now, and was stored at now.
func assertStoredIsComputed(t *testing.T, when string, scores *accountscore.Service, accounts *crm.Service, a access.Actor, id int64, now time.Time) accountscore.Result {
	t.Helper()
	if _, err := scores.Refresh(context.Background()); err != nil {
		t.Fatalf("%s: refresh: %v", when, err)
	}
	res, err := scores.Score(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	acc := stored(t, accounts, a, id)
	if acc.Score != res.Score || acc.Grade != res.Grade || acc.ScoredAt == nil || !acc.ScoredAt.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("%s: stored %d %s at %v; computed %d %s at %v", when, acc.Score, acc.Grade, acc.ScoredAt, res.Score, res.Grade, now)
	}
	return res
}

// The stored score follows what changes it: the account's creation, its
// people's events, an edit of its fit fields, a link undone, new rules,
// and time (decay) alone; each time it equals the score computed on
// read; on both databases.
func TestStoredScoreFollowsEventsAndEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		leads := lead.NewService(db)
		accounts := crm.NewService(db, leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		now := time.Now().UTC().Truncate(time.Millisecond)
		scores.SetClock(func() time.Time { return now })
		acc, err := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Fjord Shipping AS", Website: "fjordship.no",
			Employees: "450", Country: "NO", Revenue: "60,000,000"})
		if err != nil {
			t.Fatal(err)
		}
		if got := stored(t, accounts, admin, acc.ID); got.ScoredAt != nil {
			t.Errorf("a new account has a stored score before the job ran: %+v", got)
		}
		fitOnly := assertStoredIsComputed(t, "new account", scores, accounts, admin, acc.ID, now)
		if fitOnly.Score != 45 {
			t.Errorf("fit alone %d, want 45", fitOnly.Score)
		}

		var people []int64
		for _, email := range []string{"ada@fjordship.no", "bo@fjordship.no"} {
			l, err := leads.Create(ctx, admin, lead.Changes{"email": email})
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, l.ID)
		}
		var in []lead.EventInput
		for i, typ := range []string{"pricing_page_view", "quote_request", "ebook_download", "pricing_page_view"} {
			in = append(in, lead.EventInput{LeadID: people[i%2], Type: typ, OccurredAt: now.Add(-time.Duration(i*30) * time.Hour), Source: "api"})
		}
		if _, err := leads.RecordEvents(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		engaged := assertStoredIsComputed(t, "after events", scores, accounts, admin, acc.ID, now)
		if engaged.Score <= fitOnly.Score {
			t.Errorf("events added nothing: %d", engaged.Score)
		}

		now = now.Add(time.Minute)
		if _, err := accounts.UpdateAccount(ctx, admin, acc.ID, crm.AccountInput{Name: "Fjord Shipping AS", Website: "fjordship.no",
			Employees: "1500", Country: "NO", Revenue: "60,000,000"}); err != nil {
			t.Fatal(err)
		}
		bigger := assertStoredIsComputed(t, "after an edit", scores, accounts, admin, acc.ID, now)
		if bigger.Fit != 55 {
			t.Errorf("fit after the edit %d, want 55", bigger.Fit)
		}

		now = now.Add(time.Minute)
		if _, err := leads.UnlinkAccount(ctx, admin, people[1]); err != nil {
			t.Fatal(err)
		}
		assertStoredIsComputed(t, "after a link undone", scores, accounts, admin, acc.ID, now)

		now = now.Add(time.Minute)
		rules := accountscore.Defaults()
		rules.Hot, rules.Warm, rules.Tier1 = 500, 400, 500
		if _, err := scores.SaveRules(ctx, admin, rules); err != nil {
			t.Fatal(err)
		}
		if r := assertStoredIsComputed(t, "after new rules", scores, accounts, admin, acc.ID, now); r.Grade != "cold" {
			t.Errorf("grade under the new rules %s", r.Grade)
		}

		// Nothing changed: a run scores nothing.
		if n, err := scores.Refresh(ctx); err != nil || n != 0 {
			t.Errorf("an idle run scored %d accounts, %v", n, err)
		}
		// Decay alone: once the stored score is older than RefreshAfter the
		// job scores the account again.
		now = now.Add(accountscore.RefreshAfter + 20*24*time.Hour)
		decayed := assertStoredIsComputed(t, "after decay", scores, accounts, admin, acc.ID, now)
		if decayed.Engagement >= bigger.Engagement {
			t.Errorf("engagement did not decay: %.2f then %.2f", bigger.Engagement, decayed.Engagement)
		}
	})
}

// The accounts list sorts by the stored score, grade and tier from its
// column headers' keys, both ways, and filters by grade.
func TestAccountsSortByStoredScore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		leads := lead.NewService(db)
		accounts := crm.NewService(db, leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		for _, a := range []struct {
			in   crm.AccountInput
			tier int
		}{
			{crm.AccountInput{Name: "Alpha", Employees: "5000", Revenue: "90000000", Country: "NO"}, 2},  // 55: warm
			{crm.AccountInput{Name: "Beta", Employees: "300"}, 0},                                        // 20: cold
			{crm.AccountInput{Name: "Gamma", Employees: "300", Country: "RO", Industry: "Education"}, 1}, // 20: cold
			{crm.AccountInput{Name: "Delta", Country: "IT"}, 3},                                          // 10: cold
		} {
			acc, err := accounts.CreateAccount(ctx, admin, a.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.tier != 0 {
				scores.SetTier(ctx, admin, acc.ID, a.tier)
			}
		}
		if _, err := scores.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		names := func(o crm.ListOptions) string {
			t.Helper()
			p, err := accounts.Accounts(ctx, admin, o)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range p.Items {
				out = append(out, fmt.Sprintf("%s:%d", a.Name, a.Score))
			}
			return fmt.Sprint(out)
		}
		for _, c := range []struct{ sort, want string }{
			// Equal scores keep the order of their ids, reversed with the sort.
			{"-score", "[Alpha:55 Gamma:20 Beta:20 Delta:10]"},
			{"score", "[Delta:10 Beta:20 Gamma:20 Alpha:55]"},
			{"-grade", "[Alpha:55 Gamma:20 Beta:20 Delta:10]"},
			{"grade", "[Delta:10 Beta:20 Gamma:20 Alpha:55]"},
			{"tier", "[Gamma:20 Alpha:55 Delta:10 Beta:20]"},
			{"-tier", "[Beta:20 Delta:10 Alpha:55 Gamma:20]"},
		} {
			if got := names(crm.ListOptions{Sort: c.sort}); got != c.want {
				t.Errorf("sort %s: %s, want %s", c.sort, got, c.want)
			}
		}
		// Pages of one by score carry on where the last one stopped.
		var seen []string
		o := crm.ListOptions{Sort: "-score", Limit: 1}
		for range 4 {
			p, err := accounts.Accounts(ctx, admin, o)
			if err != nil || len(p.Items) != 1 {
				t.Fatalf("page: %+v %v", p, err)
			}
			seen = append(seen, p.Items[0].Name)
			o.Cursor = p.Next
		}
		if fmt.Sprint(seen) != "[Alpha Gamma Beta Delta]" {
			t.Errorf("pages by score: %v", seen)
		}
		if got := names(crm.ListOptions{Grade: "warm"}); got != "[Alpha:55]" {
			t.Errorf("warm accounts: %s", got)
		}
		if _, err := accounts.Accounts(ctx, admin, crm.ListOptions{Grade: "tepid"}); err == nil {
			t.Error("a grade that is none was taken")
		}
		// A hot account ranks first by grade whatever its score (the rank
		// is past a 32-bit integer, which PostgreSQL refused).
		if _, err := db.W.Exec(ctx, `UPDATE accounts SET grade = 'hot' WHERE name = 'Delta'`); err != nil {
			t.Fatal(err)
		}
		if got := names(crm.ListOptions{Sort: "-grade"}); got != "[Delta:10 Alpha:55 Gamma:20 Beta:20]" {
			t.Errorf("by grade with a hot account: %s", got)
		}
	})
}

// Events, edits and refresh jobs at once on PostgreSQL: writers add
// events to an account's people and edit its fit fields while three
// instances' jobs score it; once the writers stop and a last run drains
// what they left, the stored score is the computed one.
func TestStoredScoreConcurrentPostgres(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
	leads := lead.NewService(db)
	accounts := crm.NewService(db, leads)
	now := time.Now().UTC().Truncate(time.Millisecond)
	newScores := func() *accountscore.Service {
		s := accountscore.NewService(db, scoring.NewStore(db))
		s.SetClock(func() time.Time { return now })
		return s
	}
	acc, err := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Nordwind GmbH", Website: "nordwind.example", Employees: "300", Country: "NO"})
	if err != nil {
		t.Fatal(err)
	}
	var people []int64
	for i := range 4 {
		l, err := leads.Create(ctx, admin, lead.Changes{"email": fmt.Sprintf("p%d@nordwind.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, l.ID)
	}
	var writers, jobs sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	for _, id := range people {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 15 {
				typ := []string{"pricing_page_view", "ebook_download", "quote_request"}[i%3]
				if _, err := leads.RecordEvents(ctx, admin, []lead.EventInput{{LeadID: id, Type: typ, OccurredAt: now.Add(-time.Duration(i) * time.Hour), Source: "api"}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	writers.Add(1)
	go func() {
		defer writers.Done()
		for i := range 10 {
			emp := []string{"300", "1200"}[i%2]
			if _, err := accounts.UpdateAccount(ctx, admin, acc.ID, crm.AccountInput{Name: "Nordwind GmbH", Website: "nordwind.example", Employees: emp, Country: "NO"}); err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 3 {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			s := newScores()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Refresh(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	jobs.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	scores := newScores()
	if _, err := scores.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := scores.Score(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := stored(t, accounts, admin, acc.ID)
	if got.Score != res.Score || got.Grade != res.Grade || res.Fit != 40 || res.Engagement == 0 {
		t.Errorf("stored %d %s, computed %+v", got.Score, got.Grade, res)
	}
	var left int
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM account_changes`).Scan(&left)
	if left != 0 {
		t.Errorf("%d changes left unread", left)
	}
}

// A batch of events, as the events API writes it, puts each lead it names
// on the segments' change feed and each of their accounts on the account
// score's, on both databases (on PostgreSQL one trigger a statement
// does it, on SQLite one a row).
func TestEventBatchFeedsTheChangeQueues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		leads := lead.NewService(db)
		acc, err := crm.NewService(db, leads).CreateAccount(ctx, admin, crm.AccountInput{Name: "Fjord Shipping AS", Website: "fjordship.no"})
		if err != nil {
			t.Fatal(err)
		}
		var people []int64
		for _, email := range []string{"ada@fjordship.no", "cy@elsewhere.example", "di@elsewhere.example"} {
			l, err := leads.Create(ctx, admin, lead.Changes{"email": email})
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, l.ID)
		}
		for _, q := range []string{`DELETE FROM segment_changes`, `DELETE FROM account_changes`} {
			if _, err := db.W.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		var in []lead.EventInput
		for i := range 7 {
			in = append(in, lead.EventInput{LeadID: people[i%2], Type: "chat_opened", Source: "api"})
		}
		if _, err := leads.RecordEvents(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		ids := func(q string) []int64 {
			got, err := sqldb.Column[int64](ctx, db.R, q)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := ids(`SELECT DISTINCT lead_id FROM segment_changes ORDER BY lead_id`); fmt.Sprint(got) != fmt.Sprint(people[:2]) {
			t.Errorf("segment feed holds leads %v, want %v", got, people[:2])
		}
		if got := ids(`SELECT DISTINCT account_id FROM account_changes`); fmt.Sprint(got) != fmt.Sprint([]int64{acc.ID}) {
			t.Errorf("account feed holds accounts %v, want [%d]", got, acc.ID)
		}
		if db.Dialect == sqldb.Postgres {
			// Once a statement: a lead once whatever its events, an account once.
			if n, m := len(ids(`SELECT lead_id FROM segment_changes`)), len(ids(`SELECT account_id FROM account_changes`)); n != 2 || m != 1 {
				t.Errorf("the batch queued %d leads and %d accounts, want 2 and 1", n, m)
			}
		}
	})
}

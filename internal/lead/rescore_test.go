package lead_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// A rescore spans several chunks and, on SQLite, several chunks a
// transaction: every lead is scored once, every change is on the
// timeline, and the stored score is the one the explanation gives.
func TestRescoreAcrossChunks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const n = 4500 // three chunks of 2,000 or fewer
		d := bench.Data{Seed: 3, Now: time.Now()}
		if err := d.InsertLeads(ctx, db, n, 1000, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.InsertEvents(ctx, db, 4*n, n, 5000, nil); err != nil {
			t.Fatal(err)
		}
		svc := lead.NewService(db)
		now := time.Now()
		svc.SetClock(func() time.Time { return now }) // the second rescore sees the same decay
		var calls int
		p, err := svc.RescoreAll(ctx, "rules changed", func(lead.RescoreProgress) { calls++ })
		if err != nil || p.Done != n || p.Total != n || p.Changed == 0 || calls == 0 {
			t.Fatalf("rescore: %+v, %d progress calls, %v", p, calls, err)
		}
		var logged int64
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_changes WHERE kind = ? AND reason = ?`, lead.KindScore, "rules changed").Scan(&logged); err != nil {
			t.Fatal(err)
		}
		if logged != p.Changed {
			t.Errorf("%d score changes on the timeline, %d scores changed", logged, p.Changed)
		}
		admin := access.Actor{Role: access.Admin}
		for _, id := range []int64{1, 2000, 2001, 4000, n} {
			l, err := svc.Get(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			exp, _, err := svc.Explain(ctx, id, now)
			if err != nil || exp.Score != l.Score {
				t.Errorf("lead %d: stored %d, explained %d (%v)", id, l.Score, exp.Score, err)
			}
		}
		again, err := svc.RescoreAll(ctx, "again", nil)
		if err != nil || again.Changed != 0 {
			t.Errorf("a second rescore changed %d scores (%v)", again.Changed, err)
		}
	})
}

// A rescore reads only the columns the explicit rules test: every field a
// rule may name (and custom answers, and the two derived from the email)
// scores as it does on the lead's page, which reads the whole lead.
func TestRescoreReadsEveryFieldRulesTest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		now := time.Now()
		svc.SetClock(func() time.Time { return now })
		rng := rand.New(rand.NewPCG(18, 2))
		pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
		var ids []int64
		for i := range 40 {
			c := lead.Changes{"email": fmt.Sprintf("p%d@%s", i, pick("acme.io", "gmail.com", "example.org"))}
			maybe := func(field string, values ...string) {
				if rng.IntN(3) > 0 {
					c[field] = pick(values...)
				}
			}
			maybe("job_title", "CEO", "Intern", "Head of IT")
			maybe("employees", "0", "15", "250", "5000")
			maybe("country", "RO", "DE", "IT")
			maybe("industry", "Education", "Retail")
			maybe("existing_customer", "true", "false")
			maybe("company", "Acme", "Initech")
			maybe("city", "Cluj", "Berlin")
			maybe("source", "web", "import")
			maybe("utm_source", "google", "newsletter")
			maybe("utm_medium", "cpc", "email")
			maybe("utm_campaign", "spring", "autumn")
			maybe("consent", "true", "false")
			maybe("website", "acme.io", "initech.com")
			maybe("custom.plan", "pro", "free")
			maybe("custom.seats", "3", "40")
			l, err := svc.Create(ctx, tm.marketing, c)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		rules := scoring.Defaults()
		rules.Explicit = nil
		for i, f := range scoring.Fields {
			e := scoring.Explicit{Field: f, Op: scoring.IsSet, Points: 3 + 7*i}
			switch f {
			case "existing_customer", "consent", "free_email":
				e.Op, e.Values = scoring.Equals, []string{"true"}
			case "email_domain":
				e.Op, e.Values = scoring.Equals, []string{"acme.io"}
			}
			rules.Explicit = append(rules.Explicit, e)
		}
		rules.Explicit = append(rules.Explicit,
			scoring.Explicit{Field: "employees", Op: scoring.AtLeast, Values: []string{"200"}, Points: 101},
			scoring.Explicit{Field: "employees", Op: scoring.IsEmpty, Points: -13},
			scoring.Explicit{Field: "job_title", Op: scoring.Contains, Values: []string{"head"}, Points: 29},
			scoring.Explicit{Field: "custom.plan", Op: scoring.Equals, Values: []string{"pro"}, Points: 211},
			scoring.Explicit{Field: "custom.seats", Op: scoring.AtLeast, Values: []string{"10"}, Points: 307})
		if _, err := svc.Rules().Save(ctx, tm.admin, rules, "every field"); err != nil {
			t.Fatal(err)
		}
		p, err := svc.RescoreAll(ctx, "every field", nil)
		if err != nil || p.Changed == 0 {
			t.Fatalf("rescore: %+v, %v", p, err)
		}
		for _, id := range ids {
			l, err := svc.Get(ctx, tm.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			exp, _, err := svc.Explain(ctx, id, now)
			if err != nil || l.Score != exp.Score || string(l.Grade) != exp.Grade {
				t.Errorf("lead %d (%v): rescored %d %s, explained %d %s (%v)", id, l.Values(), l.Score, l.Grade, exp.Score, exp.Grade, err)
			}
		}
	})
}

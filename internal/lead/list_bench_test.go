package lead_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/bench"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
)

// BenchmarkLeadList times one page of the lead list for the filters of
// the bench tool's mix, and a few worst cases, over LEADFLOW_BENCH_LEADS
// leads (default 20,000) with three events each, scored, on SQLite:
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench LeadList -benchtime 20x ./internal/lead
func BenchmarkLeadList(b *testing.B) {
	n := benchLeads(20000)
	ctx := context.Background()
	db := dbtest.SQLite(b)
	d := bench.Data{Seed: 1, Now: time.Now()}
	if err := d.InsertLeads(ctx, db, n, 5000, func(int) {}); err != nil {
		b.Fatal(err)
	}
	if err := d.InsertEvents(ctx, db, 3*n, n, 20000, func(int) {}); err != nil {
		b.Fatal(err)
	}
	svc := lead.NewService(db)
	if _, err := svc.RescoreAll(ctx, "benchmark", nil); err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx, "leads"); err != nil { // as the server does at start and hourly
		b.Fatal(err)
	}
	admin := access.Actor{ID: 1, Role: access.Admin}
	for _, q := range []string{"stage=mql", "grade=hot", "min_score=50&sort=-score", "country=DE&sort=company", "q=person12",
		"stage=lead,sql&country=RO,IT", "source=web&sort=-created_at", "grade=warm&country=US&sort=-score",
		"country=JP", "sort=company", "stage=customer&country=NO&sort=-score"} {
		v, _ := url.ParseQuery(q)
		f, err := lead.ParseFilter(v)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := svc.List(ctx, admin, f, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package lead_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// benchLeads is LEADFLOW_BENCH_LEADS, the number of leads a benchmark
// makes, or def.
func benchLeads(def int) int {
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_LEADS")); err == nil && v > 0 {
		return v
	}
	return def
}

// scoredFromSums makes n leads of ten events each on SQLite and a first
// rescore (untimed), which stores every lead's sums.
func scoredFromSums(b *testing.B, n int) *lead.Service {
	db := dbtest.SQLite(b)
	fill(b, db, n, 10)
	svc := lead.NewService(db)
	if _, err := svc.RescoreAll(context.Background(), "sums", nil); err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkRescore measures a full rescore of LEADFLOW_BENCH_LEADS leads
// (default 2,000) with ten events each, on SQLite:
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench Rescore -benchtime 1x ./internal/lead
func BenchmarkRescore(b *testing.B) {
	n := benchLeads(2000)
	db := dbtest.SQLite(b)
	start := time.Now()
	fill(b, db, n, 10)
	b.Logf("filled %d leads and %d events in %s", n, n*10, time.Since(start).Round(time.Second))
	svc := lead.NewService(db)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := svc.RescoreAll(context.Background(), "benchmark", nil)
		if err != nil || p.Done != int64(n) {
			b.Fatalf("%+v %v", p, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}

// BenchmarkRescoreFromSums measures a full rescore after a change of an
// explicit rule and the thresholds, on SQLite: every lead's behavioural
// points come from its stored sums (built by a first rescore, untimed),
// no event is read.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench RescoreFromSums -benchtime 1x ./internal/lead
func BenchmarkRescoreFromSums(b *testing.B) {
	n := benchLeads(2000)
	ctx := context.Background()
	svc := scoredFromSums(b, n)
	admin := access.Actor{Role: access.Admin}
	b.ResetTimer()
	var changed int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := scoring.Defaults()
		r.Explicit[0].Points += 5 * (i + 1)
		r.Hot, r.Warm = r.Hot-5, r.Warm-5
		if _, err := svc.Rules().Save(ctx, admin, r, "benchmark"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p, err := svc.RescoreAll(ctx, "benchmark", nil)
		if err != nil || p.Done != int64(n) {
			b.Fatalf("%+v %v", p, err)
		}
		changed += p.Changed
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	b.ReportMetric(float64(changed)/float64(b.N), "changed/op")
}

// BenchmarkRescoreUnchanged times the hourly sweep: a rescore with the
// rules unchanged, every lead scored from its stored sums and few scores
// moving.
//
//	LEADFLOW_BENCH_LEADS=100000 go test -run XXX -bench RescoreUnchanged -benchtime 3x ./internal/lead
func BenchmarkRescoreUnchanged(b *testing.B) {
	n := benchLeads(2000)
	ctx := context.Background()
	svc := scoredFromSums(b, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := svc.RescoreAll(ctx, lead.ReasonDecay, nil)
		if err != nil || p.Done != int64(n) {
			b.Fatalf("%+v %v", p, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}

// BenchmarkEventsOfBusyLeads records events, 100 a batch, for leads that
// already have LEADFLOW_BENCH_HISTORY events each (default 1,000): the
// cost of an event must not grow with its lead's history.
func BenchmarkEventsOfBusyLeads(b *testing.B) {
	history := 1000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_HISTORY")); err == nil && v >= 0 {
		history = v
	}
	const leads = 200
	ctx := context.Background()
	db := dbtest.SQLite(b)
	fill(b, db, leads, history)
	svc := lead.NewService(db)
	if _, err := svc.RescoreAll(ctx, "sums", nil); err != nil {
		b.Fatal(err)
	}
	admin := access.Actor{Role: access.Admin}
	rng := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch := make([]lead.EventInput, 100)
		for j := range batch {
			batch[j] = lead.EventInput{LeadID: 1 + rng.Int64N(leads), Type: "page_view", URL: "https://site.example/page"}
		}
		if _, err := svc.RecordEvents(ctx, admin, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}

// fill inserts n leads and perLead events each straight through SQL, in
// large transactions: the data a rescore reads, made quickly.
func fill(b *testing.B, db *sqldb.DB, n, perLead int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	types := []string{"page_view", "page_view", "page_view", "pricing_page_view", "email_open", "email_click", "ebook_download", "form_submit", "quote_request", "meeting_booked"}
	titles := []string{"CEO", "Engineer", "Head of Sales", "Student", "VP Marketing", "Analyst"}
	countries := []string{"RO", "IT", "NO", "DE", "US", "FR"}
	now := time.Now().UnixMilli()
	const chunk = 5000
	for from := 0; from < n; from += chunk {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+chunk, n); i++ {
				created := now - rng.Int64N(180*86400000)
				var id int64
				err := tx.QueryRow(ctx, `INSERT INTO leads (email, first_name, job_title, employees, country, stage, score, grade, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, 'lead', 0, 'cold', ?, ?) RETURNING id`, fmt.Sprintf("p%d@corp%d.example", i, i%997),
					"P", titles[i%len(titles)], rng.IntN(5000), countries[i%len(countries)], created, created).Scan(&id)
				if err != nil {
					return err
				}
				for e := 0; e < perLead; e++ {
					typ := types[rng.IntN(len(types))]
					url := "https://site.example/" + strings.TrimSuffix(typ, "_view")
					if _, err := tx.Exec(ctx, `INSERT INTO events (lead_id, type, url, occurred_at) VALUES (?, ?, ?, ?)`,
						id, typ, url, now-rng.Int64N(120*86400000)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

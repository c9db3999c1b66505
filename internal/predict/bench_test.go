package predict

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// BenchmarkProbability measures the model alone: encoding a lead with
// its events and scoring it, per lead.
//
//	go test -run XXX -bench Probability ./internal/predict
func BenchmarkProbability(b *testing.B) {
	xs := team(3000, 5)
	m, _, err := Train(xs, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Probability(xs[i%len(xs)], now)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}

// BenchmarkScoreAll measures giving every one of LEADFLOW_BENCH_LEADS
// leads (default 2,000; three events each) its probability on SQLite:
// reading the leads and events, scoring, and writing the column.
//
//	LEADFLOW_BENCH_LEADS=1000000 go test -run XXX -bench ScoreAll -benchtime 1x ./internal/predict
func BenchmarkScoreAll(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("LEADFLOW_BENCH_LEADS")); err == nil && v > 0 {
		n = v
	}
	db := dbtest.SQLite(b)
	start := time.Now()
	fillLeads(b, db, n)
	b.Logf("filled %d leads in %s", n, time.Since(start).Round(time.Second))
	m, _, err := Train(team(3000, 6), now)
	if err != nil {
		b.Fatal(err)
	}
	mb := `{"spec":{"columns":[]},"weights":[0],"means":[]}`
	ctx := context.Background()
	var id int64
	if err := db.W.QueryRow(ctx, `INSERT INTO prediction_models (model, metrics, closed, conversions, auc, active, created_at)
		VALUES (?, '{}', 0, 0, 0, TRUE, 0) RETURNING id`, mb).Scan(&id); err != nil {
		b.Fatal(err)
	}
	s := NewService(db, lead.NewService(db))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		done, err := s.ScoreAll(ctx, id, m)
		if err != nil || done != int64(n) {
			b.Fatalf("%d scored: %v", done, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}

func fillLeads(b *testing.B, db *sqldb.DB, n int) {
	ctx := context.Background()
	industries := []string{"Software", "Retail", "Education", "Select", "Other"}
	types := []string{"page_view", "pricing_page_view", "email_open"}
	at := now.UnixMilli()
	const chunk = 5000
	for from := 0; from < n; from += chunk {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := from; i < min(from+chunk, n); i++ {
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO leads (email, industry, employees, country, stage, score, grade, created_at, updated_at)
					VALUES (?, ?, ?, 'RO', 'lead', 0, 'cold', ?, ?) RETURNING id`, fmt.Sprintf("p%d@corp%d.example", i, i%997),
					industries[i%len(industries)], 5+i%500, at, at).Scan(&id); err != nil {
					return err
				}
				for e := 0; e < 3; e++ {
					if _, err := tx.Exec(ctx, `INSERT INTO events (lead_id, type, occurred_at) VALUES (?, ?, ?)`, id, types[(i+e)%3], at-int64(e)*86400000); err != nil {
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

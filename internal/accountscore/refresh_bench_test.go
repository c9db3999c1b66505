package accountscore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/accountscore"
	"leadflow/internal/dbtest"
	"leadflow/internal/scoring"
	"leadflow/internal/sqldb"
)

// seedScoredAccounts stores n accounts, each with people converted into
// it and events of theirs, in batches, straight through SQL.
func seedScoredAccounts(b *testing.B, db *sqldb.DB, n, people, events int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UnixMilli()
	types := []string{"page_view", "pricing_page_view", "ebook_download", "email_open", "quote_request"}
	const batch = 200
	for from := 0; from < n; from += batch {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			var rows []string
			var args []any
			for i := from; i < min(from+batch, n); i++ {
				rows = append(rows, "(?, ?, ?, ?, ?, 1, 1, '', '')")
				args = append(args, fmt.Sprintf("Company%d", i), fmt.Sprintf("company%d", i), fmt.Sprintf("company%d.example", i),
					[]string{"NO", "RO", "IT", "DE"}[i%4], 50+i%2000)
			}
			ids, err := sqldb.Column[int64](ctx, tx, `INSERT INTO accounts (name, name_key, domain, country, employees, created_at, updated_at, name_sort, industry_sort)
				VALUES `+strings.Join(rows, ", ")+` RETURNING id`, args...)
			if err != nil {
				return err
			}
			for _, acc := range ids {
				for p := range people {
					var lead int64
					if err := tx.QueryRow(ctx, `INSERT INTO leads (email, stage, grade, created_at, updated_at, account_id)
						VALUES (?, 'customer', 'cold', ?, ?, ?) RETURNING id`, fmt.Sprintf("p%d@company%d.example", p, acc), now, now, acc).Scan(&lead); err != nil {
						return err
					}
					var ev []string
					var eargs []any
					for e := range events {
						ev = append(ev, "(?, ?, ?)")
						eargs = append(eargs, lead, types[e%len(types)], now-int64(e)*3600_000)
					}
					if _, err := tx.Exec(ctx, `INSERT INTO events (lead_id, type, occurred_at) VALUES `+strings.Join(ev, ", "), eargs...); err != nil {
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

// BenchmarkAccountRefresh measures the score job over 10,000 accounts of
// 3 people with 20 events each: every account queued at once (as saving
// the account rules does), then the job scoring and storing them all.
// It reports accounts scored a second.
func BenchmarkAccountRefresh(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			const n = 10_000
			seedScoredAccounts(b, db, n, 3, 20)
			ctx := context.Background()
			scores := accountscore.NewService(db, scoring.NewStore(db))
			if _, err := scores.Refresh(ctx); err != nil { // the seed's own queue
				b.Fatal(err)
			}
			var spent time.Duration
			for b.Loop() {
				if _, err := db.W.Exec(ctx, `INSERT INTO account_changes (account_id) SELECT id FROM accounts`); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				got, err := scores.Refresh(ctx)
				spent += time.Since(start)
				if err != nil || got != n {
					b.Fatalf("scored %d of %d: %v", got, n, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/spent.Seconds(), "accounts/s")
		})
	}
}

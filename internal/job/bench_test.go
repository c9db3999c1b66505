package job

import (
	"context"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// BenchmarkEnqueue measures adding jobs one by one, each its own
// transaction, as a request handler adds one.
func BenchmarkEnqueue(b *testing.B) {
	each(b, func(b *testing.B, db *sqldb.DB) {
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, _, err := Enqueue(ctx, db.W, "noop", nil, EnqueueOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
}

// BenchmarkRun measures claiming, running and finishing b.N jobs that do
// nothing, with 4 workers: the queue's own cost per job.
func BenchmarkRun(b *testing.B) {
	each(b, func(b *testing.B, db *sqldb.DB) {
		ctx := context.Background()
		var last int64
		for i := 0; i < b.N; i++ {
			id, _, err := Enqueue(ctx, db.W, "noop", nil, EnqueueOptions{})
			if err != nil {
				b.Fatal(err)
			}
			last = id
		}
		r := NewRunner(db, Options{Workers: 4, Poll: 10 * time.Millisecond})
		r.Handle("noop", func(context.Context, Job) error { return nil })
		b.ResetTimer()
		r.Start()
		for {
			var left int
			db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE state <> 'done' AND id <= ?`, last).Scan(&left)
			if left == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		r.Stop(ctx)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
}

func each(b *testing.B, fn func(*testing.B, *sqldb.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

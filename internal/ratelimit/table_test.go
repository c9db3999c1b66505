package ratelimit

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func TestTableBucket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		l := NewTable(db, 60, 3) // one a second, bursts of three
		l.SetClock(func() time.Time { return clock })
		for i := 0; i < 3; i++ {
			if ok, _, err := l.Allow(ctx, "1.2.3.4"); !ok || err != nil {
				t.Fatalf("request %d of the burst refused: %v", i+1, err)
			}
		}
		ok, wait, err := l.Allow(ctx, "1.2.3.4")
		if ok || wait != time.Second || err != nil {
			t.Errorf("fourth request: ok %v, wait %v, %v; want refused for 1s", ok, wait, err)
		}
		if ok, _, _ := l.Allow(ctx, "5.6.7.8"); !ok {
			t.Error("another client was refused")
		}
		clock = clock.Add(500 * time.Millisecond)
		if ok, wait, _ := l.Allow(ctx, "1.2.3.4"); ok || wait != 500*time.Millisecond {
			t.Errorf("half a second later: ok %v, wait %v; want refused for 0.5s", ok, wait)
		}
		clock = clock.Add(500 * time.Millisecond)
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
			t.Error("refused after the wait")
		}
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); ok {
			t.Error("a second request allowed on one refilled token")
		}
		// A clock behind the one that last wrote (another instance's)
		// refills nothing rather than taking tokens away.
		back := clock
		clock = clock.Add(-time.Minute)
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); ok {
			t.Error("an earlier clock refilled the bucket")
		}
		clock = back.Add(10 * time.Second)
		for i := 0; i < 3; i++ {
			if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
				t.Fatalf("after ten seconds, request %d refused: the bucket holds no more than the burst?", i+1)
			}
		}
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); ok {
			t.Error("the bucket refilled beyond its burst")
		}

		// Buckets are full again three seconds after their last use.
		if n, err := l.PurgeIdle(ctx, back.Add(3*time.Second)); n != 1 || err != nil {
			t.Errorf("purge when 5.6.7.8 is full again: %d %v, want 1", n, err)
		}
		if n, err := l.PurgeIdle(ctx, clock.Add(3*time.Second)); n != 1 || err != nil {
			t.Errorf("purge when 1.2.3.4 is full again: %d %v, want 1", n, err)
		}
		if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
			t.Error("a purged client starts without a full bucket")
		}
	})
}

// TestTableSharedAcrossInstances runs two limiters, each on its own
// connection pool as two instances would have, against one PostgreSQL
// schema, and sends requests for one client from many goroutines at
// once: together they allow no more than the burst plus what refilled
// while they ran.
func TestTableSharedAcrossInstances(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	ctx := context.Background()
	var instances []*Table
	for i := 0; i < 2; i++ {
		db, err := sqldb.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		instances = append(instances, NewTable(db, 600, 20)) // ten a second, bursts of twenty
	}

	t.Run("fixed clock", func(t *testing.T) {
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, l := range instances {
			l.SetClock(func() time.Time { return clock })
		}
		allowed := hammer(t, instances, "frozen", 16, 10)
		if allowed != 20 {
			t.Errorf("%d of 160 requests allowed while no time passed, want exactly the burst of 20", allowed)
		}
	})

	t.Run("real clock", func(t *testing.T) {
		for _, l := range instances {
			l.SetClock(time.Now)
		}
		start := time.Now()
		allowed := hammer(t, instances, "live", 16, 25)
		elapsed := time.Since(start)
		limit := 20 + int(math.Ceil(elapsed.Seconds()*10))
		t.Logf("%d of 400 requests allowed in %v (limit %d)", allowed, elapsed.Round(time.Millisecond), limit)
		if allowed < 20 || allowed > limit {
			t.Errorf("%d requests allowed in %v, want between the burst of 20 and %d", allowed, elapsed, limit)
		}
	})
}

// hammer sends perWorker requests for key from each of workers
// goroutines, alternating between the instances, and counts the allowed.
func hammer(t *testing.T, instances []*Table, key string, workers, perWorker int) int {
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			l := instances[w%len(instances)]
			for i := 0; i < perWorker; i++ {
				ok, _, err := l.Allow(context.Background(), key)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					allowed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	return int(allowed.Load())
}

// On PostgreSQL the buckets' table writes no log, so a client's requests,
// which all write its one row, do not each wait for the previous one's
// commit to reach the disk.
func TestTableBucketsWriteNoLog(t *testing.T) {
	db := dbtest.Postgres(t)
	var persistence string
	if err := db.R.QueryRow(context.Background(), `SELECT relpersistence FROM pg_class WHERE oid = 'rate_buckets'::regclass`).Scan(&persistence); err != nil {
		t.Fatal(err)
	}
	if persistence != "u" {
		t.Errorf("rate_buckets is %q, want unlogged (u)", persistence)
	}
}

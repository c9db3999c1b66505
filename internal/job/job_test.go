package job

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// fast is a runner that polls and retries at once. Its lease outlasts
// every test, since a job whose lease lapses is meant to run again (jobs
// run at least once), and a loaded machine can let a short one lapse
// between a job's claim and its ending; the tests of lapsed leases
// shorten it (shortLease).
func fast(db *sqldb.DB, name string) *Runner {
	return NewRunner(db, Options{Instance: name, Workers: 4, Poll: 20 * time.Millisecond, Lease: time.Minute,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
}

// shortLease is fast with a 300 ms lease, renewed every 100 ms.
func shortLease(db *sqldb.DB, name string) *Runner {
	r := fast(db, name)
	r.opt.Lease = 300 * time.Millisecond
	return r
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunsAndRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		r := fast(db, "a")
		var tries atomic.Int32
		r.Handle("flaky", func(ctx context.Context, j Job) error {
			var args struct{ N int }
			if err := j.Decode(&args); err != nil {
				return err
			}
			if tries.Add(1) < 3 {
				return errors.New("not yet")
			}
			if args.N != 7 {
				return Permanent(fmt.Errorf("N = %d", args.N))
			}
			return nil
		})
		r.Handle("broken", func(ctx context.Context, j Job) error { return Permanent(errors.New("bad file")) })
		r.Start()
		defer r.Stop(ctx)

		id, err := r.Enqueue(ctx, "flaky", map[string]int{"N": 7}, EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		j, err := Wait(ctx, db.R, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != Done || j.Attempt != 3 || tries.Load() != 3 {
			t.Errorf("flaky job: state %s after %d attempts (%d tries), want done after 3", j.State, j.Attempt, tries.Load())
		}

		id, _ = r.Enqueue(ctx, "broken", nil, EnqueueOptions{})
		j, err = Wait(ctx, db.R, id)
		if err == nil || j.State != Failed || j.Attempt != 1 || j.Error != "bad file" {
			t.Errorf("permanent failure: %v, state %s, attempt %d, error %q; want failed at once with its reason", err, j.State, j.Attempt, j.Error)
		}
	})
}

func TestUniqueEnqueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		a, made, err := Enqueue(ctx, db.W, "x", nil, EnqueueOptions{Unique: "x:1"})
		if err != nil || !made {
			t.Fatal(made, err)
		}
		b, made, err := Enqueue(ctx, db.W, "x", nil, EnqueueOptions{Unique: "x:1"})
		if err != nil || made || b != a {
			t.Errorf("second enqueue of one key: id %d made %v err %v; want the first job (%d) back", b, made, err, a)
		}
	})
}

// TestInstancesShareJobs runs three runners on one database, each job
// recording its run under a unique key: a job claimed twice fails the
// insert.
func TestInstancesShareJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		if _, err := db.W.Exec(ctx, `CREATE TABLE job_runs (job_id BIGINT PRIMARY KEY, instance TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		var runners []*Runner
		for _, name := range []string{"a", "b", "c"} {
			r := fast(db, name)
			r.Handle("work", func(ctx context.Context, j Job) error {
				_, err := db.W.Exec(ctx, `INSERT INTO job_runs (job_id, instance) VALUES (?, ?)`, j.ID, name)
				if sqldb.IsUniqueViolation(err) {
					return Permanent(fmt.Errorf("job %d ran twice", j.ID))
				}
				return err
			})
			r.Start()
			runners = append(runners, r)
		}
		const n = 150
		ids := make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				id, err := runners[i%3].Enqueue(ctx, "work", map[string]int{"i": i}, EnqueueOptions{})
				if err != nil {
					t.Error(err)
				}
				ids[i] = id
			})
		}
		wg.Wait()
		for _, id := range ids {
			if _, err := Wait(ctx, db.R, id); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range runners {
			if err := r.Stop(ctx); err != nil {
				t.Error(err)
			}
		}
		var runs, instances int
		db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT instance) FROM job_runs`).Scan(&runs, &instances)
		if runs != n {
			t.Errorf("%d runs of %d jobs", runs, n)
		}
		t.Logf("%d jobs ran on %d instances", runs, instances)
	})
}

// TestLeaseExpires: an instance claims a job and dies without finishing;
// once its lease runs out another instance runs the job.
func TestLeaseExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		dead := shortLease(db, "dead")
		dead.Handle("work", func(context.Context, Job) error { return nil })
		id, _ := dead.Enqueue(ctx, "work", nil, EnqueueOptions{})
		claimedAt := time.Now() // before the claim, whose lease counts from its own start
		if got, err := dead.claim(ctx, 0, 1); err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		alive := shortLease(db, "alive")
		alive.Handle("work", func(context.Context, Job) error { return nil })
		alive.Start()
		defer alive.Stop(ctx)
		j, err := Wait(ctx, db.R, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.LockedBy != "alive" || j.Attempt != 2 {
			t.Errorf("job done by %q on attempt %d; want alive on attempt 2", j.LockedBy, j.Attempt)
		}
		if waited := time.Since(claimedAt); waited < 300*time.Millisecond {
			t.Errorf("taken over after %s, before the 300 ms lease ran out", waited)
		}
	})
}

// TestLostLeaseCancels: when another instance takes over a job (this one
// stalled past its lease), the job's context ends and this instance does
// not record an ending for it.
func TestLostLeaseCancels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		r := shortLease(db, "a")
		started := make(chan int64, 1)
		cause := make(chan error, 1)
		r.Handle("long", func(ctx context.Context, j Job) error {
			started <- j.ID
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return ctx.Err()
		})
		r.Start()
		defer r.Stop(ctx)
		r.Enqueue(ctx, "long", nil, EnqueueOptions{})
		id := <-started
		// Another instance takes the job over, as after an expired lease.
		// Its lease runs from now, as a real claim's would, so this
		// runner does not take the job back while the test looks.
		if _, err := db.W.Exec(ctx, `UPDATE jobs SET locked_by = 'b', attempt = attempt + 1, lease_until = ? WHERE id = ?`,
			time.Now().Add(time.Hour).UnixMilli(), id); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-cause:
			if !errors.Is(err, errLeaseLost) {
				t.Errorf("job cancelled by %v, want the lost lease", err)
			}
		case <-ctx.Done():
			t.Fatal("the job was not cancelled after losing its lease")
		}
		time.Sleep(50 * time.Millisecond)
		j, _ := Get(ctx, db.R, id)
		if j.State != Running || j.LockedBy != "b" {
			t.Errorf("after losing the lease: state %s held by %q; want still running under b", j.State, j.LockedBy)
		}
	})
}

// TestPeriodicOncePerPeriod: three instances enqueue the same periodic
// job; each period gets one job, run once.
func TestPeriodicOncePerPeriod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		var runs atomic.Int32
		var runners []*Runner
		start := time.Now()
		for _, name := range []string{"a", "b", "c"} {
			r := fast(db, name)
			r.Handle("sweep", func(context.Context, Job) error { runs.Add(1); return nil })
			r.Every("sweep", 200*time.Millisecond, nil)
			r.Start()
			runners = append(runners, r)
		}
		time.Sleep(1100 * time.Millisecond)
		for _, r := range runners {
			r.Stop(ctx)
		}
		// The runners enqueue until the last one stops, which a loaded
		// machine makes later than the sleep.
		elapsed := time.Since(start)
		rows, err := db.R.Query(ctx, `SELECT unique_key, state FROM jobs WHERE kind = 'sweep' ORDER BY unique_key`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		periods, done := 0, 0
		for rows.Next() {
			var key string
			var state State
			rows.Scan(&key, &state)
			if !strings.HasPrefix(key, "sweep@") {
				t.Errorf("periodic job keyed %q", key)
			}
			periods++
			if state == Done {
				done++
			}
		}
		// At least 1.1 s of 200 ms periods: 5 or more period ends
		// passed, each job enqueued by three instances, plus the next one
		// waiting; one job a period, however many instances enqueued it.
		most := int(elapsed/(200*time.Millisecond)) + 2
		if periods < 5 || periods > most {
			t.Errorf("%d periodic jobs in %s of 200 ms periods, want 5 to %d", periods, elapsed, most)
		}
		if int(runs.Load()) != done {
			t.Errorf("%d runs for %d periods done: a period ran more than once", runs.Load(), done)
		}
		if done < 3 {
			t.Errorf("%d periods done of %d enqueued in %s of 200 ms periods", done, periods, elapsed)
		}
	})
}

// TestStopWaitsThenHandsBack: Stop waits for a running job; one still
// running at the deadline is cancelled and handed back untried.
func TestStopWaitsThenHandsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		r := fast(db, "a")
		started := make(chan struct{}, 2)
		var finished atomic.Bool
		r.Handle("short", func(ctx context.Context, j Job) error {
			started <- struct{}{}
			time.Sleep(200 * time.Millisecond)
			finished.Store(true)
			return nil
		})
		r.Handle("stuck", func(ctx context.Context, j Job) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		})
		r.Start()
		short, _ := r.Enqueue(ctx, "short", nil, EnqueueOptions{})
		stuck, _ := r.Enqueue(ctx, "stuck", nil, EnqueueOptions{})
		<-started
		<-started
		deadline, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		if err := r.Stop(deadline); err == nil {
			t.Error("Stop returned no error though a job was still running at the deadline")
		}
		if !finished.Load() {
			t.Error("Stop returned before the running job finished")
		}
		if j, _ := Get(ctx, db.R, short); j.State != Done {
			t.Errorf("short job is %s after Stop, want done", j.State)
		}
		j, _ := Get(ctx, db.R, stuck)
		if j.State != Available || j.Attempt != 0 || j.LockedBy != "" {
			t.Errorf("stuck job after Stop: %s, attempt %d, held by %q; want handed back untried", j.State, j.Attempt, j.LockedBy)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		r := fast(db, "a")
		r.Handle("never", func(context.Context, Job) error { return errors.New("still broken") })
		r.Start()
		defer r.Stop(ctx)
		id, _ := r.Enqueue(ctx, "never", nil, EnqueueOptions{MaxAttempts: 3})
		j, err := Wait(ctx, db.R, id)
		if err == nil || j.State != Failed || j.Attempt != 3 || !strings.Contains(err.Error(), "still broken") {
			t.Errorf("after 3 failures: %v, %s, attempt %d", err, j.State, j.Attempt)
		}
	})
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 2 * time.Second, 2: 17 * time.Second, 3: 82 * time.Second, 20: time.Hour} {
		if got := Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempt, got, want)
		}
	}
}

// TestRunHere: a command runs its own job under a lease; stopped by its
// user, it hands the job back at once rather than counting a failure; a
// job another instance holds is not taken.
func TestRunHere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := waitCtx(t)
		cli := fast(db, "cli")
		started := make(chan struct{})
		cli.Handle("import", func(ctx context.Context, j Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		id, _, _ := Enqueue(ctx, db.W, "import", nil, EnqueueOptions{})
		interrupted, interrupt := context.WithCancel(ctx)
		go func() { <-started; interrupt() }()
		if err := cli.RunHere(interrupted, id); !errors.Is(err, context.Canceled) {
			t.Errorf("interrupted run: %v", err)
		}
		j, _ := Get(ctx, db.R, id)
		if j.State != Available || j.Attempt != 0 || j.RunAt.After(time.Now()) {
			t.Errorf("after the interrupt: %s, attempt %d, due %s; want handed back, due now", j.State, j.Attempt, j.RunAt)
		}

		other := fast(db, "server")
		other.Handle("import", func(context.Context, Job) error { return nil })
		if got, _ := other.claim(ctx, id, 1); len(got) != 1 {
			t.Fatal("the server could not claim the handed-back job")
		}
		if err := cli.RunHere(ctx, id); !errors.Is(err, ErrNotClaimed) {
			t.Errorf("running a job the server holds: %v, want ErrNotClaimed", err)
		}
	})
}

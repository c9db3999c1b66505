package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"leadflow/internal/sqldb"
)

// Options tune a Runner; zero values take the defaults.
type Options struct {
	// Instance names this process in the jobs it holds; default
	// host-pid-random.
	Instance string
	// Workers is how many jobs run at once here; default 2 (the
	// background work is database-bound, and SQLite has one writer).
	Workers int
	// Poll is how often the runner looks for jobs other instances
	// enqueued; default 1 s. Jobs enqueued through this runner wake it.
	Poll time.Duration
	// Lease is how long a claim holds without renewal: an instance that
	// dies releases its jobs this long after its last renewal; default
	// 30 s. It is renewed every third of it.
	Lease time.Duration
	// Backoff is how long a job waits after its attempt-th failure;
	// default the package's Backoff.
	Backoff func(attempt int) time.Duration
	Log     *slog.Logger
}

// Runner claims and runs jobs for the kinds it has handlers for.
type Runner struct {
	db       *sqldb.DB
	opt      Options
	handlers map[string]Handler
	periodic []periodic
	wake     chan struct{}
	freed    chan struct{}

	mu      sync.Mutex
	running int
	// base is the context of every job's run: Stop cancels it only when
	// its deadline passes, so a job is not cut off by the signal that
	// stops the server.
	base       context.Context
	cancelJobs context.CancelFunc
	stopLoops  context.CancelFunc
	loops      sync.WaitGroup
	jobs       sync.WaitGroup
	started    bool
}

type periodic struct {
	kind   string
	every  time.Duration
	args   any
	maxTry int
}

// NewRunner returns a runner on db; register handlers, then Start it.
func NewRunner(db *sqldb.DB, o Options) *Runner {
	if o.Instance == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		o.Instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	return &Runner{db: db, opt: o, handlers: map[string]Handler{}, wake: make(chan struct{}, 1),
		freed: make(chan struct{}, 1), base: base, cancelJobs: cancel}
}

// Handle sets the handler of kind. Every instance registers the same
// handlers: any of them may claim any job.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Kinds lists the kinds of job r has handlers for, in order.
func (r *Runner) Kinds() []string { return slices.Sorted(maps.Keys(r.handlers)) }

// Every enqueues a job of kind once per period, across all instances:
// each instance tries, and the period's unique key lets one through.
// The job runs at the end of its period, as a clock would strike it: an
// hourly job first runs at the next full hour, not at every start.
func (r *Runner) Every(kind string, every time.Duration, args any) {
	r.periodic = append(r.periodic, periodic{kind: kind, every: every, args: args, maxTry: 3})
}

// Enqueue adds a job and wakes this runner, so a job enqueued by this
// instance starts without waiting for the next poll.
func (r *Runner) Enqueue(ctx context.Context, kind string, args any, o EnqueueOptions) (int64, error) {
	id, _, err := Enqueue(ctx, r.db.W, kind, args, o)
	r.Wake()
	return id, err
}

// Wake makes the runner look for jobs now, after a transaction that
// enqueued one commits.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Start begins claiming jobs and enqueuing periodic ones, until Stop.
func (r *Runner) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return
	}
	r.started = true
	ctx, cancel := context.WithCancel(r.base)
	r.stopLoops = cancel
	r.loops.Add(1 + len(r.periodic))
	go func() { defer r.loops.Done(); r.claimLoop(ctx) }()
	for _, p := range r.periodic {
		go func() { defer r.loops.Done(); r.periodicLoop(ctx, p) }()
	}
}

// Stop stops claiming jobs and waits for the running ones until ctx ends;
// then it cancels them and hands them back, so another instance (or the
// next start) runs them at once instead of after their lease.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	started := r.started
	r.mu.Unlock()
	if !started {
		r.cancelJobs()
		return nil
	}
	r.stopLoops()
	r.loops.Wait()
	done := make(chan struct{})
	go func() { r.jobs.Wait(); close(done) }()
	select {
	case <-done:
		r.cancelJobs()
		return nil
	case <-ctx.Done():
	}
	r.cancelJobs()
	<-done
	return fmt.Errorf("job: stop: jobs still running at the deadline were handed back: %w", ctx.Err())
}

// claimLoop claims as many jobs as there are free workers, then waits for
// a wake-up, a freed worker or the next poll.
func (r *Runner) claimLoop(ctx context.Context) {
	t := time.NewTicker(r.opt.Poll)
	defer t.Stop()
	for {
		r.mu.Lock()
		free := r.opt.Workers - r.running
		r.mu.Unlock()
		if free > 0 {
			jobs, err := r.claim(ctx, 0, free)
			if err != nil && ctx.Err() == nil {
				r.opt.Log.Error("job: claim", "err", err)
			}
			for _, j := range jobs {
				r.launch(j)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-r.freed:
		case <-t.C:
		}
	}
}

func (r *Runner) kinds() []any {
	var ks []string
	for k := range r.handlers {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = k
	}
	return out
}

// claim takes up to n jobs that are due, or whose lease ran out, for this
// instance; id > 0 claims that job alone. On PostgreSQL, SKIP LOCKED lets
// instances claim side by side without waiting on each other's rows;
// SQLite's one writer makes the UPDATE atomic by itself.
func (r *Runner) claim(ctx context.Context, id int64, n int) ([]Job, error) {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	now := time.Now().UnixMilli()
	skip := ""
	if r.db.Dialect == sqldb.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	cond, args := "kind IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")+")", kinds
	if id > 0 {
		cond, args = "id = ?", []any{id}
	}
	cond += ` AND ((state = 'available' AND run_at <= ?) OR (state = 'running' AND lease_until < ?))`
	args = append(args, now, now)
	// A look on the read pool first: most polls find nothing, and on
	// SQLite an UPDATE, even one that changes no row, would take the one
	// writer from the requests queued for it.
	var due int
	if err := r.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE `+cond+` LIMIT 1) d`, args...).Scan(&due); err != nil || due == 0 {
		return nil, wrap("claim", err)
	}
	query := `UPDATE jobs SET state = 'running', attempt = attempt + 1, locked_by = ?, lease_until = ?
		WHERE id IN (SELECT id FROM jobs WHERE ` + cond + ` ORDER BY run_at, id LIMIT ?` + skip + `)
		RETURNING ` + columns
	all := append([]any{r.opt.Instance, now + r.opt.Lease.Milliseconds()}, args...)
	all = append(all, n)
	var out []Job
	err := r.db.InTx(ctx, func(tx *sqldb.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, query, all...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, wrap("claim", err)
}

// launch runs j on a worker of its own.
func (r *Runner) launch(j Job) {
	r.mu.Lock()
	r.running++
	r.mu.Unlock()
	r.jobs.Add(1)
	go func() {
		defer r.jobs.Done()
		defer func() {
			r.mu.Lock()
			r.running--
			r.mu.Unlock()
			select {
			case r.freed <- struct{}{}:
			default:
			}
		}()
		r.run(j)
	}()
}

// RunHere claims job id and runs it in this process, returning its error:
// the command line runs an import it enqueued this way, under a lease like
// any job, so a server finishes it if the command is killed.
func (r *Runner) RunHere(ctx context.Context, id int64) error {
	jobs, err := r.claim(ctx, id, 1)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		j, err := Get(ctx, r.db.R, id)
		if err != nil {
			return err
		}
		return fmt.Errorf("job %d is %s (%s): %w", id, j.State, j.LockedBy, ErrNotClaimed)
	}
	return r.runCtx(ctx, jobs[0])
}

func (r *Runner) run(j Job) { r.runCtx(r.base, j) }

// runCtx runs j under ctx while renewing its lease, then records how it
// ended. A job whose lease was lost (another instance claimed it, after
// this one stalled) is cancelled, and its ending is not recorded: it
// belongs to the other instance now.
func (r *Runner) runCtx(ctx context.Context, j Job) error {
	h := r.handlers[j.Kind]
	parent := ctx
	if j.Attempt > j.MaxAttempts {
		err := fmt.Errorf("gave up after %d attempts; the last one's instance stopped while running it", j.MaxAttempts)
		r.finish(j, Permanent(err))
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewed := make(chan struct{})
	go func() { defer close(renewed); r.renew(ctx, j, cancel) }()
	err := safely(ctx, h, j)
	cancel(nil)
	<-renewed
	if errors.Is(context.Cause(ctx), errLeaseLost) {
		r.opt.Log.Warn("job: lease lost; another instance runs it", "id", j.ID, "kind", j.Kind)
		return errLeaseLost
	}
	if err != nil && (r.base.Err() != nil || parent.Err() != nil) {
		r.release(j) // stopped, not failed: hand it back untried
		return err
	}
	r.finish(j, err)
	return err
}

var errLeaseLost = errors.New("job: lease lost")

// ErrNotClaimed is RunHere's answer for a job it could not take: another
// instance runs it, or it has ended.
var ErrNotClaimed = errors.New("not available to claim")

// safely runs h, turning a panic into the job's error.
func safely(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if h == nil {
		return Permanent(fmt.Errorf("no handler for jobs of kind %q", j.Kind))
	}
	return h(ctx, j)
}

// renew extends j's lease every third of it until ctx ends, and cancels
// the job when the lease turns out to be someone else's.
func (r *Runner) renew(ctx context.Context, j Job, cancel context.CancelCauseFunc) {
	t := time.NewTicker(r.opt.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := r.db.W.Exec(ctx, `UPDATE jobs SET lease_until = ? WHERE id = ? AND locked_by = ? AND attempt = ? AND state = 'running'`,
			time.Now().Add(r.opt.Lease).UnixMilli(), j.ID, r.opt.Instance, j.Attempt)
		if err != nil {
			if ctx.Err() == nil {
				r.opt.Log.Error("job: renew lease", "id", j.ID, "err", err)
			}
			continue
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cancel(errLeaseLost)
			return
		}
	}
}

// finish records how j's attempt ended: done, due again after a back-off,
// or failed for good. Each update names the attempt it ends, so a stale
// instance cannot overwrite the ending of a newer attempt.
func (r *Runner) finish(j Job, err error) {
	ctx := context.Background()
	now := time.Now()
	var res interface{ RowsAffected() (int64, error) }
	var uerr error
	var wait later
	switch {
	case errors.As(err, &wait):
		res, uerr = r.db.W.Exec(ctx, `UPDATE jobs SET state = 'available', attempt = attempt - 1, error = '', run_at = ?,
			locked_by = NULL, lease_until = NULL WHERE id = ? AND locked_by = ? AND attempt = ?`,
			now.Add(wait.after).UnixMilli(), j.ID, r.opt.Instance, j.Attempt)
	case err == nil:
		res, uerr = r.db.W.Exec(ctx, `UPDATE jobs SET state = 'done', error = '', finished_at = ?, lease_until = NULL
			WHERE id = ? AND locked_by = ? AND attempt = ?`, now.UnixMilli(), j.ID, r.opt.Instance, j.Attempt)
	case isPermanent(err) || j.Attempt >= j.MaxAttempts:
		r.opt.Log.Error("job failed", "id", j.ID, "kind", j.Kind, "attempt", j.Attempt, "err", err)
		res, uerr = r.db.W.Exec(ctx, `UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, lease_until = NULL
			WHERE id = ? AND locked_by = ? AND attempt = ?`, err.Error(), now.UnixMilli(), j.ID, r.opt.Instance, j.Attempt)
	default:
		r.opt.Log.Warn("job will be tried again", "id", j.ID, "kind", j.Kind, "attempt", j.Attempt, "err", err)
		after := r.opt.Backoff(j.Attempt)
		var own retryIn
		if errors.As(err, &own) {
			after = own.after
		}
		res, uerr = r.db.W.Exec(ctx, `UPDATE jobs SET state = 'available', error = ?, run_at = ?, locked_by = NULL, lease_until = NULL
			WHERE id = ? AND locked_by = ? AND attempt = ?`, err.Error(), now.Add(after).UnixMilli(),
			j.ID, r.opt.Instance, j.Attempt)
	}
	if uerr != nil {
		r.opt.Log.Error("job: record ending", "id", j.ID, "err", uerr)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		r.opt.Log.Warn("job: ended after its lease passed to another instance", "id", j.ID, "kind", j.Kind)
	}
}

// release hands j back untried, to be claimed at once.
func (r *Runner) release(j Job) {
	_, err := r.db.W.Exec(context.Background(), `UPDATE jobs SET state = 'available', attempt = attempt - 1, run_at = ?,
		locked_by = NULL, lease_until = NULL WHERE id = ? AND locked_by = ? AND attempt = ?`,
		time.Now().UnixMilli(), j.ID, r.opt.Instance, j.Attempt)
	if err != nil {
		r.opt.Log.Error("job: hand back", "id", j.ID, "err", err)
	}
}

func isPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Backoff is how long a job waits after its attempt-th failure: attempt⁴
// seconds plus one (2 s, 17 s, 82 s, 4 min...), at most an hour.
func Backoff(attempt int) time.Duration {
	s := math.Pow(float64(attempt), 4) + 1
	return min(time.Duration(s*float64(time.Second)), time.Hour)
}

// periodicLoop enqueues p's job for the end of the current period, and
// again in every period after, checking several times a period so that
// an instance that was down still finds the next one enqueued.
func (r *Runner) periodicLoop(ctx context.Context, p periodic) {
	check := min(p.every/4, time.Minute)
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		due := time.Now().Truncate(p.every).Add(p.every)
		key := fmt.Sprintf("%s@%d", p.kind, due.UnixMilli())
		_, made, err := Enqueue(ctx, r.db.W, p.kind, p.args, EnqueueOptions{Unique: key, RunAt: due, MaxAttempts: p.maxTry})
		if err != nil && ctx.Err() == nil {
			r.opt.Log.Error("job: enqueue periodic", "kind", p.kind, "err", err)
		}
		if made {
			r.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

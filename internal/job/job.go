// Package job runs leadflow's background work (imports, rescores, the
// decay sweep, purges) as rows in the database, so that it survives a
// restart and several instances on one PostgreSQL share it.
//
// A job is claimed by one instance at a time under a lease that the
// instance renews while the job runs; when the instance dies the lease
// runs out and another instance claims the job again. Jobs therefore run
// at least once, and a handler makes itself safe to run again: an import
// goes on from the last row it committed, a rescore writes only scores
// that still hold the value it read. Periodic work is enqueued under a
// key naming its period, so however many instances enqueue it, one job
// runs per period.
package job

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// State is where a job is.
type State string

// The states. A job goes available → running → done, or back to
// available to be tried again after a failure, until it fails for good.
const (
	Available State = "available"
	Running   State = "running"
	Done      State = "done"
	Failed    State = "failed"
)

// Job is one piece of background work.
type Job struct {
	ID          int64
	Kind        string
	Args        json.RawMessage
	UniqueKey   string
	State       State
	Attempt     int
	MaxAttempts int
	RunAt       time.Time
	LockedBy    string
	Error       string
	CreatedAt   time.Time
	FinishedAt  *time.Time
}

// Decode reads the job's arguments into v.
func (j Job) Decode(v any) error {
	if err := json.Unmarshal(j.Args, v); err != nil {
		return Permanent(fmt.Errorf("job %d (%s): arguments: %w", j.ID, j.Kind, err))
	}
	return nil
}

// Handler does the work of one kind of job. It returns when ctx ends (the
// instance is stopping, or lost the job's lease); the job then runs again
// later, here or on another instance.
type Handler func(ctx context.Context, j Job) error

// permanent marks an error that trying again cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so the job fails at once instead of being tried
// again: a file that is not CSV stays so.
func Permanent(err error) error { return permanent{err} }

// later is a job that must wait its turn, not one that failed.
type later struct{ after time.Duration }

func (l later) Error() string { return "waiting its turn, for " + l.after.String() }

// Later returns the error that puts a job back to run again after d
// without counting the attempt: for work held back by a rate limit,
// which has not failed and must not run out of attempts by waiting.
func Later(d time.Duration) error { return later{d} }

// IsLater reports whether err is, or wraps, Later's.
func IsLater(err error) bool {
	var l later
	return errors.As(err, &l)
}

// retryIn is a failure to try again after a wait the handler chose.
type retryIn struct {
	err   error
	after time.Duration
}

func (r retryIn) Error() string { return r.err.Error() }
func (r retryIn) Unwrap() error { return r.err }

// RetryIn wraps err so that the job, if it has attempts left, is tried
// again after d instead of the runner's back-off: for work with a
// schedule of its own, such as webhook deliveries.
func RetryIn(err error, d time.Duration) error { return retryIn{err, d} }

// EnqueueOptions adjust one enqueue; the zero value runs the job as soon
// as possible with the default number of attempts.
type EnqueueOptions struct {
	// Unique, when set, makes the enqueue idempotent: a second job with
	// the same key is not made, and the first one's id is returned.
	Unique string
	// RunAt delays the job until then.
	RunAt time.Time
	// MaxAttempts is how many times the job is tried; default 5.
	MaxAttempts int
}

const defaultMaxAttempts = 5

// Enqueue adds a job of kind with args (marshalled as JSON) through q,
// which may be a transaction: the job then exists only if it commits. It
// returns the job's id, and whether this call made it (false when a job
// with the same unique key was there already).
func Enqueue(ctx context.Context, q sqldb.Querier, kind string, args any, o EnqueueOptions) (int64, bool, error) {
	body, err := json.Marshal(args)
	if err != nil {
		return 0, false, fmt.Errorf("job: enqueue %s: %w", kind, err)
	}
	now := time.Now().UnixMilli()
	runAt := now
	if !o.RunAt.IsZero() {
		runAt = o.RunAt.UnixMilli()
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	var unique any
	if o.Unique != "" {
		unique = o.Unique
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO jobs (kind, args, unique_key, max_attempts, run_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		kind, string(body), unique, o.MaxAttempts, runAt, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && o.Unique != "" {
		err = q.QueryRow(ctx, `SELECT id FROM jobs WHERE unique_key = ?`, o.Unique).Scan(&id)
		return id, false, wrap("enqueue "+kind, err)
	}
	return id, err == nil, wrap("enqueue "+kind, err)
}

const columns = `id, kind, args, COALESCE(unique_key, ''), state, attempt, max_attempts, run_at,
	COALESCE(locked_by, ''), error, created_at, finished_at`

func scan(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var args string
	var runAt, created int64
	var finished sql.NullInt64
	err := row.Scan(&j.ID, &j.Kind, &args, &j.UniqueKey, &j.State, &j.Attempt, &j.MaxAttempts, &runAt,
		&j.LockedBy, &j.Error, &created, &finished)
	if err != nil {
		return j, err
	}
	j.Args = json.RawMessage(args)
	j.RunAt = time.UnixMilli(runAt).UTC()
	j.CreatedAt = time.UnixMilli(created).UTC()
	if finished.Valid {
		t := time.UnixMilli(finished.Int64).UTC()
		j.FinishedAt = &t
	}
	return j, nil
}

// Get returns job id.
func Get(ctx context.Context, q sqldb.Querier, id int64) (Job, error) {
	j, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fault.Errorf(fault.NotFound, "job %d not found", id)
	}
	return j, wrap(fmt.Sprintf("get %d", id), err)
}

// Wait returns job id once it is done or has failed for good, or ctx's
// error. A job that failed is returned with an error naming its last
// failure.
func Wait(ctx context.Context, q sqldb.Querier, id int64) (Job, error) {
	pause := 5 * time.Millisecond
	for {
		j, err := Get(ctx, q, id)
		if err != nil {
			return j, err
		}
		switch j.State {
		case Done:
			return j, nil
		case Failed:
			return j, fmt.Errorf("job %d (%s) failed: %s", j.ID, j.Kind, j.Error)
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 250*time.Millisecond)
	}
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("job: %s: %w", what, err)
}

// Purge deletes the jobs that ended before cutoff, keeping the table
// small; a periodic job's key is only looked up in its own period.
func Purge(ctx context.Context, q sqldb.Querier, cutoff time.Time) (int64, error) {
	res, err := q.Exec(ctx, `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ?`, cutoff.UnixMilli())
	if err != nil {
		return 0, wrap("purge", err)
	}
	return res.RowsAffected()
}

// PurgeKind deletes the jobs of kind that ended well before cutoff: work
// enqueued on every write, such as segment membership, would otherwise
// fill the table between daily purges. Failed jobs stay for the daily
// purge, to be seen.
func PurgeKind(ctx context.Context, q sqldb.Querier, kind string, cutoff time.Time) (int64, error) {
	res, err := q.Exec(ctx, `DELETE FROM jobs WHERE kind = ? AND state = 'done' AND finished_at < ?`, kind, cutoff.UnixMilli())
	if err != nil {
		return 0, wrap("purge "+kind, err)
	}
	return res.RowsAffected()
}

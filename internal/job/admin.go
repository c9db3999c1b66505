package job

import (
	"context"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Admin is the admins' view of the background work: what waits, runs and
// failed, and why; and a retry for what failed.
type Admin struct{ db *sqldb.DB }

// NewAdmin returns the admin view of db's jobs.
func NewAdmin(db *sqldb.DB) *Admin { return &Admin{db: db} }

// Counts is how many jobs are in each state.
type Counts map[State]int

// States lists the states in the order a list offers them.
var States = []State{Available, Running, Failed, Done}

func mayAdminister(a access.Actor) error {
	if !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "only admins see the background jobs")
	}
	return nil
}

// List returns the latest jobs, newest first, in state (any state when
// empty), with the count of jobs in each state.
func (ad *Admin) List(ctx context.Context, a access.Actor, state State, limit int) ([]Job, Counts, error) {
	if err := mayAdminister(a); err != nil {
		return nil, nil, err
	}
	if state != "" && !validState(state) {
		return nil, nil, fault.Fields{"state": "must be one of available, running, failed, done"}.Err()
	}
	limit = min(max(limit, 1), 500)
	query, args := `SELECT `+columns+` FROM jobs ORDER BY id DESC LIMIT ?`, []any{limit}
	if state != "" {
		query, args = `SELECT `+columns+` FROM jobs WHERE state = ? ORDER BY id DESC LIMIT ?`, []any{string(state), limit}
	}
	rows, err := ad.db.R.Query(ctx, query, args...)
	if err != nil {
		return nil, nil, wrap("list", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scan(rows)
		if err != nil {
			return nil, nil, wrap("list", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("list", err)
	}
	counts, err := ad.counts(ctx)
	return out, counts, err
}

func validState(s State) bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

func (ad *Admin) counts(ctx context.Context) (Counts, error) {
	rows, err := ad.db.R.Query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, wrap("count", err)
	}
	defer rows.Close()
	c := Counts{}
	for rows.Next() {
		var s State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, wrap("count", err)
		}
		c[s] = n
	}
	return c, wrap("count", rows.Err())
}

// Retry makes a failed job due again now, with its attempts counted
// afresh. It returns the job as it now is.
func (ad *Admin) Retry(ctx context.Context, a access.Actor, id int64) (Job, error) {
	if err := mayAdminister(a); err != nil {
		return Job{}, err
	}
	res, err := ad.db.W.Exec(ctx, `UPDATE jobs SET state = 'available', attempt = 0, run_at = ?, finished_at = NULL
		WHERE id = ? AND state = 'failed'`, time.Now().UnixMilli(), id)
	if err != nil {
		return Job{}, wrap(fmt.Sprintf("retry %d", id), err)
	}
	j, err := Get(ctx, ad.db.R, id)
	if err != nil {
		return j, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return j, fault.Errorf(fault.Conflict, "job %d is %s; only a failed job can be retried", id, j.State)
	}
	return j, nil
}

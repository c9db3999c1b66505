package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/sqldb"
)

// Table keeps the buckets in the rate_buckets table, so every instance
// on the database draws from the same bucket for a client.
type Table struct {
	Rate  float64 // per second
	Burst float64

	db    *sqldb.DB
	now   func() time.Time
	allow string // the statement, with the rate and burst written in
}

// NewTable returns a limiter over db's rate_buckets of perMinute requests
// a minute per key, with bursts of up to burst.
func NewTable(db *sqldb.DB, perMinute, burst int) *Table {
	t := &Table{Rate: float64(perMinute) / 60, Burst: float64(burst), db: db, now: time.Now}
	t.allow = allowSQL(t.Rate/1000, t.Burst)
	return t
}

// SetClock replaces the clock, for tests.
func (t *Table) SetClock(now func() time.Time) { t.now = now }

// allowSQL is one statement that creates or refills a bucket, takes a
// token when there is one, and returns the tokens left and the verdict.
// Being one statement, it needs no transaction: PostgreSQL locks the row
// for the update, so concurrent requests for a key queue on it and each
// refills from what the one before left. The rate and burst are the
// limiter's own numbers, written in as literals so that both databases
// compute in floating point without casts of parameters.
func allowSQL(perMs, burst float64) string {
	lit := func(f float64) string {
		return "CAST(" + strconv.FormatFloat(f, 'g', -1, 64) + " AS DOUBLE PRECISION)"
	}
	elapsed := `(CASE WHEN excluded.updated_at > b.updated_at THEN excluded.updated_at - b.updated_at ELSE 0 END)`
	refilled := `(CASE WHEN b.tokens + ` + elapsed + ` * {rate} > {burst} THEN {burst} ELSE b.tokens + ` + elapsed + ` * {rate} END)`
	q := `INSERT INTO rate_buckets AS b (key, tokens, updated_at, idle_at, allowed)
		VALUES (?, {burst} - 1, ?, ?, TRUE)
		ON CONFLICT (key) DO UPDATE SET
			tokens = CASE WHEN {refilled} >= 1 THEN {refilled} - 1 ELSE {refilled} END,
			allowed = {refilled} >= 1,
			updated_at = CASE WHEN excluded.updated_at > b.updated_at THEN excluded.updated_at ELSE b.updated_at END,
			idle_at = CASE WHEN excluded.idle_at > b.idle_at THEN excluded.idle_at ELSE b.idle_at END
		RETURNING tokens, allowed`
	q = strings.ReplaceAll(q, "{refilled}", refilled)
	return strings.NewReplacer("{rate}", lit(perMs), "{burst}", lit(burst)).Replace(q)
}

// Allow takes one request for key from its shared bucket.
func (t *Table) Allow(ctx context.Context, key string) (ok bool, wait time.Duration, err error) {
	now := t.now()
	full := time.Duration(t.Burst / t.Rate * float64(time.Second))
	var tokens float64
	err = t.db.W.QueryRow(ctx, t.allow, key, now.UnixMilli(), now.Add(full).UnixMilli()).Scan(&tokens, &ok)
	if err != nil {
		return false, 0, fmt.Errorf("rate limit: %w", err)
	}
	if ok {
		return true, 0, nil
	}
	return false, time.Duration((1 - tokens) / t.Rate * float64(time.Second)), nil
}

// PurgeIdle deletes the buckets that have refilled by now: a client that
// comes back starts from a full bucket anyway. It returns how many it
// deleted. The job system calls it periodically; it uses only the
// database, not the limiter's rate or burst.
func (t *Table) PurgeIdle(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.db.W.Exec(ctx, `DELETE FROM rate_buckets WHERE idle_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("rate limit: purge idle buckets: %w", err)
	}
	return res.RowsAffected()
}

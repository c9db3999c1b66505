// Package ratelimit limits how often one client (by IP address) may call
// the public endpoints, with a token bucket per client: Burst requests at
// once, refilled at Rate per second. Several instances on one PostgreSQL
// share each client's bucket in a table; one instance on SQLite keeps its
// buckets in memory.
package ratelimit

import (
	"context"
	"time"

	"leadflow/internal/sqldb"
)

// Limiter decides whether a client may make one more request.
type Limiter interface {
	// Allow takes one request for key; when refused, wait says how long
	// until the next one is allowed.
	Allow(ctx context.Context, key string) (ok bool, wait time.Duration, err error)
}

// For returns the limiter that fits db: the shared table on PostgreSQL,
// where several instances may serve, and memory on SQLite, where one
// does and a write per request would queue behind the single writer.
func For(db *sqldb.DB, perMinute, burst int) Limiter {
	if db.Dialect == sqldb.Postgres {
		return NewTable(db, perMinute, burst)
	}
	return New(perMinute, burst)
}

package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"sync"
)

// TryLock takes the lock called name unless another holder has it, and
// returns what releases it; ok is false when it is held. It is for long
// work that one runner at a time should do, and that a second one can
// leave to the first. On PostgreSQL it is a session advisory lock, on a
// connection kept for it until the release, so it holds across the
// instances that share the database's schema; on SQLite it holds across
// the users of this DB (one process's instances), not across processes
// (a server and `leadflow import` on one file may both take it).
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if db.Dialect == Postgres {
		return db.advisoryLock(ctx, name, false)
	}
	m, _ := db.locks.LoadOrStore(name, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return nil, false, nil
	}
	return mu.Unlock, true, nil
}

// advisoryLock takes PostgreSQL's advisory lock called name on a
// connection of its own, waiting for it if wait is set, else reporting
// with ok whether it got it. The lock's key is made from the schema and
// the name, so instances sharing a schema meet on it while those of other
// schemas (the tests') do not.
func (db *DB) advisoryLock(ctx context.Context, name string, wait bool) (unlock func(), ok bool, err error) {
	conn, err := db.W.pool.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("leadflow " + name + " " + schema))
	key := int64(h.Sum64())
	ok = true
	if wait {
		_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key)
	} else {
		err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
	}
	if err != nil {
		// The lock may have been taken before the answer was lost: the
		// connection is closed, not pooled, so that it ends with it.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
		if err != nil {
			// A connection that may still hold the lock is closed rather
			// than returned to the pool: the lock ends with its session.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, true, nil
}

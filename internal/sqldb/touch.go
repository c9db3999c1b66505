package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Touch notes that the transaction changed what each topic names ("lead:42",
// "leads"). Once it commits, the topics go to the function set by
// OnCommit, which tells open pages to refresh; a transaction that rolls
// back tells nobody.
func (t *Tx) Touch(topics ...string) {
	for _, topic := range topics {
		// A batch touches thousands of leads: a set keeps each check short.
		if t.seen == nil {
			t.seen = map[string]bool{}
		}
		if !t.seen[topic] {
			t.seen[topic] = true
			t.touched = append(t.touched, topic)
		}
	}
}

// Touch is Tx.Touch for code that writes through a Querier: only a
// transaction keeps topics, since only a commit says the change is there.
func Touch(q Querier, topics ...string) {
	if t, ok := q.(*Tx); ok {
		t.Touch(topics...)
	}
}

// OnCommit sets fn to receive the topics of each transaction that
// commits having touched some. fn runs on the committing goroutine and
// must not block.
func (db *DB) OnCommit(fn func(topics []string)) { db.onCommit.Store(&fn) }

func (db *DB) committed(topics []string) {
	if len(topics) == 0 {
		return
	}
	if fn := db.onCommit.Load(); fn != nil {
		(*fn)(topics)
	}
}

// Notify sends payload to the PostgreSQL channel, for every session
// listening on it (other instances, through Listen). Outside a data
// transaction on purpose: a NOTIFY in a writer's transaction makes
// commits queue on PostgreSQL's notification lock.
func (db *DB) Notify(ctx context.Context, channel, payload string) error {
	if db.Dialect != Postgres {
		return fmt.Errorf("notify: only on PostgreSQL")
	}
	_, err := db.W.Exec(ctx, `SELECT pg_notify(?, ?)`, channel, payload)
	return err
}

// Listen calls fn with each payload sent to the PostgreSQL channel until
// ctx ends, on a connection of its own (so it holds none of the pool's),
// reconnecting after a failure. ready, when not nil, is called each time
// the session listens, so a caller knows from when it hears.
func (db *DB) Listen(ctx context.Context, channel string, fn func(payload string), ready func()) error {
	if db.Dialect != Postgres {
		return fmt.Errorf("listen: only on PostgreSQL")
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, channel, fn, ready)
		if ctx.Err() != nil {
			break
		}
		_ = err // a dropped connection: listen again after a pause
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
	return ctx.Err()
}

func (db *DB) listenOnce(ctx context.Context, channel string, fn func(string), ready func()) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Payload)
	}
}

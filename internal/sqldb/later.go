package sqldb

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A write queued by Later.
type laterWrite struct {
	what  string
	query string
	args  []any
}

// Later runs a write whose result the caller does not need. On SQLite it
// runs at once. On PostgreSQL, where each statement is a round trip to
// the server and back, it is queued and sent with the other queued writes
// in one pipeline before the transaction's next statement, or before its
// commit: a new lead's timeline entry, arrival event, search words,
// identity keys and sums cost one round trip instead of one each. A
// failure shows at that next statement, or as the transaction's error,
// prefixed by what.
func (t *Tx) Later(ctx context.Context, what, query string, args ...any) error {
	if t.dialect != Postgres {
		if _, err := t.Exec(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	if t.laterErr != nil {
		return t.laterErr
	}
	t.later = append(t.later, laterWrite{what: what, query: rebind(t.dialect, query), args: args})
	if len(t.later) >= maxQueued {
		return t.flush(ctx)
	}
	return nil
}

// maxQueued bounds the writes queued at once: a loop that writes
// thousands of rows (the pairs job keying a whole import) holds a few
// statements' arguments, not all of them, and learns of a failure soon.
const maxQueued = 32

// ExecLater is Tx.Later through a Querier: outside a transaction the
// write runs at once.
func ExecLater(ctx context.Context, q Querier, what, query string, args ...any) error {
	if t, ok := q.(*Tx); ok {
		return t.Later(ctx, what, query, args...)
	}
	if _, err := q.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// flush sends the queued writes in one pipeline. A failure aborts the
// PostgreSQL transaction, so it is kept: every later statement of the
// transaction fails because of it, and the transaction reports it.
func (t *Tx) flush(ctx context.Context) error {
	if t.laterErr != nil || len(t.later) == 0 {
		return t.laterErr
	}
	queued := t.later
	t.later = nil
	t.laterErr = t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("queued writes: not a pgx connection")
		}
		b := &pgx.Batch{}
		for _, w := range queued {
			b.Queue(w.query, w.args...)
		}
		br := c.Conn().SendBatch(ctx, b)
		for _, w := range queued {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return fmt.Errorf("%s: %w", w.what, err)
			}
		}
		return br.Close()
	})
	return t.laterErr
}

package sqldb

import (
	"context"
	"slices"
	"sync"
)

// Group commits the work of concurrent callers together: work that
// arrives while a transaction is running waits for it, then all of it
// runs in the next transaction, which commits once. Each caller returns
// when its work is committed (or has failed), never before. A caller
// alone pays nothing extra: its work starts at once.
//
// Committing is most of the cost of a small write on SQLite (every index
// page the write touched goes to the log), so a batch that shares pages
// costs little more than one write. On PostgreSQL each piece of work
// commits alone (see Do).
type Group struct {
	db  *DB
	max int

	mu      sync.Mutex
	queue   []*groupWork
	running bool
}

type groupWork struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// NewGroup returns a Group over db's writer that puts at most max pieces
// of work in one transaction.
func NewGroup(db *DB, max int) *Group { return &Group{db: db, max: max} }

// Do runs fn in a transaction, possibly shared with other callers' work,
// and returns once it is committed. fn must write only through tx and set
// its results afresh each time it runs: when a shared transaction fails,
// each piece of work runs again alone, so one caller's failure is not
// another's.
func (g *Group) Do(ctx context.Context, fn func(*Tx) error) error {
	if g.db.Dialect == Postgres {
		// PostgreSQL writes on many connections at once and flushes the
		// log once for the commits that arrive together, so each piece
		// of work commits alone, beside the others, rather than waiting
		// for the shared transaction before it: that wait, a dozen
		// round trips a piece in turn, held form intake at 270 a second
		// however many arrived at once.
		return g.db.InTx(ctx, fn)
	}
	w := &groupWork{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	leader := !g.running
	g.running = true
	g.mu.Unlock()
	if leader {
		g.lead(w)
	}
	return <-w.done
}

// lead runs the queue in batches. Once its own caller's work is done it
// hands what is left to a goroutine, so no caller waits for others' work
// beyond the batch it was in.
func (g *Group) lead(own *groupWork) {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		n := min(len(g.queue), g.max)
		batch := g.queue[:n:n]
		g.queue = slices.Clone(g.queue[n:])
		g.mu.Unlock()

		g.run(batch)
		if own != nil && slices.Contains(batch, own) {
			go g.lead(nil)
			return
		}
	}
}

func (g *Group) run(batch []*groupWork) {
	// The shared transaction is not tied to any one caller's context: one
	// caller going away must not roll back the others' work.
	err := g.db.InTx(context.Background(), func(tx *Tx) error {
		for _, w := range batch {
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	for _, w := range batch {
		w.done <- g.db.InTx(w.ctx, w.fn)
	}
}

// Waiting is how much work is queued for the next transaction.
func (g *Group) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

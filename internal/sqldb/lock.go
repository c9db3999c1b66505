package sqldb

import (
	"context"
	"fmt"
	"strings"
)

// ForUpdate is the clause that ends a SELECT whose rows the transaction
// goes on to write, so that a concurrent writer waits for the commit and
// then reads what this one wrote, instead of both writing from the same
// old row and one losing its change.
//
// On PostgreSQL it is FOR NO KEY UPDATE, the lock an UPDATE that leaves
// the key alone takes anyway: it queues writers of the row but not the
// key-share locks that inserting a row referring to it takes (an event of
// the lead), which FOR UPDATE would also wait for and deadlock with. It
// is limited to the tables (by name or alias) in of: PostgreSQL refuses
// to lock the nullable side of an outer join, and a table joined for a
// name need not be locked. On SQLite it is empty: a transaction there
// begins IMMEDIATE on the single writer connection, so no other writer
// runs until it ends.
func (t *Tx) ForUpdate(of ...string) string {
	if t.dialect != Postgres {
		return ""
	}
	if len(of) == 0 {
		return " FOR NO KEY UPDATE"
	}
	return " FOR NO KEY UPDATE OF " + strings.Join(of, ", ")
}

// SkipLocked is ForUpdate for a queue that several instances take work
// from: on PostgreSQL the rows another transaction holds are passed over
// rather than waited for, so each instance takes a batch of its own.
func (t *Tx) SkipLocked(of ...string) string {
	if t.dialect != Postgres {
		return ""
	}
	return t.ForUpdate(of...) + " SKIP LOCKED"
}

// ForKeyShare ends a SELECT of rows the transaction goes on to refer to
// (it inserts rows whose foreign keys name them): on PostgreSQL a delete
// of such a row waits for the commit, and a select that comes after a
// delete waits for it and then finds the row gone, instead of the insert
// failing its foreign key. of names the tables to lock, as in ForUpdate.
// On SQLite it is empty: the single writer runs one transaction at a time.
func (t *Tx) ForKeyShare(of ...string) string {
	if t.dialect != Postgres {
		return ""
	}
	if len(of) == 0 {
		return " FOR KEY SHARE"
	}
	return " FOR KEY SHARE OF " + strings.Join(of, ", ")
}

// LockKey holds a lock named key until the transaction ends, for work
// that reads and then inserts rows no row lock can guard yet: two
// transactions finding no account for one company would both create it.
// Of those that lock the same key, one runs its read and write at a time,
// and each reads what the one before committed.
//
// On PostgreSQL it is a transaction-scoped advisory lock on the key's
// hash (another key may share the hash; it then only waits needlessly).
// On SQLite it does nothing: a transaction there begins IMMEDIATE on the
// single writer connection, so no other writer runs until it ends. Take
// several keys in a fixed order, so two transactions never wait for each
// other.
func (t *Tx) LockKey(ctx context.Context, key string) error {
	if t.dialect != Postgres {
		return nil
	}
	if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, key); err != nil {
		return fmt.Errorf("lock %q: %w", key, err)
	}
	return nil
}

// Dialect is the database the transaction runs on, for a write whose
// best form differs (see lead's storeScores).
func (t *Tx) Dialect() Dialect { return t.dialect }

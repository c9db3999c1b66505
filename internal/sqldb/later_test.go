package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func createLabels(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := db.W.Exec(context.Background(), `CREATE TABLE labels (n BIGINT PRIMARY KEY, label TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
}

func labels(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	rows, err := db.R.Query(context.Background(), `SELECT label FROM labels ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, " ")
}

// Writes queued by Later run in the order given, before the statement
// that follows them, and the last of them before the commit.
func TestLaterWritesRunInOrderBeforeTheNextStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		createLabels(t, db)
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for _, w := range []struct{ what, q string }{
				{"first", `INSERT INTO labels (n, label) VALUES (1, 'a')`},
				{"second", `INSERT INTO labels (n, label) VALUES (2, 'b')`},
				{"third", `UPDATE labels SET label = label || '2' WHERE n = 2`},
			} {
				if err := tx.Later(ctx, w.what, w.q); err != nil {
					return err
				}
			}
			var seen string
			if err := tx.QueryRow(ctx, `SELECT label FROM labels WHERE n = ?`, 2).Scan(&seen); err != nil {
				return err
			}
			if seen != "b2" {
				t.Errorf("the statement after the queued writes read %q, want b2", seen)
			}
			return tx.Later(ctx, "last", `INSERT INTO labels (n, label) VALUES (?, ?)`, 3, "c")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := labels(t, db); got != "a b2 c" {
			t.Errorf("committed %q, want a b2 c", got)
		}
	})
}

// A queued write that fails fails its transaction, named by what it was,
// whether the next statement or the commit sends it: nothing of the
// transaction is kept, and a deadlock's or a unique key's error keeps
// its code for the callers that test it.
func TestLaterWriteFailureFailsTheTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		createLabels(t, db)
		for _, next := range []string{"a statement", "the commit"} {
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO labels (n, label) VALUES (1, 'kept?')`); err != nil {
					return err
				}
				if err := tx.Later(ctx, "store x", `INSERT INTO labels (n, label) VALUES (2, 'x')`); err != nil {
					return err
				}
				err := tx.Later(ctx, "store x again", `INSERT INTO labels (n, label) VALUES (3, 'x')`)
				if db.Dialect == sqldb.Postgres && err != nil {
					t.Errorf("PostgreSQL sent a queued write at once: %v", err)
				}
				if err != nil || next == "the commit" {
					return err
				}
				var n int
				return tx.QueryRow(ctx, `SELECT count(*) FROM labels`).Scan(&n)
			})
			if err == nil || !strings.Contains(err.Error(), "store x again: ") || !sqldb.IsUniqueViolation(err) {
				t.Errorf("sent by %s: the transaction returned %v, want the unique key's failure of \"store x again\"", next, err)
			}
			if got := labels(t, db); got != "" {
				t.Errorf("sent by %s: %q committed, want nothing", next, got)
			}
		}
	})
}

// Outside a transaction, ExecLater runs the write at once.
func TestExecLaterOutsideATransactionRunsAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		createLabels(t, db)
		if err := sqldb.ExecLater(ctx, db.W, "store a", `INSERT INTO labels (n, label) VALUES (?, ?)`, 1, "a"); err != nil {
			t.Fatal(err)
		}
		if got := labels(t, db); got != "a" {
			t.Errorf("stored %q, want a", got)
		}
		err := sqldb.ExecLater(ctx, db.W, "store a again", `INSERT INTO labels (n, label) VALUES (?, ?)`, 2, "a")
		if err == nil || !strings.HasPrefix(err.Error(), "store a again: ") || errors.Unwrap(err) == nil {
			t.Errorf("a failing write returned %v, want it named \"store a again\"", err)
		}
	})
}

// A loop that queues many writes sends them in pipelines of a bounded
// length, not all at its commit: a failure shows while it still runs.
func TestLaterSendsLongQueuesAsTheyGrow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		createLabels(t, db)
		failedAt := -1
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := range 200 {
				label := fmt.Sprint("row ", i)
				if i == 50 {
					label = "row 0" // taken
				}
				if err := tx.Later(ctx, "store "+label, `INSERT INTO labels (n, label) VALUES (?, ?)`, i, label); err != nil {
					failedAt = i
					return err
				}
			}
			return nil
		})
		if !sqldb.IsUniqueViolation(err) || failedAt < 50 || failedAt > 100 {
			t.Errorf("the loop stopped at write %d with %v, want soon after write 50 with its unique key's failure", failedAt, err)
		}
		if got := labels(t, db); got != "" {
			t.Errorf("%q committed, want nothing", got)
		}
	})
}

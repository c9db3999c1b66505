package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// TestBackupUnderWriteLoad copies a SQLite database while four writers
// add leads: the copy holds a consistent moment (the dashboard's kept
// counts match its leads) between the counts before and after.
func TestBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	leads := lead.NewService(db)
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := leads.Create(ctx, access.System, lead.Changes{"email": fmt.Sprintf("w%d-%d@load.test", w, i), "source": []string{"web", "ads"}[i%2]}); err != nil {
					t.Error(err)
					return
				}
				written.Add(1)
			}
		})
	}
	for written.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	before := written.Load()
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	after := written.Load()

	copyDB, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	h, err := copyDB.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !h.OK() {
		t.Errorf("the backup taken under load is not consistent: %v", h.Problems)
	}
	if n := h.Rows["leads"]; n < before || n >= after {
		t.Errorf("the backup holds %d leads; %d were written before it started and %d by the end", n, before, after)
	}
	if err := db.Backup(ctx, path); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a backup over an existing file: %v", err)
	}
}

// TestCheckFindsWrongCounts: the check compares the dashboard's kept
// counts with the leads, on both databases.
func TestCheckFindsWrongCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		for i := range 3 {
			if _, err := leads.Create(ctx, access.System, lead.Changes{"email": fmt.Sprintf("c%d@check.test", i)}); err != nil {
				t.Fatal(err)
			}
		}
		h, err := db.Check(ctx)
		if err != nil || !h.OK() || h.Rows["leads"] != 3 {
			t.Fatalf("a sound database: %+v %v", h, err)
		}
		if _, err := db.W.Exec(ctx, `UPDATE lead_counts SET n = n + 5`); err != nil {
			t.Fatal(err)
		}
		if db.Dialect == sqldb.Postgres { // the counts may not be folded yet
			db.W.Exec(ctx, `INSERT INTO lead_counts (day, source, stage, n) VALUES (1, 'x', 'lead', 5)`)
		}
		if h, _ := db.Check(ctx); h.OK() {
			t.Error("the check missed counts that differ from the leads")
		}
	})
}

// TestDurableWaitsForTheDisk: --durable opens SQLite with synchronous
// FULL on every connection; the default is NORMAL.
func TestDurableWaitsForTheDisk(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		durable bool
		want    int
	}{{false, 1}, {true, 2}} {
		db, err := sqldb.OpenWith(ctx, filepath.Join(t.TempDir(), "d.db"), sqldb.Options{Durable: c.durable})
		if err != nil {
			t.Fatal(err)
		}
		var w, r int
		db.W.QueryRow(ctx, `PRAGMA synchronous`).Scan(&w)
		db.R.QueryRow(ctx, `PRAGMA synchronous`).Scan(&r)
		db.Close()
		if w != c.want || r != c.want {
			t.Errorf("durable %v: synchronous %d on the writer, %d on a reader; want %d", c.durable, w, r, c.want)
		}
	}
}

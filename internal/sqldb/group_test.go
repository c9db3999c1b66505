package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openGroupDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.W.Exec(ctx, `CREATE TABLE items (n INTEGER NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// Work that arrives while a transaction runs is committed together in the
// next one, and every caller returns only after its work is committed.
func TestGroupCommitsWaitingWorkTogether(t *testing.T) {
	db := openGroupDB(t)
	g := NewGroup(db, 100)
	ctx := context.Background()
	const n = 40
	var mu sync.Mutex
	txs := map[*Tx]int{}
	started, release := make(chan struct{}), make(chan struct{})
	insert := func(i int) func(*Tx) error {
		return func(tx *Tx) error {
			if i == 0 {
				close(started)
				<-release // hold the first transaction until the rest queue up
			}
			mu.Lock()
			txs[tx]++
			mu.Unlock()
			_, err := tx.Exec(ctx, `INSERT INTO items (n) VALUES (?)`, i)
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(ctx, insert(0)) }()
	<-started
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Do(ctx, insert(i)) }()
	}
	for g.Waiting() < n-1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("work %d: %v", i, err)
		}
	}
	var count int
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&count)
	if count != n || len(txs) != 2 {
		t.Errorf("%d rows in %d transactions, want %d in 2", count, len(txs), n)
	}
}

// One caller's failing work fails only that caller.
func TestGroupIsolatesAFailure(t *testing.T) {
	db := openGroupDB(t)
	g := NewGroup(db, 100)
	ctx := context.Background()
	bad := errors.New("refused")
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	run := func(i int, fn func(*Tx) error) {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Do(ctx, fn) }()
	}
	run(0, func(tx *Tx) error { close(started); <-release; return nil })
	<-started
	for i := 1; i < 6; i++ {
		run(i, func(tx *Tx) error {
			if i == 3 {
				return bad
			}
			_, err := tx.Exec(ctx, `INSERT INTO items (n) VALUES (?)`, i)
			return err
		})
	}
	for g.Waiting() < 5 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	var count int
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&count)
	if !errors.Is(errs[3], bad) || count != 4 {
		t.Errorf("errors %v, %d rows; want only work 3 refused and 4 rows", errs, count)
	}
	for i, err := range errs {
		if i != 3 && err != nil {
			t.Errorf("work %d failed with another's error: %v", i, err)
		}
	}
}

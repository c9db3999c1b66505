package sqldb

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
	if got := rebind(Postgres, q); got != "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)" {
		t.Errorf("postgres: %s", got)
	}
	if got := rebind(SQLite, q); got != q {
		t.Errorf("sqlite changed the query: %s", got)
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- a comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX i ON a (x);\n-- trailing\n")
	want := []string{"CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
	trigger := "CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  UPDATE b SET n = n + 1;\n  UPDATE c SET n = n + 1;\nEND;\nCREATE INDEX j ON a (x);\n"
	if got := splitStatements(trigger); len(got) != 2 || !strings.HasSuffix(got[0], "END") {
		t.Errorf("a trigger's body was cut: %q", got)
	}
	function := "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  UPDATE b SET n = n + 1;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();\n"
	if got := splitStatements(function); len(got) != 2 || !strings.HasSuffix(got[0], "plpgsql") {
		t.Errorf("a function's body was cut: %q", got)
	}
}

func TestMigrateTwiceAppliesOnce(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first, err := db.Migrate(ctx)
	if err != nil || len(first) == 0 {
		t.Fatalf("first migrate: %v %v", first, err)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, %v", again, err)
	}
	var mode string
	db.R.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %s, want wal", mode)
	}
	var fk int
	db.R.QueryRow(ctx, "PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Error("foreign keys are off")
	}
}

func TestSQLiteConnectionsKeepStatementJournalsInMemory(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, h := range map[string]*Handle{"writer": db.W, "reader": db.R} {
		var store, every int
		if err := h.QueryRow(ctx, `PRAGMA temp_store`).Scan(&store); err != nil {
			t.Fatal(err)
		}
		if err := h.QueryRow(ctx, `PRAGMA wal_autocheckpoint`).Scan(&every); err != nil {
			t.Fatal(err)
		}
		if store != 2 || every != 16384 {
			t.Errorf("%s: temp_store %d (want 2, memory), wal_autocheckpoint %d", name, store, every)
		}
	}
}

func TestWritersWaitingCountsTransactionsQueuedForTheWriter(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release, holding := make(chan struct{}), make(chan struct{})
	go db.InTx(ctx, func(*Tx) error {
		close(holding)
		<-release
		return nil
	})
	<-holding
	if n := db.WritersWaiting(); n != 0 {
		t.Fatalf("%d waiting while one transaction runs alone", n)
	}
	second := make(chan error)
	go func() { second <- db.InTx(ctx, func(*Tx) error { return nil }) }()
	deadline := time.Now().Add(5 * time.Second)
	for db.WritersWaiting() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the second transaction never showed as waiting")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if n := db.WritersWaiting(); n != 0 {
		t.Errorf("%d still waiting after both ran", n)
	}
}

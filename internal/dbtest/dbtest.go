// Package dbtest gives tests real databases: a fresh SQLite file, and a
// fresh PostgreSQL database when LEADFLOW_TEST_POSTGRES holds a server
// URL, so the same test code runs on both.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/sqldb"
)

// PostgresEnv names the variable holding the test server's URL.
const PostgresEnv = "LEADFLOW_TEST_POSTGRES"

// Each runs fn as a subtest once per available database, each migrated
// and empty. The two run at once, beside each other only: a test spends
// much of its time waiting on a database or a browser, and the two
// halves share nothing. Each must be the last thing its test does, since
// the halves run after the test's own function returns.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, Postgres(t)) })
}

// EachInTurn is Each with the halves one after the other, for a test
// that changes what the whole process shares, such as its environment.
func EachInTurn(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file under t.TempDir().
// The file is a copy of one migrated once per test binary: migrating
// from nothing takes a quarter of a second under the race detector, and
// most tests start with a database of their own.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	data, err := migratedSQLite()
	if err != nil {
		t.Fatalf("migrate the database tests copy: %v", err)
	}
	path := filepath.Join(t.TempDir(), "leadflow.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return open(t, path)
}

// migratedSQLite is the file of a newly migrated SQLite database.
var migratedSQLite = sync.OnceValues(func() ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "leadflow-migrated-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "leadflow.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	_, err = db.Migrate(ctx)
	if err == nil {
		err = checkpointAll(ctx, db)
	}
	if err := errors.Join(err, db.Close()); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// checkpointAll copies the whole log into the database file, so that the
// file alone is the database. A checkpoint reports busy, without an
// error, when the background one holds the log at that moment; after a
// partial checkpoint the file alone may be a torn copy, so it tries again.
func checkpointAll(ctx context.Context, db *sqldb.DB) error {
	for range 200 {
		var busy, frames, copied int
		if err := db.W.QueryRow(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("the log could not be checkpointed: busy for 2 s")
}

// Postgres returns a migrated database on the test server, dropped when
// the test ends. It is a copy of a template database migrated once per
// schema (sqldb.SchemaDigest), which the server copies in tens of
// milliseconds where migrating takes about a second.
func Postgres(t testing.TB) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	base, admin := postgresServer(t)
	template, err := postgresTemplate(ctx, admin, base)
	if err != nil {
		t.Fatalf("the migrated template database: %v", err)
	}
	name := "leadflow_test_" + randomHex()
	if _, err := admin.W.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("copy the template database: %v", err)
	}
	t.Cleanup(func() { admin.W.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return open(t, dsn)
}

// postgresServer returns the test server's URL and a connection to it,
// closed when the test ends. It skips, saying why, when no server is
// configured; the test command always configures one.
func postgresServer(t testing.TB) (string, *sqldb.DB) {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		Unavailable(t, "PostgreSQL NOT TESTED: set "+PostgresEnv+" (scripts/test does)")
	}
	admin, err := sqldb.Open(context.Background(), base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	return base, admin
}

// templatePrefix starts the name of each template database, the rest
// being the schema's digest.
const templatePrefix = "leadflow_template_"

// template is the migrated template database of this test binary.
var template struct {
	once sync.Once
	name string
	err  error
}

// postgresTemplate returns the name of the template database of this
// schema, made by the first test binary that needs it.
func postgresTemplate(ctx context.Context, admin *sqldb.DB, base string) (string, error) {
	template.once.Do(func() { template.name, template.err = makeTemplate(ctx, admin, base) })
	return template.name, template.err
}

// makeTemplate makes the template database of this schema unless it
// exists. It is migrated under a name of its own and renamed when
// complete, so no test copies a template half made; of binaries making
// it at once, the first to rename wins and the others drop theirs.
// Templates of other schemas are dropped.
func makeTemplate(ctx context.Context, admin *sqldb.DB, base string) (string, error) {
	digest, err := sqldb.SchemaDigest(sqldb.Postgres)
	if err != nil {
		return "", err
	}
	name := templatePrefix + digest[:16]
	exists := func() bool {
		n, err := sqldb.Column[int](ctx, admin.R, `SELECT 1 FROM pg_database WHERE datname = ?`, name)
		return err == nil && len(n) > 0
	}
	if exists() {
		return name, nil
	}
	making := name + "_" + randomHex()
	if _, err := admin.W.Exec(ctx, "CREATE DATABASE "+making); err != nil {
		return "", err
	}
	if err := migrateTemplate(ctx, admin, base, making, name); err != nil {
		admin.W.Exec(ctx, "DROP DATABASE IF EXISTS "+making+" WITH (FORCE)")
		if exists() {
			return name, nil // another binary made it first
		}
		return "", err
	}
	stale, _ := sqldb.Column[string](ctx, admin.R, `SELECT datname FROM pg_database WHERE datname LIKE ? AND datname <> ?`,
		templatePrefix+"%", name)
	for _, old := range stale {
		admin.W.Exec(ctx, "DROP DATABASE IF EXISTS "+old)
	}
	return name, nil
}

// migrateTemplate migrates database making, then closes it to
// connections and renames it to name.
func migrateTemplate(ctx context.Context, admin *sqldb.DB, base, making, name string) error {
	dsn, err := withDatabase(base, making)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return err
	}
	_, err = db.Migrate(ctx)
	if err := errors.Join(err, db.Close()); err != nil {
		return err
	}
	for _, stmt := range []string{
		"ALTER DATABASE " + making + " WITH ALLOW_CONNECTIONS false",
		"ALTER DATABASE " + making + " RENAME TO " + name,
	} {
		if _, err := admin.W.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// withDatabase is the server URL base with database name instead of its
// own.
func withDatabase(base, name string) (string, error) {
	return editURL(base, func(u *url.URL) { u.Path = "/" + name })
}

// editURL is the server URL base as edit changes it.
func editURL(base string, edit func(*url.URL)) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", PostgresEnv, err)
	}
	edit(u)
	return u.String(), nil
}

// EachDSN runs fn as a subtest once per available database with the
// connection string of a new, empty database, for tests that start the
// whole program and let it migrate. Like Each's, the two run at once.
func EachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, filepath.Join(t.TempDir(), "leadflow.db")) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, PostgresDSN(t)) })
}

// PostgresDSN creates a new schema on the test server, dropped when the
// test ends, and returns a URL whose search_path selects it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base, admin := postgresServer(t)
	schema := "t_" + randomHex()
	if _, err := admin.W.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { admin.W.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	dsn, err := editURL(base, func(u *url.URL) {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

func open(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RequireAllEnv, when set (CI sets it), turns a missing database or
// browser from a skip into a failure.
const RequireAllEnv = "LEADFLOW_REQUIRE_ALL"

// Unavailable skips the test, saying why, or fails it when
// LEADFLOW_REQUIRE_ALL is set, so CI never counts a skip as a pass.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireAllEnv) != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// Plan returns SQLite's query plan for query with args, its steps joined
// by "; ", for tests that keep a query on an index.
func Plan(t testing.TB, db *sqldb.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.R.Query(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "; ")
}

// Together runs each fn on a goroutine of its own, released at the same
// moment so that they race for the same rows, and returns their errors
// in order.
func Together(fns ...func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// PostgresPlan is PostgreSQL's plan of query with sequential scans priced
// out, so that an index the query can use shows even in a table without
// statistics; one it cannot use (a partial index whose condition the
// query does not imply) leaves the Seq Scan.
func PostgresPlan(t testing.TB, db *sqldb.DB, query string, args ...any) string {
	t.Helper()
	var plan []string
	err := db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		plan = nil
		rows, err := tx.Query(context.Background(), `EXPLAIN `+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// CountsMatchLeads checks the dashboard's kept counts (lead_counts_now)
// against counting the leads themselves, by source and stage.
func CountsMatchLeads(t testing.TB, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) map[[2]string]int64 {
		rows, err := db.R.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[[2]string]int64{}
		for rows.Next() {
			var k [2]string
			var n int64
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[k] = n
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	kept := read(`SELECT source, stage, SUM(n) FROM lead_counts_now GROUP BY source, stage`)
	counted := read(`SELECT source, stage, COUNT(*) FROM leads GROUP BY source, stage`)
	if len(kept) != len(counted) {
		t.Errorf("dashboard counts %v, leads %v", kept, counted)
	}
	for k, n := range counted {
		if kept[k] != n {
			t.Errorf("%v: dashboard counts %d, leads %d", k, kept[k], n)
		}
	}
}

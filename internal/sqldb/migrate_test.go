package sqldb_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// eachInstances runs fn once per database with n handles on one new,
// empty database (on SQLite one file, on PostgreSQL one schema), as n
// leadflow processes would have.
func eachInstances(t *testing.T, n int, fn func(t *testing.T, name string, dbs []*sqldb.DB)) {
	t.Helper()
	dsns := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "m.db") }},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresDSN(t) }},
	}
	for _, d := range dsns {
		t.Run(d.name, func(t *testing.T) {
			dsn := d.dsn(t)
			var dbs []*sqldb.DB
			for range n {
				db, err := sqldb.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			fn(t, d.name, dbs)
		})
	}
}

func TestInstancesMigratingAtOnceApplyEachMigrationOnce(t *testing.T) {
	ctx := context.Background()
	eachInstances(t, 2, func(t *testing.T, name string, dbs []*sqldb.DB) {
		{
			// Two instances, and two goroutines of the first, start together.
			runners := []*sqldb.DB{dbs[0], dbs[0], dbs[1], dbs[1]}
			applied := make([][]string, len(runners))
			errs := make([]error, len(runners))
			var wg sync.WaitGroup
			for i, db := range runners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					applied[i], errs[i] = db.Migrate(ctx)
				}()
			}
			wg.Wait()
			count := map[string]int{}
			for i, err := range errs {
				if err != nil {
					t.Errorf("runner %d: %v", i, err)
				}
				for _, m := range applied[i] {
					count[m]++
				}
			}
			var rows, want int
			if err := dbs[0].R.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			files, _ := fs.Glob(sqldb.Migrations, "migrations/*.sql")
			for _, f := range files {
				if !strings.Contains(f, ".sqlite.") && !strings.Contains(f, ".postgres.") || strings.Contains(f, "."+name+".") {
					want++
				}
			}
			if rows != want || len(count) != want {
				t.Errorf("%d migrations recorded and %d reported applied, want %d", rows, len(count), want)
			}
			for m, n := range count {
				if n != 1 {
					t.Errorf("%s applied %d times", m, n)
				}
			}
			var empty int
			dbs[1].R.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE checksum = ''`).Scan(&empty)
			if empty != 0 {
				t.Errorf("%d migrations applied without a checksum", empty)
			}
		}
	})
}

// copyFS copies the embedded migrations so a test can change one.
func copyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	files, err := fs.Glob(sqldb.Migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(sqldb.Migrations, f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = &fstest.MapFile{Data: b}
	}
	return out
}

func TestChangedMigrationIsRefused(t *testing.T) {
	ctx := context.Background()
	eachInstances(t, 1, func(t *testing.T, name string, dbs []*sqldb.DB) {
		{
			db := dbs[0]
			files := copyFS(t)
			if _, err := db.MigrateFrom(ctx, files); err != nil {
				t.Fatal(err)
			}
			// Line endings alone are not a change.
			init := files["migrations/0001_init.sql"]
			init.Data = []byte(strings.ReplaceAll(string(init.Data), "\n", "\r\n"))
			if _, err := db.MigrateFrom(ctx, files); err != nil {
				t.Fatalf("CRLF line endings were taken for a change: %v", err)
			}
			files["migrations/0003_scoring.sql"].Data = append(files["migrations/0003_scoring.sql"].Data, "\nCREATE INDEX x ON leads (city);\n"...)
			_, err := db.MigrateFrom(ctx, files)
			if err == nil || !strings.Contains(err.Error(), "0003_scoring.sql") || !strings.Contains(err.Error(), "changed") {
				t.Fatalf("a changed migration was not refused by name: %v", err)
			}
			// A new migration is not applied past the refusal.
			files["migrations/9999_later.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE later (x BIGINT);\n")}
			if _, err := db.MigrateFrom(ctx, files); err == nil {
				t.Fatal("refused once, accepted next time")
			}
			var n int
			db.R.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = 9999`).Scan(&n)
			if n != 0 {
				t.Error("a migration was applied although another had changed")
			}
		}
	})
}

func TestChecksumsAreRecordedForMigrationsAppliedBefore(t *testing.T) {
	ctx := context.Background()
	eachInstances(t, 1, func(t *testing.T, name string, dbs []*sqldb.DB) {
		{
			db := dbs[0]
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// As a database migrated by a leadflow that kept no checksums.
			if _, err := db.W.Exec(ctx, `ALTER TABLE schema_migrations DROP COLUMN checksum`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var empty int
			if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE checksum = ''`).Scan(&empty); err != nil || empty != 0 {
				t.Fatalf("%d migrations still without a checksum (%v)", empty, err)
			}
			files := copyFS(t)
			files["migrations/0002_intake.sql"].Data = append(files["migrations/0002_intake.sql"].Data, "-- edited\n"...)
			if _, err := db.MigrateFrom(ctx, files); err == nil || !strings.Contains(err.Error(), "0002_intake.sql") {
				t.Fatalf("the recorded checksums do not catch a change: %v", err)
			}
		}
	})
}

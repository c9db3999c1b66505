package sqldb_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"leadflow/internal/dbtest"
	"leadflow/internal/sortkey"
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

func TestMigrateFillsMissingSortKeys(t *testing.T) {
	ctx := context.Background()
	eachInstances(t, 1, func(t *testing.T, name string, dbs []*sqldb.DB) {
		db := dbs[0]
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// Rows as a leadflow without sort keys wrote them, more than one
		// batch of them.
		const n = 2500
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := range n {
				if _, err := tx.Exec(ctx, `INSERT INTO leads (email, last_name, company, stage, grade, created_at, updated_at)
					VALUES (?, ?, ?, 'lead', 'cold', 0, 0)`, fmt.Sprintf("l%d@example.com", i), fmt.Sprintf("Émile %d", i), "Östlund AB"); err != nil {
					return err
				}
			}
			var acc int64
			if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, name_key, created_at, updated_at) VALUES ('Ømann', 'ømann', 0, 0) RETURNING id`).Scan(&acc); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO contacts (account_id, email, first_name, last_name, stage, created_at, updated_at)
				VALUES (?, 'c@example.com', 'Jan', 'van Dijk', 'lead', 0, 0)`, acc)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var missing int
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE last_name_sort IS NULL OR company_sort IS NULL OR first_name_sort IS NULL`).Scan(&missing); err != nil || missing != 0 {
			t.Fatalf("%d leads without sort keys (%v)", missing, err)
		}
		var lastName, company, account, contact string
		db.R.QueryRow(ctx, `SELECT last_name_sort, company_sort FROM leads WHERE email = 'l7@example.com'`).Scan(&lastName, &company)
		db.R.QueryRow(ctx, `SELECT name_sort FROM accounts`).Scan(&account)
		db.R.QueryRow(ctx, `SELECT name_sort FROM contacts`).Scan(&contact)
		if lastName != sortkey.Of("Émile 7") || company != sortkey.Of("Östlund AB") || account != sortkey.Of("Ømann") ||
			contact != sortkey.Of("van Dijk Jan") {
			t.Errorf("keys %q %q %q %q", lastName, company, account, contact)
		}
	})
}

// TryLock lets one holder at a time through, and a second is told so
// rather than made to wait: on PostgreSQL across the instances sharing the
// database, on SQLite across the users of one handle.
func TestTryLockLetsOneHolderThrough(t *testing.T) {
	ctx := context.Background()
	eachInstances(t, 2, func(t *testing.T, name string, dbs []*sqldb.DB) {
		other := dbs[1]
		if name == "sqlite" {
			other = dbs[0]
		}
		unlock, ok, err := dbs[0].TryLock(ctx, "job")
		if err != nil || !ok {
			t.Fatalf("the first holder: %v %v", ok, err)
		}
		if _, ok, err := other.TryLock(ctx, "job"); err != nil || ok {
			t.Errorf("a second holder got the lock held: %v %v", ok, err)
		}
		if u, ok, err := other.TryLock(ctx, "another job"); err != nil || !ok {
			t.Errorf("a lock of another name: %v %v", ok, err)
		} else {
			u()
		}
		unlock()
		u, ok, err := other.TryLock(ctx, "job")
		if err != nil || !ok {
			t.Fatalf("after the release: %v %v", ok, err)
		}
		u()
	})
}

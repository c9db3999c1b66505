package dbtest

import (
	"context"
	"testing"

	"leadflow/internal/sqldb"
)

// TestPostgresCopies: each database copied from the template holds the
// whole schema and only what was made in it, and the template itself
// takes no connections, so that nothing changes it after it is made.
// (Copies made at once are every test's two halves.)
func TestPostgresCopies(t *testing.T) {
	ctx := context.Background()
	dbs := make([]*sqldb.DB, 3)
	for i := range dbs {
		dbs[i] = Postgres(t)
	}
	for i, db := range dbs {
		if n, err := db.Migrate(ctx); err != nil || len(n) != 0 {
			t.Errorf("copy %d: Migrate applied %v (%v); want nothing left to apply", i, n, err)
		}
	}
	if _, err := dbs[0].W.Exec(ctx, `CREATE TABLE only_here (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i, db := range dbs {
		var found bool
		if err := db.R.QueryRow(ctx, `SELECT to_regclass('only_here') IS NOT NULL`).Scan(&found); err != nil || found != (i == 0) {
			t.Errorf("copy %d sees the table made in copy 0: %v (%v)", i, found, err)
		}
	}
	base, admin := postgresServer(t)
	name, _ := postgresTemplate(ctx, admin, base)
	allow, err := sqldb.Column[bool](ctx, admin.R, `SELECT datallowconn FROM pg_database WHERE datname = ?`, name)
	if err != nil || len(allow) != 1 || allow[0] {
		t.Errorf("template %s allows connections: %v (%v); want one template, closed", name, allow, err)
	}
}

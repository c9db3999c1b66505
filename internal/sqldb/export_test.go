package sqldb

import (
	"context"
	"io/fs"
)

// MigrateFrom is Migrate reading migrations from fsys, for tests that
// change a migration's text.
func (db *DB) MigrateFrom(ctx context.Context, fsys fs.FS) ([]string, error) {
	return db.migrate(ctx, fsys)
}

// Migrations is the embedded migrations.
var Migrations fs.FS = migrationFS

// AdviceFor is adviceFor, for a test of settings the test server lacks.
var AdviceFor = adviceFor

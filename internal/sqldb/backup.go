package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of a SQLite database to path while it
// stays in use: VACUUM INTO reads one snapshot, so writes committed
// meanwhile are either wholly in the copy or not at all, and the copy is
// compact. path must not exist. PostgreSQL is backed up with pg_dump.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("backup: on PostgreSQL use pg_dump (see the README), then leadflow check on the restored database")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already; choose a new file", path)
	}
	// On the read pool: VACUUM INTO only reads this database, and must
	// not hold the writer that requests are waiting for.
	if _, err := db.R.pool.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Health is what Check found.
type Health struct {
	// Problems lists what is wrong; empty when the database is sound.
	Problems []string
	// Rows counts the rows of the main tables.
	Rows map[string]int64
	// Advice names the server settings that slow leadflow (see Advice);
	// the database is sound with them.
	Advice []string
}

// OK reports whether Check found nothing wrong.
func (h Health) OK() bool { return len(h.Problems) == 0 }

// checkedTables are the tables whose rows Check counts.
var checkedTables = []string{"users", "leads", "events", "lead_changes", "accounts", "contacts", "opportunities", "submissions", "imports", "jobs"}

// Check looks a database over, as after a restore: SQLite's own
// integrity and foreign key checks, the rows of the main tables, the
// dashboard's kept counts against the leads they count, and PostgreSQL's
// settings.
func (db *DB) Check(ctx context.Context) (Health, error) {
	h := Health{Rows: map[string]int64{}}
	if db.Dialect == SQLite {
		for _, pragma := range []string{"integrity_check", "foreign_key_check"} {
			found, err := db.pragmaProblems(ctx, pragma)
			if err != nil {
				return h, err
			}
			h.Problems = append(h.Problems, found...)
		}
	}
	for _, t := range checkedTables {
		var n int64
		if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return h, fmt.Errorf("check: count %s: %w", t, err)
		}
		h.Rows[t] = n
	}
	var off int64
	err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (
		SELECT COALESCE(k.day, l.day) AS day FROM
			(SELECT day, source, stage, SUM(n) AS n FROM lead_counts_now GROUP BY day, source, stage HAVING SUM(n) <> 0) k
			FULL JOIN (SELECT created_at / 86400000 AS day, source, stage, COUNT(*) AS n FROM leads GROUP BY created_at / 86400000, source, stage) l
			ON k.day = l.day AND k.source = l.source AND k.stage = l.stage
		WHERE k.n IS NULL OR l.n IS NULL OR k.n <> l.n) d`).Scan(&off)
	if err != nil {
		return h, fmt.Errorf("check: dashboard counts: %w", err)
	}
	if off > 0 {
		h.Problems = append(h.Problems, fmt.Sprintf("the dashboard's kept counts differ from the leads for %d day, channel and stage combinations", off))
	}
	// Settings that cannot be read make no database unsound.
	if h.Advice, err = db.Advice(ctx); err != nil {
		h.Advice = []string{err.Error()}
	}
	return h, nil
}

// pragmaProblems runs a SQLite check pragma and returns what it reported;
// integrity_check says "ok" when there is nothing to report.
func (db *DB) pragmaProblems(ctx context.Context, pragma string) ([]string, error) {
	rows, err := db.R.pool.QueryContext(ctx, `PRAGMA `+pragma)
	if err != nil {
		return nil, fmt.Errorf("check: %s: %w", pragma, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				parts[i] = string(b)
			}
		}
		if line := strings.Join(parts, " "); line != "ok" {
			out = append(out, pragma+": "+line)
		}
	}
	return out, rows.Err()
}

package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// maxParams bounds the parameters of one statement: SQLite allows 32,766
// and PostgreSQL 65,535.
const maxParams = 30000

// maxRows bounds the rows of one multi-row INSERT on SQLite. A statement
// into an indexed table keeps, until it ends, the first image of every
// page it changes (its statement journal, in memory), and the rows of a
// batch land on pages all over each index: fewer rows a statement hold
// fewer pages at once, and the statements' fixed cost is small beside
// hundreds of rows.
const maxRows = 256

// InsertRows writes rows into the columns cols of table: one COPY on
// PostgreSQL, multi-row INSERTs of up to maxRows rows on SQLite. Each row
// holds a value for each column, of the Go type the column stores (int64,
// string, bool, nil). It is for rows that cannot conflict with stored
// ones (COPY has no ON CONFLICT).
func (t *Tx) InsertRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if t.dialect == Postgres {
		return t.copyRows(ctx, table, cols, rows)
	}
	return t.eachInsert(ctx, table, cols, rows, "", func(*sql.Rows) error { return nil })
}

// InsertReturning writes rows as InsertRows does, for rows that may
// conflict with stored ones: each statement ends with suffix (such as ON
// CONFLICT DO NOTHING RETURNING id), and scan reads each returned row.
// On PostgreSQL the rows are copied into a staging table and inserted
// from there by one INSERT … SELECT; on SQLite they go in multi-row
// INSERTs. Neither gives the returned rows back in a set order, so a row
// is best told by a value it carries, such as an id from NewIDs.
func (t *Tx) InsertReturning(ctx context.Context, table string, cols []string, rows [][]any, suffix string, scan func(*sql.Rows) error) error {
	if len(rows) == 0 {
		return nil
	}
	if t.dialect == Postgres {
		return t.stageInsert(ctx, table, cols, rows, suffix, scan)
	}
	return t.eachInsert(ctx, table, cols, rows, suffix, scan)
}

// stageInsert is InsertReturning on PostgreSQL.
func (t *Tx) stageInsert(ctx context.Context, table string, cols []string, rows [][]any, suffix string, scan func(*sql.Rows) error) error {
	list := strings.Join(cols, ", ")
	staging := table + "_in"
	// Dropped at commit; a second batch of the same transaction empties it.
	if _, err := t.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+staging+` ON COMMIT DROP AS
		SELECT `+list+` FROM `+table+` WITH NO DATA`); err != nil {
		return fmt.Errorf("stage %s: %w", table, err)
	}
	if _, err := t.Exec(ctx, `TRUNCATE `+staging); err != nil {
		return fmt.Errorf("stage %s: %w", table, err)
	}
	if err := t.copyRows(ctx, staging, cols, rows); err != nil {
		return err
	}
	if err := t.QueryEach(ctx, `INSERT INTO `+table+` (`+list+`) SELECT `+list+` FROM `+staging+suffix, nil, scan); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// eachInsert is InsertReturning on SQLite (and InsertRows): multi-row
// INSERT statements of up to maxRows rows, fewer when the parameters of
// a statement would run out first.
func (t *Tx) eachInsert(ctx context.Context, table string, cols []string, rows [][]any, suffix string, scan func(*sql.Rows) error) error {
	per := min(maxRows, max(1, maxParams/len(cols)))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(part)*len(cols))
		for _, r := range part {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ") + suffix
		if err := t.QueryEach(ctx, q, args, scan); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// QueryEach runs q and scans each row it returns. On SQLite q is not
// kept prepared (its size often changes with the rows, so it would serve
// once); on PostgreSQL pgx keeps it, as it keeps every statement.
func (t *Tx) QueryEach(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	return t.queryEach(ctx, q, args, scan, false)
}

// queryEach is QueryEach, keeping q prepared on SQLite too when keep is
// set: for statements of a few set sizes, such as QueryRows's.
func (t *Tx) queryEach(ctx context.Context, q string, args []any, scan func(*sql.Rows) error, keep bool) error {
	if t.dialect == SQLite {
		ctx = context.WithoutCancel(ctx) // see Exec
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	var rows *sql.Rows
	var err error
	if keep && t.dialect == SQLite {
		var st *sql.Stmt
		if st, err = t.stmt(ctx, q); err == nil {
			rows, err = st.QueryContext(ctx, args...)
		}
	} else {
		rows, err = t.tx.QueryContext(ctx, rebind(t.dialect, q), args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExecRows runs a statement over many rows in a few multi-row
// statements: head, then one (the placeholders of a row, such as
// "(?, ?)") once for each row, comma-separated, then tail. The rows go
// in runs of a few fixed lengths (rowRuns), so the statements take few
// distinct texts and stay prepared, as Exec's do. It returns the rows
// the statements changed, in total.
func (t *Tx) ExecRows(ctx context.Context, head, one, tail string, rows [][]any) (int64, error) {
	var changed int64
	for values, args := range rowStatements(t.dialect, one, rows) {
		res, err := t.Exec(ctx, head+values+tail, args...)
		if err != nil {
			return changed, err
		}
		c, err := res.RowsAffected()
		if err != nil {
			return changed, err
		}
		changed += c
	}
	return changed, nil
}

// QueryRows is ExecRows for a statement that returns rows (RETURNING):
// scan reads each row every statement returns.
func (t *Tx) QueryRows(ctx context.Context, head, one, tail string, rows [][]any, scan func(*sql.Rows) error) error {
	for values, args := range rowStatements(t.dialect, one, rows) {
		if err := t.queryEach(ctx, head+values+tail, args, scan, true); err != nil {
			return err
		}
	}
	return nil
}

// rowStatements cuts rows into runs (rowRun) and yields, for each run,
// one repeated once a row, comma-separated, and the run's arguments.
func rowStatements(d Dialect, one string, rows [][]any) iter.Seq2[string, []any] {
	return func(yield func(string, []any) bool) {
		for len(rows) > 0 {
			n := rowRun(d, len(rows))
			args := make([]any, 0, n*len(rows[0]))
			for _, r := range rows[:n] {
				args = append(args, r...)
			}
			if !yield(strings.TrimSuffix(strings.Repeat(one+", ", n), ", "), args) {
				return
			}
			rows = rows[n:]
		}
	}
}

// rowRuns are the lengths ExecRows cuts rows into, longest first, by
// dialect. On PostgreSQL, powers of two: any number of rows up to 255
// takes at most eight statements, each a round trip. SQLite, where a
// statement is none, keeps fewer texts prepared.
var rowRuns = map[Dialect][]int{
	Postgres: {128, 64, 32, 16, 8, 4, 2, 1},
	SQLite:   {128, 32, 8, 1},
}

// rowRun is the length of the next run of n rows left.
func rowRun(d Dialect, n int) int {
	for _, r := range rowRuns[d] {
		if n >= r {
			return r
		}
	}
	return n
}

// InsertMany writes rows into the columns cols of table, in order: COPY
// on PostgreSQL, as InsertRows, and on SQLite multi-row INSERTs through
// ExecRows, prepared once for every batch of rows to come.
func (t *Tx) InsertMany(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if t.dialect == Postgres {
		return t.copyRows(ctx, table, cols, rows)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	if _, err := t.ExecRows(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `, one, "", rows); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// copyRows is InsertRows on PostgreSQL: COPY, through the transaction's
// own connection, so the rows are part of it.
func (t *Tx) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if t.conn == nil {
		return fmt.Errorf("copy into %s: the transaction has no connection of its own", table)
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection", table)
		}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copy into %s: %d rows of %d", table, n, len(rows))
		}
		return nil
	})
}

// LockKeys is LockKey for many keys at once, in one statement, taken in
// the order given: callers that lock overlapping sets must give them in
// one order, as LockKey's callers take them, or wait for each other in a
// circle.
func (t *Tx) LockKeys(ctx context.Context, keys []string) error {
	if t.dialect != Postgres || len(keys) == 0 {
		return nil
	}
	_, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) WITH ORDINALITY AS t (k, i) ORDER BY i`, keys)
	if err != nil {
		return fmt.Errorf("lock %d keys: %w", len(keys), err)
	}
	return nil
}

// NewIDs reserves n ids of table for rows about to be inserted with
// their id given: rows can then be told apart by id whatever order an
// INSERT … RETURNING gives them back in (neither database promises one).
// On SQLite the transaction holds the only writer, so the ids after the
// largest are free until it ends; on PostgreSQL they come from the
// table's identity sequence.
func (t *Tx) NewIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if t.dialect == Postgres {
		err := t.QueryEach(ctx, `SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, CAST(? AS INTEGER))`,
			[]any{table, n}, func(r *sql.Rows) error {
				var id int64
				err := r.Scan(&id)
				ids = append(ids, id)
				return err
			})
		return ids, err
	}
	var last int64
	if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

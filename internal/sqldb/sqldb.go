// Package sqldb opens leadflow's database (embedded SQLite or PostgreSQL),
// applies the schema migrations, and hides the few dialect differences
// behind one small surface so domain packages write one SQL for both.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/mattn/go-sqlite3"
)

// Dialect names the SQL flavour a DB speaks.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is leadflow's database. On SQLite, writes go through a single
// connection so concurrent writers queue in Go instead of failing with
// "database is locked"; reads use a pool. On PostgreSQL both are one pool.
type DB struct {
	Dialect Dialect
	// R runs reads; W runs writes and transactions.
	R, W *Handle

	stopCheckpoints func() // SQLite: stops the background checkpoints
	waiting         atomic.Int64
	retried         atomic.Int64
	dsn             string // PostgreSQL: for a listener's own connection
	onCommit        atomic.Pointer[func([]string)]
	locks           sync.Map // SQLite: TryLock's mutexes, by name
}

// WritersWaiting is how many transactions are waiting to begin. On SQLite
// they wait for the one writer; a long job that batches its writes checks
// it to end its transaction early rather than keep them waiting.
func (db *DB) WritersWaiting() int64 { return db.waiting.Load() }

// Retried is how many transactions PostgreSQL aborted (see isRetryable)
// and InTx ran again: writers that take their locks in one order keep
// deadlocks out of it.
func (db *DB) Retried() int64 { return db.retried.Load() }

// Handle runs SQL written with ? placeholders on one pool.
type Handle struct {
	pool    *sql.DB
	dialect Dialect

	// prepared keeps statements across transactions (SQLite; see Tx for
	// PostgreSQL): a statement
	// prepared once on the pool is reused by every transaction on the
	// same connection (on SQLite, the one writer) instead of being parsed
	// again in each. A transaction cannot prepare on the pool while it
	// holds SQLite's only writer connection, so it notes the statements it
	// had to prepare for itself in wanted, and the next transaction
	// prepares them on the pool before it begins. Bounded, since some SQL
	// is built per call.
	mu       sync.Mutex
	prepared map[string]*sql.Stmt
	wanted   map[string]bool
}

// maxPrepared bounds the statements a Handle keeps.
const maxPrepared = 256

// shared returns the pool's prepared statement for query, noting it as
// wanted when there is none yet.
func (h *Handle) shared(query string) *sql.Stmt {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.prepared[query]; ok {
		return st
	}
	if len(h.prepared)+len(h.wanted) < maxPrepared {
		if h.wanted == nil {
			h.wanted = map[string]bool{}
		}
		h.wanted[query] = true
	}
	return nil
}

// prepareWanted prepares on the pool the statements transactions asked
// for; it runs outside any transaction. The lock is not held while
// preparing, which waits for the writer connection: the transaction
// holding that connection may need the lock to finish. A statement that
// fails to prepare is dropped: the transaction that uses it reports it.
func (h *Handle) prepareWanted(ctx context.Context) {
	h.mu.Lock()
	queries := make([]string, 0, len(h.wanted))
	for q := range h.wanted {
		queries = append(queries, q)
	}
	clear(h.wanted)
	h.mu.Unlock()
	for _, query := range queries {
		st, err := h.pool.PrepareContext(ctx, rebind(h.dialect, query))
		if err != nil {
			continue
		}
		h.mu.Lock()
		_, dup := h.prepared[query]
		if !dup {
			if h.prepared == nil {
				h.prepared = map[string]*sql.Stmt{}
			}
			h.prepared[query] = st
		}
		h.mu.Unlock()
		// Closed outside the lock: closing waits for every connection
		// the statement was prepared on, and one may be running a
		// transaction that waits on a row lock whose holder needs the
		// lock (in shared) to go on.
		if dup {
			st.Close()
		}
	}
}

// Options adjust how a database is opened.
type Options struct {
	// Durable makes every SQLite commit wait until it is on disk
	// (synchronous=FULL), so it survives a power cut or an operating
	// system crash too. By default (NORMAL, in WAL mode) a commit survives
	// the process crashing, but the last commits before a power cut may be
	// lost; the database stays consistent either way. PostgreSQL keeps its
	// own setting (synchronous_commit).
	Durable bool
}

// Open connects to dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is a SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) { return OpenWith(ctx, dsn, Options{}) }

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	var db *DB
	var err error
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn, o)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// IsPostgresURL reports whether dsn selects PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	h := &Handle{pool: pool, dialect: Postgres}
	return &DB{Dialect: Postgres, R: h, W: h, dsn: dsn}, nil
}

// sqliteDriver is SQLite with the pragmas the DSN cannot set.
const sqliteDriver = "sqlite3_leadflow"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// A statement that fires a trigger keeps a statement journal, to
		// undo itself alone on failure. On disk, that journal cost a file
		// write per lead inserted and made inserts four times slower.
		//
		// Checkpoints (copying the log into the database file, and an
		// fsync) run in the background (checkpoints below); a commit only
		// does one itself if the log outgrows 64 MB meanwhile.
		//
		// secure_delete overwrites deleted rows with zeros, so a person
		// erased (internal/privacy) is not left in free pages; it costs a
		// little write speed, since freed space is written once more.
		_, err := c.Exec(`PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384; PRAGMA secure_delete = ON`, nil)
		return err
	}})
}

func openSQLite(path string, o Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	// Pragmas live in the DSN so every pooled connection gets them.
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	if o.Durable {
		q.Set("_synchronous", "FULL")
	}
	q.Set("_txlock", "immediate")
	// 16 MB of page cache for the writer instead of SQLite's 2 MB: the
	// indexes a write touches at a million leads stop being re-read from
	// the OS for every entry. Readers keep 4 MB each: a page they miss is
	// in the OS's cache, a copy away, and eight of them at 16 MB were most
	// of the server's memory (BENCHMARKS.md, "Peak RSS").
	q.Set("_cache_size", "-16000")
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	q.Set("_cache_size", "-4000")
	r, err := sql.Open(sqliteDriver, "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{
		Dialect: SQLite,
		R:       &Handle{pool: r, dialect: SQLite},
		W:       &Handle{pool: w, dialect: SQLite},
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go db.checkpoints(ctx, done)
	db.stopCheckpoints = func() { stop(); <-done }
	return db, nil
}

// checkpointEvery is how often the log is copied into the database file.
const checkpointEvery = 500 * time.Millisecond

// checkpoints copies SQLite's write-ahead log into the database file in
// the background, so the writer's commits do not pay for it (web-to-lead
// intake from one client at a time measured 1,046 leads/s with a p99 of
// 10.5 ms when commits checkpointed, 1,337 and 1.9 ms without). PASSIVE
// never waits for readers or the writer; what it cannot copy now, it
// copies next time.
func (db *DB) checkpoints(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			db.R.pool.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.pool.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	// The write pool is pinged first so a new SQLite file exists before
	// the read-only pool opens it.
	if err := db.R.pool.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Analyze refreshes the statistics the query planner chooses indexes by,
// for tables. SQLite keeps none until asked (PostgreSQL's autovacuum keeps
// its own); without them it takes any index on an equality filter to be
// selective, and reads a few-valued filter's whole index instead of the
// one that gives a list its order. A sampled analysis (analysis_limit)
// was measured to mislead it, so the tables are read in full: about 2 s
// for a million leads.
func (db *DB) Analyze(ctx context.Context, tables ...string) error {
	if db.Dialect != SQLite {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `PRAGMA analysis_limit = 0`); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.tx.ExecContext(ctx, `ANALYZE `+t); err != nil {
				return err
			}
		}
		// ANALYZE loads the statistics into this connection only; the
		// others read them again when the schema changes, so a table
		// made and dropped here moves its version on. Without it the
		// read pool would plan every list with the statistics it opened
		// with, perhaps hours old.
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE statistics_changed (x INTEGER); DROP TABLE statistics_changed`)
		return err
	})
}

// Close releases both pools.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
	}
	for _, h := range []*Handle{db.W, db.R} {
		h.mu.Lock()
		for _, st := range h.prepared {
			st.Close()
		}
		h.prepared = nil
		h.mu.Unlock()
	}
	errW := db.W.pool.Close()
	if db.R != db.W {
		return errors.Join(errW, db.R.pool.Close())
	}
	return errW
}

// Exec runs a statement.
func (h *Handle) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return h.pool.ExecContext(ctx, rebind(h.dialect, query), args...)
}

// Query runs a query returning rows.
func (h *Handle) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return h.pool.QueryContext(ctx, rebind(h.dialect, query), args...)
}

// QueryRow runs a query returning at most one row.
func (h *Handle) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return h.pool.QueryRowContext(ctx, rebind(h.dialect, query), args...)
}

// InTx runs fn in a write transaction, committing when fn returns nil.
// A transaction PostgreSQL aborts as a deadlock victim or a serialization
// failure (see isRetryable) is run again, a few times: fn must only write
// through tx and set its results afresh on each run.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.inTx(ctx, fn)
		if err == nil || attempt == 4 || !isRetryable(err) || ctx.Err() != nil {
			return err
		}
		db.retried.Add(1)
	}
}

func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	db.waiting.Add(1)
	db.W.prepareWanted(ctx)
	var conn *sql.Conn
	var tx *sql.Tx
	var err error
	if db.Dialect == Postgres {
		// A connection of the transaction's own, for COPY (InsertRows).
		if conn, err = db.W.pool.Conn(ctx); err == nil {
			defer conn.Close()
			tx, err = conn.BeginTx(ctx, nil)
		}
	} else {
		tx, err = db.W.pool.BeginTx(ctx, nil)
	}
	db.waiting.Add(-1)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rolled back unless committed, on a panic in fn too: the connection's
	// Close, deferred before, would otherwise wait for the open transaction.
	defer tx.Rollback()
	t := &Tx{tx: tx, conn: conn, h: db.W, dialect: db.Dialect, stmts: map[string]*sql.Stmt{}}
	if err := fn(t); err != nil {
		if t.laterErr != nil && !errors.Is(err, t.laterErr) {
			// The queued writes failed first; what fn met since is its consequence.
			return errors.Join(t.laterErr, err)
		}
		return err
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.committed(t.touched)
	return nil
}

// isRetryable reports a PostgreSQL deadlock or serialization failure, or
// a statement pgx kept prepared whose table another instance's migration
// changed: pgx drops it on that error, so the transaction's next run
// prepares it afresh.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == "40P01" || pe.Code == "40001" ||
		pe.Code == "0A000" && strings.Contains(pe.Message, "cached plan must not change result type")
}

// Tx is a transaction that rebinds placeholders like Handle. On SQLite
// it keeps each statement it prepares until it ends, so a batch that runs
// the same SQL for thousands of rows parses it once. On PostgreSQL the
// driver does that itself: pgx prepares a statement the first time a
// connection runs it and keeps it (its statement cache), so each later
// run is one round trip. A prepared statement of database/sql would cost
// a round trip more to prepare on each connection, and once the pool's
// statements are all kept (maxPrepared), one to prepare and one to close
// in every transaction.
type Tx struct {
	tx       *sql.Tx
	conn     *sql.Conn // on PostgreSQL, the connection tx runs on
	h        *Handle
	dialect  Dialect
	stmts    map[string]*sql.Stmt
	touched  []string // topics this transaction changed; see Touch
	seen     map[string]bool
	later    []laterWrite // PostgreSQL: writes queued by Later
	laterErr error        // the failure of the queued writes, if any
}

// stmt returns the prepared statement for query: the pool's, bound to
// this transaction, or one prepared for the transaction alone when the
// pool keeps no more. The transaction closes its statements when it ends.
func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared := t.h.shared(query); shared != nil {
		st = t.tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, rebind(t.dialect, query)); err != nil {
			return nil, err
		}
	}
	t.stmts[query] = st
	return st, nil
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.dialect == Postgres {
		if err := t.flush(ctx); err != nil {
			return nil, err
		}
		return t.tx.ExecContext(ctx, rebind(t.dialect, query), args...)
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.dialect == SQLite {
		// The SQLite driver runs a statement whose context can be
		// cancelled on a goroutine of its own, to interrupt it: a hand-off
		// between threads for every row a transaction writes. One write of
		// a transaction takes microseconds and a failure rolls the whole
		// transaction back anyway, so it runs on the caller's thread.
		ctx = context.WithoutCancel(ctx)
	}
	return st.ExecContext(ctx, args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.dialect == Postgres {
		if err := t.flush(ctx); err != nil {
			return nil, err
		}
		return t.tx.QueryContext(ctx, rebind(t.dialect, query), args...)
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRow runs a single-row query in the transaction. A failure to
// prepare shows when the row is scanned, as database/sql does.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if t.dialect == SQLite {
		if st, err := t.stmt(ctx, query); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	// A failure of the queued writes aborted the transaction: the query
	// then fails, and the transaction reports that failure.
	_ = t.flush(ctx)
	return t.tx.QueryRowContext(ctx, rebind(t.dialect, query), args...)
}

// Querier is what both Handle and Tx offer, so store code can run inside
// or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// rebind turns ? placeholders into $1, $2... for PostgreSQL. leadflow's SQL
// never puts a literal ? inside a string, so a plain scan is enough.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either database.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Pools returns the connection pools' statistics, by name: "read" and
// "write" on SQLite, "shared" when both handles use one pool (PostgreSQL).
func (db *DB) Pools() map[string]sql.DBStats {
	if db.R.pool == db.W.pool {
		return map[string]sql.DBStats{"shared": db.W.pool.Stats()}
	}
	return map[string]sql.DBStats{"read": db.R.pool.Stats(), "write": db.W.pool.Stats()}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"leadflow/internal/clientip"
	"leadflow/internal/httplog"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/metrics"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// dsn is the database LEADFLOW_DATABASE_URL or dbPath names.
func (e environment) dsn(dbPath string) (string, error) {
	if u := e.getenv("LEADFLOW_DATABASE_URL"); u != "" {
		if !sqldb.IsPostgresURL(u) {
			return "", fmt.Errorf("LEADFLOW_DATABASE_URL must be a postgres:// URL, got %q", u)
		}
		return u, nil
	}
	return dbPath, nil
}

// dbOptions are the database options the environment sets:
// LEADFLOW_SQLITE_DURABLE=true waits for every SQLite commit to reach
// the disk.
func (e environment) dbOptions() sqldb.Options {
	return sqldb.Options{Durable: e.getenv("LEADFLOW_SQLITE_DURABLE") == "true"}
}

// openDBAt opens and migrates the database dsn names.
func (e environment) openDBAt(ctx context.Context, dsn string) (*sqldb.DB, error) {
	return e.openDBAtWith(ctx, dsn, e.dbOptions())
}

func (e environment) openDBAtWith(ctx context.Context, dsn string, o sqldb.Options) (*sqldb.DB, error) {
	db, err := sqldb.OpenWith(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, name := range applied {
		fmt.Fprintln(e.stderr, "applied migration", name)
	}
	return db, nil
}

// parseAndOpen parses args with fs plus a --db flag, then opens and
// migrates the database they select.
func (e environment) parseAndOpen(ctx context.Context, fs *flag.FlagSet, args []string, defaultPath string) (*sqldb.DB, error) {
	dbPath := fs.String("db", defaultPath, "SQLite database file (ignored when LEADFLOW_DATABASE_URL is set)")
	durable := fs.Bool("durable", e.dbOptions().Durable, "SQLite: every commit waits until it is on disk (default LEADFLOW_SQLITE_DURABLE)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	dsn, err := e.dsn(*dbPath)
	if err != nil {
		return nil, err
	}
	return e.openDBAtWith(ctx, dsn, sqldb.Options{Durable: *durable})
}

// serveOptions are the settings serve and demo share.
type serveOptions struct {
	jobs           bool
	decayEvery     time.Duration
	pairsMemory    int // MB
	trustedProxies string
	trusted        *clientip.Resolver // trustedProxies, parsed
	readTimeout    time.Duration
	logFormat      string
	logLevel       string
	log            *slog.Logger // from logFormat and logLevel
	metricsAddr    string
	metricsToken   string
}

func (e environment) serveFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{}
	fs.BoolVar(&o.jobs, "jobs", true, "run background jobs (imports, rescores, sweeps); false serves HTTP only")
	fs.DurationVar(&o.decayEvery, "decay-every", time.Hour, "how often every lead is rescored for decay, once across all instances")
	fs.IntVar(&o.pairsMemory, "pairs-memory", lead.DefaultPairsMemory>>20,
		"MB the weekly search for duplicate leads may hold in memory; beyond it, it works through temporary files")
	fs.DurationVar(&o.readTimeout, "read-timeout", time.Minute,
		"the longest a request, body included, may take to arrive (CSV uploads are exempt while they keep moving)")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", e.getenv("LEADFLOW_TRUSTED_PROXIES"),
		"comma-separated IPs or CIDR ranges of reverse proxies whose X-Forwarded-For / Forwarded name the client (default $LEADFLOW_TRUSTED_PROXIES; none)")
	fs.StringVar(&o.logFormat, "log-format", orDefault(e.getenv("LEADFLOW_LOG_FORMAT"), "text"), "log format: text or json (default $LEADFLOW_LOG_FORMAT, else text)")
	fs.StringVar(&o.logLevel, "log-level", orDefault(e.getenv("LEADFLOW_LOG_LEVEL"), "info"), "least important log lines written: debug, info, warn or error (default $LEADFLOW_LOG_LEVEL, else info)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", e.getenv("LEADFLOW_METRICS_ADDR"),
		"serve /metrics on this address of its own, such as 127.0.0.1:9090 (default $LEADFLOW_METRICS_ADDR; none)")
	o.metricsToken = e.getenv("LEADFLOW_METRICS_TOKEN")
	return o
}

// parse checks the options that need more than the flag package does.
func (o *serveOptions) parse(stderr io.Writer) error {
	var err error
	if o.pairsMemory <= 0 {
		return fmt.Errorf("--pairs-memory must be a positive number of MB, like 64; got %d", o.pairsMemory)
	}
	if o.readTimeout <= 0 {
		return fmt.Errorf("--read-timeout must be positive, like 1m; got %s", o.readTimeout)
	}
	if o.trusted, err = clientip.Parse(o.trustedProxies); err != nil {
		return err
	}
	if o.log, err = httplog.New(stderr, o.logFormat, o.logLevel); err != nil {
		return fmt.Errorf("--log-format, --log-level: %w", err)
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (e environment) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", ":8080", "address to listen on")
	opts := e.serveFlags(fs)
	db, err := e.parseAndOpen(ctx, fs, args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := opts.parse(e.stderr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	return e.listen(ctx, db, *opts, ln, nil)
}

// jobOptions reads the job runner's settings from the environment:
// LEADFLOW_JOB_LEASE is how long a job stays claimed by an instance that
// stopped renewing it (default 30 s).
func (e environment) jobOptions(log *slog.Logger) (job.Options, error) {
	o := job.Options{Log: log}
	if v := e.getenv("LEADFLOW_JOB_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond {
			return o, fmt.Errorf("LEADFLOW_JOB_LEASE must be a duration of at least 100ms, like 30s; got %q", v)
		}
		o.Lease = d
	}
	return o, nil
}

// Shutdown deadlines: requests under way get httpGrace to finish, then
// running jobs get jobsGrace before they are handed back to be run again
// (by another instance, or at the next start).
const (
	httpGrace = 10 * time.Second
	jobsGrace = 20 * time.Second
)

// listen serves on ln until ctx ends, then shuts down gracefully: it
// stops taking requests and jobs, waits for those under way, and only
// then returns, so the caller closes the database after them. ready, if
// set, runs once the server accepts connections.
func (e environment) listen(ctx context.Context, db *sqldb.DB, opts serveOptions, ln net.Listener, ready func(url string)) error {
	e.setMemoryLimit(int64(opts.pairsMemory) << 20)
	log := opts.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	jo, err := e.jobOptions(log)
	if err != nil {
		return err
	}
	url := "http://" + displayAddr(ln.Addr())
	mc, err := mail.FromEnv(e.getenv)
	if err != nil {
		return err
	}
	if mc.BaseURL == "" {
		mc.BaseURL = url
	}
	runner := job.NewRunner(db, jo)
	m := metrics.New(db)
	// ctx's end, at shutdown, also ends the live streams, which would
	// otherwise hold the shutdown up until their pages close.
	cfg := server.Config{DB: db, Log: log, SecureCookies: e.getenv("LEADFLOW_SECURE_COOKIES") == "true",
		TrustedProxies: opts.trusted, Jobs: runner, DecayEvery: opts.decayEvery, PairsMemory: int64(opts.pairsMemory) << 20, Mail: mc, Metrics: m, Background: ctx}
	if opts.metricsAddr == "" {
		cfg.MetricsToken = opts.metricsToken // else served only on the metrics address
	}
	h, err := server.New(cfg)
	if err != nil {
		return err
	}
	if opts.metricsAddr != "" {
		stop, err := e.serveMetrics(opts.metricsAddr, m.Handler(opts.metricsToken), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if opts.jobs {
		runner.Start()
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), jobsGrace)
		defer cancel()
		if err := runner.Stop(stop); err != nil {
			log.Warn("shutdown", "err", err)
		}
	}()
	// ReadTimeout bounds reading a request, body included, so a client
	// that sends a body slowly or never holds no connection for long; the
	// CSV upload lifts it for its own body and requires steady progress
	// instead (internal/web, keepReading), so large files still arrive
	// over slow links.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: opts.readTimeout,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	e.advise(ctx, db, log)
	fmt.Fprintf(e.stdout, "leadflow is listening on %s (database: %s)\n", url, db.Dialect)
	if !mc.Configured() {
		fmt.Fprintf(e.stdout, "email is off: set %s and %s to send confirmations, invitations and nurturing email\n", mail.EnvHost, mail.EnvFrom)
	}
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), httpGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves /metrics alone on addr, until stop.
func (e environment) serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	fmt.Fprintf(e.stdout, "metrics at http://%s/metrics\n", displayAddr(ln.Addr()))
	return func() { srv.Close() }, nil
}

// displayAddr makes a listener address clickable: an unspecified host
// becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

func (e environment) migrate(ctx context.Context, args []string) error {
	db, err := e.parseAndOpen(ctx, e.flags("migrate"), args, "leadflow.db")
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "database is up to date (%s)\n", db.Dialect)
	return nil
}

// advise prints the database settings that slow leadflow, once at start.
// Not being able to read them is no reason not to serve.
func (e environment) advise(ctx context.Context, db *sqldb.DB, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	advice, err := db.Advice(ctx)
	if err != nil {
		log.Warn("database settings", "err", err)
	}
	for _, a := range advice {
		fmt.Fprintln(e.stdout, a)
	}
}

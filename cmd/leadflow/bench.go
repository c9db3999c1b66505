package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"leadflow/internal/bench"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

func (e environment) bench(ctx context.Context, args []string) error {
	fs := e.flags("bench")
	quick := fs.Bool("quick", false, "a small data set that finishes in seconds (for CI)")
	leads := fs.Int("leads", 0, "leads to generate (default 1,000,000; 2,000 with --quick)")
	events := fs.Int("events", 0, "events to generate (default 10,000,000; 20,000 with --quick)")
	importRows := fs.Int("import", 0, "rows of the CSV import (default: as many as leads)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data")
	out := fs.String("out", "bench.json", "where to write the report as JSON")
	only := fs.String("only", "", "comma-separated steps to run after making the data set: "+strings.Join(bench.Steps, ", ")+" (default all)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	instances := fs.Int("instances", 1, "servers sharing the database, each with its own connection pool (PostgreSQL only)")
	keep := fs.Bool("keep", false, "keep the database afterwards (the SQLite file, or the PostgreSQL schema) and print where it is, to look into a figure")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cfg := bench.Full()
	if *quick {
		cfg = bench.Quick()
	}
	if *leads > 0 {
		cfg.Leads, cfg.ImportRows = *leads, *leads
	}
	if *events > 0 {
		cfg.Events = *events
	}
	if *importRows > 0 {
		cfg.ImportRows = *importRows
	}
	cfg.Seed = *seed
	if *only != "" {
		cfg.Only = map[string]bool{}
		for _, st := range strings.Split(*only, ",") {
			if st = strings.TrimSpace(st); !slices.Contains(bench.Steps, st) {
				return fmt.Errorf("--only: no step %q; the steps are %s", st, strings.Join(bench.Steps, ", "))
			}
			cfg.Only[st] = true
		}
	}
	dir, err := os.MkdirTemp("", "leadflow-bench-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	cfg.Dir = dir

	if *instances > 1 && e.getenv("LEADFLOW_DATABASE_URL") == "" {
		return fmt.Errorf("--instances needs PostgreSQL (LEADFLOW_DATABASE_URL): instances cannot share a SQLite file's writer")
	}
	db, dsn, cleanup, err := e.benchDB(ctx, dir, *keep)
	if err != nil {
		return err
	}
	defer cleanup()
	if *keep {
		defer fmt.Fprintf(e.stdout, "database kept: %s\n", dsn)
	}
	cfg.Instances = *instances
	cfg.Open = func(ctx context.Context) (*sqldb.DB, error) { return sqldb.Open(ctx, dsn) }
	bar := &stepBar{w: e}
	cfg.Progress = bar.show
	// The bench's server runs in this process: it gets a server's limit.
	e.setMemoryLimit(lead.DefaultPairsMemory)
	rep, err := bench.Run(ctx, db, cfg)
	bar.done()
	if err != nil {
		return err
	}
	rep.Table(e.stdout)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := rep.JSON(f); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nreport written to %s\n", *out)
	return nil
}

// benchDB opens a fresh database: a new SQLite file, or a new schema of
// the PostgreSQL database LEADFLOW_DATABASE_URL names, dropped afterwards
// unless kept.
func (e environment) benchDB(ctx context.Context, dir string, keep bool) (*sqldb.DB, string, func(), error) {
	url := e.getenv("LEADFLOW_DATABASE_URL")
	if url == "" {
		path := filepath.Join(dir, "bench.db")
		db, err := e.openDBAt(ctx, path)
		if err != nil {
			return nil, "", nil, err
		}
		return db, path, func() { db.Close() }, nil
	}
	admin, err := sqldb.Open(ctx, url)
	if err != nil {
		return nil, "", nil, err
	}
	schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if _, err := admin.W.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	dsn := url + sep + "search_path=" + schema
	db, err := e.openDBAt(ctx, dsn)
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	return db, dsn, func() {
		db.Close()
		if !keep {
			admin.W.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		}
		admin.Close()
	}, nil
}

// stepBar shows the step under way and its count on one line. Load
// workers report to it at once, so it locks.
type stepBar struct {
	mu    sync.Mutex
	w     environment
	step  string
	last  time.Time
	start time.Time
}

func (b *stepBar) show(step string, done, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if step != b.step {
		if b.step != "" {
			fmt.Fprintf(b.w.stderr, "\r%-40s done in %s%30s\n", b.step, time.Since(b.start).Round(time.Millisecond), "")
		}
		b.step, b.start = step, time.Now()
	}
	if time.Since(b.last) < 250*time.Millisecond {
		return
	}
	b.last = time.Now()
	rate := float64(done) / max(time.Since(b.start).Seconds(), 0.001)
	if total > 0 {
		fmt.Fprintf(b.w.stderr, "\r%-40s %3d%%  %d/%d  %.0f/s   ", step, done*100/total, done, total, rate)
	} else {
		fmt.Fprintf(b.w.stderr, "\r%-40s %d  %.0f/s   ", step, done, rate)
	}
}

func (b *stepBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.step != "" {
		fmt.Fprintf(b.w.stderr, "\r%-40s done in %s%30s\n", b.step, time.Since(b.start).Round(time.Millisecond), "")
	}
}

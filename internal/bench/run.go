package bench

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/imports"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/report"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// Config says what to measure and how much.
type Config struct {
	Leads, Events int             // the data set
	IntakeN       int             // submissions per concurrency level
	EventsAPI     int             // events sent through the API
	Queries       int             // list queries
	ImportRows    int             // rows of the CSV import
	Seed          uint64          // the data set's seed
	Only          map[string]bool // the steps to run (see Steps); empty runs them all
	Dir           string          // for the import file and uploads
	Progress      func(step string, done, total int)
	// Instances is how many servers share the database, each with its
	// own connection pool from Open, the load spread over them in turn
	// (PostgreSQL only); default 1.
	Instances int
	Open      func(context.Context) (*sqldb.DB, error)
}

// Steps are the measurements after the data set is made, by name.
var Steps = []string{"intake", "events", "rescore", "busy-list", "list", "kpi", "import"}

func (c Config) runs(step string) bool { return len(c.Only) == 0 || c.Only[step] }

// Quick is a size that finishes in seconds, to prove the tool works.
func Quick() Config {
	return Config{Leads: 2000, Events: 20000, IntakeN: 150, EventsAPI: 2000, Queries: 60, ImportRows: 2000, Seed: 1}
}

// Full is the size the targets are set at.
func Full() Config {
	return Config{Leads: 1_000_000, Events: 10_000_000, IntakeN: 3000, EventsAPI: 50000, Queries: 400, ImportRows: 1_000_000, Seed: 1}
}

// Measure is one figure of the report.
type Measure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	P50   float64 `json:"p50_ms,omitempty"`
	P95   float64 `json:"p95_ms,omitempty"`
	P99   float64 `json:"p99_ms,omitempty"`
	Note  string  `json:"note,omitempty"`
}

// Report is everything one run measured.
type Report struct {
	Database   string    `json:"database"`
	Instances  int       `json:"instances"`
	Leads      int       `json:"leads"`
	Events     int       `json:"events"`
	Started    time.Time `json:"started"`
	GoMaxProcs int       `json:"cpus"`
	Measures   []Measure `json:"measures"`
}

func (r *Report) add(m Measure) { r.Measures = append(r.Measures, m) }

func (c Config) progress(step string, done, total int) {
	if c.Progress != nil {
		c.Progress(step, done, total)
	}
}

// Run measures everything on db, which must be migrated and empty.
func Run(ctx context.Context, db *sqldb.DB, cfg Config) (Report, error) {
	rep := Report{Database: string(db.Dialect), Instances: max(cfg.Instances, 1), Leads: cfg.Leads, Events: cfg.Events, Started: time.Now().UTC(), GoMaxProcs: runtime.NumCPU()}
	d := Data{Seed: cfg.Seed, Now: time.Now()}

	start := time.Now()
	if err := d.InsertLeads(ctx, db, cfg.Leads, 5000, func(n int) { cfg.progress("raw lead insert", n, cfg.Leads) }); err != nil {
		return rep, err
	}
	raw := float64(cfg.Leads) / time.Since(start).Seconds()
	rep.add(Measure{Name: "raw batched lead insert", Value: raw, Unit: "leads/s", Note: "one transaction per 5,000 rows, straight through the driver"})
	start = time.Now()
	if err := d.InsertEvents(ctx, db, cfg.Events, cfg.Leads, 20000, func(n int) { cfg.progress("raw event insert", n, cfg.Events) }); err != nil {
		return rep, err
	}
	rep.add(Measure{Name: "raw batched event insert", Value: float64(cfg.Events) / time.Since(start).Seconds(), Unit: "events/s"})
	// A server refreshes SQLite's planner statistics when it starts (its
	// analyze job), and after every rescore; the job runner is not started
	// here, so the bench does the same, untimed.
	if err := db.Analyze(ctx, "leads"); err != nil {
		return rep, err
	}

	srv, err := startServers(ctx, db, cfg)
	if err != nil {
		return rep, err
	}
	defer srv.close()

	steps := []struct {
		name string
		run  func() error
	}{
		{"intake", func() error {
			for _, conc := range []int{1, 8, 64} {
				m, err := srv.intake(ctx, cfg.IntakeN, conc, cfg)
				if err != nil {
					return err
				}
				m.Note = fmt.Sprintf("%.0f%% of the raw insert rate", m.Value/raw*100)
				rep.add(m)
			}
			return nil
		}},
		{"events", func() error {
			if err := buildSums(ctx, db, cfg); err != nil {
				return err
			}
			return measured(&rep)(srv.events(ctx, cfg.EventsAPI, cfg.Leads, cfg))
		}},
		{"rescore", func() error {
			ms, err := rescores(ctx, db, cfg)
			for _, m := range ms {
				rep.add(m)
			}
			return err
		}},
		{"busy-list", func() error { return measured(&rep)(srv.listsDuringRescore(ctx, db, cfg)) }},
		{"list", func() error { return measured(&rep)(srv.lists(ctx, cfg.Queries, cfg)) }},
		{"kpi", func() error {
			// A server folds the count changes every minute; the job
			// runner is not started here, so fold once, as it would have.
			if _, err := report.NewService(db).Fold(ctx); err != nil {
				return err
			}
			return measured(&rep)(srv.kpis(ctx, cfg.Queries, cfg))
		}},
		{"import", func() error { return measured(&rep)(importCSV(ctx, db, d, cfg)) }},
	}
	for _, st := range steps {
		if !cfg.runs(st.name) {
			continue
		}
		if err := st.run(); err != nil {
			return rep, err
		}
	}
	rep.add(Measure{Name: "peak RSS of the process", Value: peakRSS(), Unit: "MB", Note: "server, generator and client share one process"})
	return rep, nil
}

// measured adds a step's measure to rep, unless the step failed.
func measured(rep *Report) func(Measure, error) error {
	return func(m Measure, err error) error {
		if err == nil {
			rep.add(m)
		}
		return err
	}
}

// buildSums gives every lead its behavioural sums, as the first hourly
// sweep after an upgrade does, unless most leads have them: the raw
// event insert writes events alone, and the events step measures the
// steady state, where an event updates its lead's sums.
func buildSums(ctx context.Context, db *sqldb.DB, cfg Config) error {
	var n int
	if err := db.R.QueryRow(ctx, `SELECT COUNT(*) FROM lead_score_sums`).Scan(&n); err != nil {
		return err
	}
	if n >= cfg.Leads/2 {
		return nil
	}
	_, err := lead.NewService(db).RescoreAll(ctx, "benchmark: sums", func(p lead.RescoreProgress) {
		cfg.progress("building the score sums", int(p.Done), int(p.Total))
	})
	if err != nil {
		return err
	}
	return db.Analyze(ctx, "leads") // as the sweep does: the leads have grades now
}

// rescores times full retroactive rescores of every lead after changes
// of the rules: of a behavioural rule's window (every lead's events are
// read and its sums rebuilt), then of explicit points and thresholds
// (scored from the stored sums, no event read), then with nothing
// changed (the hourly decay sweep).
func rescores(ctx context.Context, db *sqldb.DB, cfg Config) ([]Measure, error) {
	admin := access.Actor{Role: access.Admin}
	svc := lead.NewService(db)
	rules, err := svc.Rules().Current(ctx)
	if err != nil {
		return nil, err
	}
	r := rules.Rules
	var out []Measure
	for _, change := range []struct {
		name string
		edit func()
	}{
		{"full rescore, a behavioural rule's window changed", func() { r.Behaviour[0].WindowDays++ }},
		{"full rescore, explicit points and thresholds changed", func() { r.Explicit[0].Points += 5; r.Hot -= 5; r.Warm -= 5 }},
		{"full rescore, nothing changed (the hourly decay sweep)", func() {}},
	} {
		change.edit()
		if _, err := svc.Rules().Save(ctx, admin, r, "benchmark: "+change.name); err != nil {
			return out, err
		}
		start := time.Now()
		p, err := svc.RescoreAll(ctx, "benchmark", func(p lead.RescoreProgress) { cfg.progress(change.name, int(p.Done), int(p.Total)) })
		took := time.Since(start)
		if err == nil {
			err = db.Analyze(ctx, "leads") // as the rescore's job does
		}
		if err != nil {
			return out, err
		}
		out = append(out, Measure{Name: change.name, Value: took.Seconds(), Unit: "s",
			Note: fmt.Sprintf("%d leads, %d events, %d scores changed, %.0f leads/s", p.Done, cfg.Events+cfg.EventsAPI, p.Changed, float64(p.Done)/took.Seconds())})
	}
	return out, nil
}

// running is the real servers on loopback with an admin's API token.
type running struct {
	bases []string
	token string
	srvs  []*http.Server
	dbs   []*sqldb.DB // the extra instances' pools
	cli   *http.Client
	email atomic.Int64
	turn  atomic.Int64
}

// startServers starts cfg.Instances servers on db's database; each
// instance but the first has a pool of its own, as a separate process
// would.
func startServers(ctx context.Context, db *sqldb.DB, cfg Config) (*running, error) {
	users := user.NewService(db)
	if _, err := users.Create(ctx, access.System, user.Input{Email: "bench@leadflow.test", Password: "bench password", Role: access.Admin}); err != nil {
		return nil, err
	}
	token, err := users.CreateToken(ctx, access.System, "bench@leadflow.test", "bench")
	if err != nil {
		return nil, err
	}
	r := &running{token: token, cli: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	for i := range max(cfg.Instances, 1) {
		idb := db
		if i > 0 {
			if idb, err = cfg.Open(ctx); err != nil {
				r.close()
				return nil, err
			}
			r.dbs = append(r.dbs, idb)
		}
		if err := r.serve(idb); err != nil {
			r.close()
			return nil, err
		}
	}
	status, body, err := r.do(ctx, "POST", "/api/v1/forms", `{"slug":"bench","name":"Bench","fields":[{"name":"email"},{"name":"first_name"},{"name":"company"},{"name":"country"}]}`)
	if err != nil || status != 201 {
		return nil, fmt.Errorf("bench: create form: %d %s %v", status, body, err)
	}
	return r, nil
}

// serve starts one instance on db.
func (r *running) serve(db *sqldb.DB) error {
	// The job runner is never started: a decay sweep or planner refresh
	// in the background would blur the figures of the steps measured.
	h, err := server.New(server.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicPerMinute: 100_000_000, PublicBurst: 1_000_000, Jobs: job.NewRunner(db, job.Options{})})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	r.bases = append(r.bases, "http://"+ln.Addr().String())
	r.srvs = append(r.srvs, srv)
	return nil
}

func (r *running) close() {
	for _, s := range r.srvs {
		s.Close()
	}
	for _, db := range r.dbs {
		db.Close()
	}
}

// do sends a request to the next instance in turn.
func (r *running) do(ctx context.Context, method, path, body string) (int, []byte, error) {
	base := r.bases[int(r.turn.Add(1))%len(r.bases)]
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.cli.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// load runs n calls of one at concurrency conc and returns the rate and
// latency percentiles.
func load(ctx context.Context, n, conc int, one func(i int) error) (rate float64, lat []time.Duration, err error) {
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	lat = make([]time.Duration, 0, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := one(i)
				d := time.Since(t)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), lat, firstErr
}

func percentiles(lat []time.Duration) (p50, p95, p99 float64) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	return at(0.50), at(0.95), at(0.99)
}

// intake posts n new leads to the public form at concurrency conc.
func (r *running) intake(ctx context.Context, n, conc int, cfg Config) (Measure, error) {
	var sent atomic.Int64 // this step's count; the email counter runs across steps
	rate, lat, err := load(ctx, n, conc, func(int) error {
		i := r.email.Add(1)
		body := fmt.Sprintf(`{"email":"intake%d@bench.example","first_name":"In%d","company":"Intake %d","country":"DE"}`, i, i, i%97)
		status, b, err := r.do(ctx, "POST", "/f/bench", body)
		if err == nil && status != 200 {
			err = fmt.Errorf("intake: %d %s", status, b)
		}
		cfg.progress(fmt.Sprintf("HTTP intake, concurrency %d", conc), int(sent.Add(1)), n)
		return err
	})
	p50, p95, p99 := percentiles(lat)
	return Measure{Name: fmt.Sprintf("HTTP web-to-lead intake, concurrency %d", conc), Value: rate, Unit: "leads/s", P50: p50, P95: p95, P99: p99}, err
}

// events sends n events through the API in batches of 100, 8 at a time.
func (r *running) events(ctx context.Context, n, leads int, cfg Config) (Measure, error) {
	const batch = 100
	calls := (n + batch - 1) / batch
	rng := rand.New(rand.NewPCG(7, 7))
	bodies := make([]string, calls)
	for c := range bodies {
		var b strings.Builder
		b.WriteString(`{"events":[`)
		for i := 0; i < batch; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"lead_id":%d,"type":"%s","url":"https://www.example.com/p"}`, 1+rng.IntN(leads), eventTypes[rng.IntN(len(eventTypes))])
		}
		b.WriteString("]}")
		bodies[c] = b.String()
	}
	var sent atomic.Int64
	rate, lat, err := load(ctx, calls, 8, func(i int) error {
		status, b, err := r.do(ctx, "POST", "/api/v1/events", bodies[i])
		if err == nil && status != 201 {
			err = fmt.Errorf("events: %d %s", status, b)
		}
		cfg.progress("events through the API", int(sent.Add(batch)), n)
		return err
	})
	p50, p95, p99 := percentiles(lat)
	return Measure{Name: "event ingestion through the API, scores updated", Value: rate * batch, Unit: "events/s",
		P50: p50, P95: p95, P99: p99, Note: "batches of 100, 8 clients; latency per batch"}, err
}

// listQueries are the filters people use most, in turn.
var listQueries = []string{
	"?stage=mql", "?grade=hot", "?min_score=50&sort=-score", "?country=DE&sort=company", "?q=person12",
	"?stage=lead,sql&country=RO,IT", "?source=web&sort=-created_at", "?grade=warm&country=US&sort=-score",
}

// list asks for the i-th of listQueries (in turn) and says how long the
// answer took.
func (r *running) list(ctx context.Context, i int) (time.Duration, error) {
	start := time.Now()
	status, b, err := r.do(ctx, "GET", "/api/v1/leads"+listQueries[i%len(listQueries)]+"&limit=50", "")
	if err == nil && status != 200 {
		err = fmt.Errorf("list: %d %s", status, b)
	}
	return time.Since(start), err
}

func (r *running) lists(ctx context.Context, n int, cfg Config) (Measure, error) {
	var t listTimes
	_, _, err := load(ctx, n, 4, func(i int) error {
		took, err := r.list(ctx, i)
		t.add(i, took)
		cfg.progress("lead list queries", i+1, n)
		return err
	})
	p50, p95, p99 := percentiles(t.all)
	return Measure{Name: "filtered lead list (API, 50 a page)", Value: p95, Unit: "ms p95", P50: p50, P95: p95, P99: p99,
		Note: "p95 ms of each: " + t.each(0.95)}, err
}

// listTimes keeps how long the list's answers took, all together and by
// query; answer i is to listQueries[i%len(listQueries)].
type listTimes struct {
	mu  sync.Mutex
	all []time.Duration
	byQ [][]time.Duration
}

func (t *listTimes) add(i int, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byQ == nil {
		t.byQ = make([][]time.Duration, len(listQueries))
	}
	t.all = append(t.all, took)
	t.byQ[i%len(listQueries)] = append(t.byQ[i%len(listQueries)], took)
}

// each gives the q-th quantile of each query's answers, in ms.
func (t *listTimes) each(q float64) string {
	var out []string
	for k, l := range t.byQ {
		slices.Sort(l)
		v := 0.0
		if len(l) > 0 {
			v = float64(l[int(q*float64(len(l)-1))].Microseconds()) / 1000
		}
		out = append(out, fmt.Sprintf("%s %.0f", listQueries[k], v))
	}
	return strings.Join(out, ", ")
}

// listsDuringRescore asks for the lead list with 4 clients, as the list
// step does, for as long as a full rescore after a change of explicit
// points runs (the rescore that writes most): reads must stay served
// while a rescore writes.
func (r *running) listsDuringRescore(ctx context.Context, db *sqldb.DB, cfg Config) (Measure, error) {
	if err := buildSums(ctx, db, cfg); err != nil {
		return Measure{}, err
	}
	svc := lead.NewService(db)
	rules, err := svc.Rules().Current(ctx)
	if err != nil {
		return Measure{}, err
	}
	rs := rules.Rules
	rs.Explicit[0].Points++
	if _, err := svc.Rules().Save(ctx, access.Actor{Role: access.Admin}, rs, "benchmark: the list during a rescore"); err != nil {
		return Measure{}, err
	}
	listCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		t       listTimes
		mu      sync.Mutex
		listErr error
		wg      sync.WaitGroup
		next    atomic.Int64
	)
	for range 4 {
		wg.Go(func() {
			for listCtx.Err() == nil {
				i := int(next.Add(1))
				took, err := r.list(listCtx, i)
				if listCtx.Err() != nil {
					return // an answer cut short by the end is not a figure
				}
				t.add(i, took)
				if err != nil {
					mu.Lock()
					listErr = cmp.Or(listErr, err)
					mu.Unlock()
				}
			}
		})
	}
	start := time.Now()
	p, err := svc.RescoreAll(ctx, "benchmark", func(p lead.RescoreProgress) {
		cfg.progress("the list during a rescore", int(p.Done), int(p.Total))
	})
	took := time.Since(start)
	stop()
	wg.Wait()
	if err == nil {
		err = listErr
	}
	if err == nil {
		err = db.Analyze(ctx, "leads") // as the rescore's job does, for the steps after
	}
	p50, p95, p99 := percentiles(t.all)
	return Measure{Name: "lead list while a full rescore runs", Value: p99, Unit: "ms p99", P50: p50, P95: p95, P99: p99,
		Note: fmt.Sprintf("%d queries by 4 clients during a rescore after a change of explicit points: %.1f s, %d scores changed; p99 ms of each: %s",
			len(t.all), took.Seconds(), p.Changed, t.each(0.99))}, err
}

// kpiQueries are the dashboard's periods, in turn.
var kpiQueries = []string{"?period=30d", "?period=365d", "?period=90d", "?period=ytd", "?period=7d"}

// kpis asks for the KPI dashboard's figures n times, 4 clients at a time.
func (r *running) kpis(ctx context.Context, n int, cfg Config) (Measure, error) {
	_, lat, err := load(ctx, n, 4, func(i int) error {
		status, b, err := r.do(ctx, "GET", "/api/v1/kpis"+kpiQueries[i%len(kpiQueries)], "")
		if err == nil && status != 200 {
			err = fmt.Errorf("kpis: %d %s", status, b)
		}
		cfg.progress("KPI dashboard", i+1, n)
		return err
	})
	p50, p95, p99 := percentiles(lat)
	return Measure{Name: "KPI dashboard (API)", Value: p95, Unit: "ms p95", P50: p50, P95: p95, P99: p99,
		Note: strings.Join(kpiQueries, " ") + ": leads, stages, won revenue and spend by channel, leads a day"}, err
}

func importCSV(ctx context.Context, db *sqldb.DB, d Data, cfg Config) (Measure, error) {
	path := filepath.Join(cfg.Dir, "bench-import.csv")
	f, err := os.Create(path)
	if err != nil {
		return Measure{}, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = d.CSV(w, cfg.ImportRows)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Measure{}, err
	}
	defer os.Remove(path)
	leads := lead.NewService(db)
	svc := imports.NewService(db, leads)
	// The data set's leads were inserted raw, without identity keys: they
	// are keyed and paired first, untimed, as a database in use has them.
	if _, err := leads.RefreshPairs(ctx); err != nil {
		return Measure{}, err
	}
	start := time.Now()
	im, err := svc.Create(ctx, access.System, "bench-import.csv", path)
	if err != nil {
		return Measure{}, err
	}
	if _, err := svc.Start(ctx, access.System, im.ID, im.Mapping); err != nil {
		return Measure{}, err
	}
	if err := svc.Run(ctx, im.ID, func(im imports.Import) { cfg.progress("CSV import", int(im.RowsDone), cfg.ImportRows) }); err != nil {
		return Measure{}, err
	}
	took := time.Since(start)
	// Then the pairs job the import queued, as a server runs it next:
	// until it ends the new leads' look-alikes are not in the queue.
	pairsStart := time.Now()
	if err := leads.RunPairsJob(ctx, job.Job{}); err != nil {
		return Measure{}, err
	}
	pairs := time.Since(pairsStart)
	return Measure{Name: "CSV import", Value: took.Seconds(), Unit: "s",
		Note: fmt.Sprintf("%d rows, %.0f rows/s, validation, de-duplication, scoring and timeline included; then %.1f s for their probable duplicates (identity.pairs job)",
			cfg.ImportRows, float64(cfg.ImportRows)/took.Seconds(), pairs.Seconds())}, nil
}

// peakRSS reads the process's high-water resident memory, in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// Table writes the report for people.
func (r Report) Table(w io.Writer) {
	fmt.Fprintf(w, "leadflow bench: %s, %d instance(s), %d leads, %d events, %d CPUs\n\n", r.Database, r.Instances, r.Leads, r.Events, r.GoMaxProcs)
	fmt.Fprintf(w, "%-52s %14s  %-9s %9s %9s %9s  %s\n", "measure", "value", "unit", "p50 ms", "p95 ms", "p99 ms", "note")
	for _, m := range r.Measures {
		val := "-"
		if m.Value != 0 {
			val = strconv.FormatFloat(m.Value, 'f', 1, 64)
		}
		pct := func(f float64) string {
			if f == 0 {
				return ""
			}
			return strconv.FormatFloat(f, 'f', 1, 64)
		}
		fmt.Fprintf(w, "%-52s %14s  %-9s %9s %9s %9s  %s\n", m.Name, val, m.Unit, pct(m.P50), pct(m.P95), pct(m.P99), m.Note)
	}
}

// JSON writes the report for programs.
func (r Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

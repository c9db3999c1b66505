// Package metrics exposes leadflow's figures in the Prometheus format:
// HTTP requests by route and status with their latency, intake accepted
// and refused, background jobs by kind and state, the database pools,
// the progress of imports and rescores, and webhooks and their messages.
//
// Request figures are this instance's (each instance is scraped); the
// jobs, imports and rescores are read from the database at each scrape,
// so every instance reports the same, whole-cluster values.
package metrics

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"leadflow/internal/sqldb"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	intake   *prometheus.CounterVec
}

// New returns the metrics of a server on db, with Go's runtime and the
// process's figures.
func New(db *sqldb.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "leadflow_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code."}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "leadflow_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route", "method"})
	m.intake = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "leadflow_intake_requests_total",
		Help: "Intake requests by channel (form, tracking, api_lead, api_events) and outcome (accepted, refused, limited, failed)."},
		[]string{"channel", "outcome"})
	m.reg.MustRegister(m.requests, m.duration, m.intake,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&dbCollector{db: db})
	return m
}

// intakeChannels names the requests that bring leads and events in.
var intakeChannels = map[string]string{
	"POST /f/{slug}":      "form",
	"POST /t/collect":     "tracking",
	"POST /api/v1/leads":  "api_lead",
	"POST /api/v1/events": "api_events",
}

// Observe counts one answered request. route is the pattern that served
// it ("" when none did).
func (m *Metrics) Observe(r *http.Request, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "none"
	}
	// A pattern with no method ("/f/") matches any: the method is its
	// own label. Unknown methods are one value, to bound the series.
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
	channel := intakeChannels[route]
	if channel == "" && r.Method == http.MethodPost {
		switch {
		case strings.HasPrefix(r.URL.Path, "/f/") && strings.Count(r.URL.Path, "/") == 2:
			channel = "form"
		case r.URL.Path == "/t/collect":
			channel = "tracking"
		}
	}
	if channel != "" {
		m.intake.WithLabelValues(channel, outcome(status)).Inc()
	}
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "accepted"
	case status == http.StatusTooManyRequests:
		return "limited"
	case status < 500:
		return "refused"
	}
	return "failed"
}

// Handler serves the metrics. With a token, only a request bearing it
// (Authorization: Bearer) is answered; without one, only callers that
// reach the address it is served on, which must then be a private one.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="leadflow metrics"`)
				http.Error(w, "send the metrics token as Authorization: Bearer <token>", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// dbCollector reads, at each scrape, what the database knows: the jobs
// by kind and state, imports and rescores under way, and the pools.
type dbCollector struct{ db *sqldb.DB }

var (
	jobsDesc = prometheus.NewDesc("leadflow_jobs", "Background jobs by kind and state (available, running, failed, done; finished ones are purged after 7 days).",
		[]string{"kind", "state"}, nil)
	importDesc = prometheus.NewDesc("leadflow_import_progress_ratio", "Share of each running import's file read (0 to 1).",
		[]string{"import"}, nil)
	rescoreDesc = prometheus.NewDesc("leadflow_rescore_progress_ratio", "Share of each running rescore's leads done (0 to 1).",
		[]string{"rescore"}, nil)
	poolOpen       = prometheus.NewDesc("leadflow_db_connections", "Database connections by pool and state (in_use, idle).", []string{"pool", "state"}, nil)
	poolMax        = prometheus.NewDesc("leadflow_db_connections_max", "The pool's limit of open connections (0: none).", []string{"pool"}, nil)
	poolWaits      = prometheus.NewDesc("leadflow_db_waits_total", "Times a query waited for a free connection.", []string{"pool"}, nil)
	poolWait       = prometheus.NewDesc("leadflow_db_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
	hooksDesc      = prometheus.NewDesc("leadflow_webhooks", "Webhook subscriptions by state (active, disabled).", []string{"state"}, nil)
	deliveriesDesc = prometheus.NewDesc("leadflow_webhook_deliveries", "Webhook messages in the delivery log (30 days) by status (pending, delivered, failed, skipped).",
		[]string{"status"}, nil)
	scrapeErr = prometheus.NewDesc("leadflow_metrics_db_errors", "1 when this scrape could not read the database.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{jobsDesc, importDesc, rescoreDesc, hooksDesc, deliveriesDesc, poolOpen, poolMax, poolWaits, poolWait, scrapeErr} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.db.Pools() {
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.InUse), name, "in_use")
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.Idle), name, "idle")
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	if err := c.collectRows(ctx, ch); err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeErr, prometheus.GaugeValue, failed)
}

func (c *dbCollector) collectRows(ctx context.Context, ch chan<- prometheus.Metric) error {
	queries := []struct {
		desc *prometheus.Desc
		sql  string
	}{
		{jobsDesc, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state`},
		{importDesc, `SELECT CAST(id AS TEXT), '', CASE WHEN total_bytes > 0 THEN CAST(done_bytes AS REAL) / total_bytes ELSE 0 END
			FROM imports WHERE status = 'running'`},
		{rescoreDesc, `SELECT CAST(id AS TEXT), '', CASE WHEN total > 0 THEN CAST(done AS REAL) / total ELSE 0 END
			FROM rescores WHERE status = 'running'`},
		{hooksDesc, `SELECT CASE WHEN disabled_at IS NULL THEN 'active' ELSE 'disabled' END, '', COUNT(*) FROM webhooks
			GROUP BY CASE WHEN disabled_at IS NULL THEN 'active' ELSE 'disabled' END`},
		{deliveriesDesc, `SELECT status, '', COUNT(*) FROM webhook_deliveries GROUP BY status`},
	}
	for _, q := range queries {
		rows, err := c.db.R.Query(ctx, q.sql)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a, b string
			var v float64
			if err := rows.Scan(&a, &b, &v); err != nil {
				rows.Close()
				return err
			}
			labels := []string{a}
			if q.desc == jobsDesc {
				labels = append(labels, b)
			}
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, v, labels...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"leadflow/internal/dbtest"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// scrape reads /metrics with token and returns each family's samples as
// "name{labels}" → value.
func scrape(t *testing.T, base, token string) (int, map[string]float64) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	out := map[string]float64{}
	for name, fam := range families {
		for _, m := range fam.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return http.StatusOK, out
}

// TestMetrics: /metrics answers only with the token; after a lead is
// created through the API, a form submission accepted and one refused,
// it counts the requests by route pattern and status with their latency,
// the intake by channel and outcome, the jobs by kind and state, and the
// database pools. Without a token set, /metrics is not served.
func TestMetrics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixtureWith(t, db, server.Config{MetricsToken: "scrape-secret"})
		if status, _ := scrape(t, f.srv.URL, ""); status != http.StatusUnauthorized {
			t.Errorf("no token: %d", status)
		}
		if status, _ := scrape(t, f.srv.URL, "guess"); status != http.StatusUnauthorized {
			t.Errorf("a wrong token: %d", status)
		}
		if status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"metered@lead.example"}`); status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
		f.call(t, "admin", "GET", "/api/v1/leads/999999", "")
		createForm(t, f, `{"slug":"metered","name":"Metered","fields":[{"name":"email"}]}`)
		post(t, f.srv.URL, "/f/metered", "application/json", `{"email":"ok@lead.example"}`)
		post(t, f.srv.URL, "/f/metered", "application/json", `{"email":"not an address"}`)

		if status, h := f.call(t, "admin", "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.invalid/","events":["import.finished"]}`); status != http.StatusCreated {
			t.Fatalf("webhook: %d %v", status, h)
		}
		status, m := scrape(t, f.srv.URL, "scrape-secret")
		if status != http.StatusOK {
			t.Fatalf("with the token: %d", status)
		}
		for key, want := range map[string]float64{
			`leadflow_http_requests_total{code=201,method=POST,route=POST /api/v1/leads}`:          1,
			`leadflow_http_requests_total{code=404,method=GET,route=GET /api/v1/leads/{id}}`:       1,
			`leadflow_http_request_duration_seconds{method=GET,route=GET /api/v1/leads/{id}}count`: 1,
			`leadflow_intake_requests_total{channel=api_lead,outcome=accepted}`:                    1,
			`leadflow_intake_requests_total{channel=form,outcome=accepted}`:                        1,
			`leadflow_intake_requests_total{channel=form,outcome=refused}`:                         1,
			`leadflow_webhooks{state=active}`:                                                      1,
			`leadflow_metrics_db_errors{}`:                                                         0,
		} {
			if got, ok := m[key]; !ok || got != want {
				t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
			}
		}
		jobs, pools := 0, 0
		for k := range m {
			if strings.HasPrefix(k, "leadflow_jobs{kind=") && strings.Contains(k, "state=") {
				jobs++
			}
			if strings.HasPrefix(k, "leadflow_db_connections{pool=") {
				pools++
			}
		}
		if jobs == 0 || pools < 2 {
			t.Errorf("%d job series and %d pool series", jobs, pools)
		}
		if _, ok := m[`go_goroutines{}`]; !ok {
			t.Error("no Go runtime metrics")
		}

		h, err := server.New(server.Config{DB: db, Background: t.Context(), Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		plain := httptest.NewServer(h)
		defer plain.Close()
		if status, _ := scrape(t, plain.URL, "scrape-secret"); status == http.StatusOK {
			t.Error("/metrics served with no token configured")
		}
	})
}

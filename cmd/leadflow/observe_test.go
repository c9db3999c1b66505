package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeMetricsAndJSONLogs: serve with --metrics-addr answers
// /metrics on that address alone (with the token when one is set), not
// on the main one; --log-format json writes one JSON object a line with
// the request id the answer carried; a log format it does not know is
// refused by name.
func TestServeMetricsAndJSONLogs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leadflow.db")
	env := map[string]string{"LEADFLOW_METRICS_TOKEN": "s3cret", "LEADFLOW_LOG_FORMAT": "json"}
	if _, err := cli(t, env, "serve", "--db", db, "--log-format", "yaml"); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("an unknown log format: %v", err)
	}
	var errOut syncBuffer
	base, out := startWithStderr(t, env, &errOut, "serve", "--db", db, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`metrics at (http://\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no metrics address printed:\n%s", out.String())
	}
	get := func(url, token string) (int, string, http.Header) {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	_, _, h := get(base+"/login", "")
	if status, body, _ := get(m[1], "s3cret"); status != 200 || !strings.Contains(body, `leadflow_http_requests_total{code="200",method="GET",route="GET /login"} 1`) {
		t.Errorf("metrics address: %d\n%.2000s", status, body)
	}
	if status, _, _ := get(m[1], ""); status != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d", status)
	}
	if status, body, _ := get(base+"/metrics", "s3cret"); status == 200 && strings.Contains(body, "leadflow_http_requests_total") {
		t.Error("/metrics is served on the main address too")
	}
	id := h.Get("X-Request-Id")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errOut.String(), `"request_id":"`+id+`"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(errOut.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if l["request_id"] == id && l["msg"] == "http" && l["route"] == "GET /login" && l["status"] == float64(200) {
			found = true
		}
	}
	if id == "" || !found {
		t.Errorf("no JSON request line for %q:\n%s", id, errOut.String())
	}
}

// TestTokenCreateWithScopeAndExpiry: the command line makes a read-only
// token that reads but may not write, refuses an admin token for a
// sales user and a lifetime it cannot read, and a token whose lifetime
// ran out is refused.
func TestTokenCreateWithScopeAndExpiry(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leadflow.db")
	env := map[string]string{}
	for _, u := range [][]string{{"boss@acme.io", "admin"}, {"sal@acme.io", "sales"}} {
		if _, err := cli(t, env, "user", "create", "--db", db, "--email", u[0], "--password", "a long passphrase", "--role", u[1]); err != nil {
			t.Fatal(err)
		}
	}
	last := func(out string) string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	out, err := cli(t, env, "token", "create", "--db", db, "--user", "boss@acme.io", "--name", "dashboards", "--scope", "read-only", "--expires", "30d")
	if err != nil {
		t.Fatal(err)
	}
	readOnly := last(out)
	if _, err := cli(t, env, "token", "create", "--db", db, "--user", "sal@acme.io", "--scope", "admin"); err == nil || !strings.Contains(err.Error(), "scope") {
		t.Errorf("an admin token for a sales user: %v", err)
	}
	if _, err := cli(t, env, "token", "create", "--db", db, "--user", "sal@acme.io", "--expires", "soon"); err == nil || !strings.Contains(err.Error(), "--expires") {
		t.Errorf("an unreadable lifetime: %v", err)
	}
	out, err = cli(t, env, "token", "create", "--db", db, "--user", "sal@acme.io", "--expires", "1ms")
	if err != nil {
		t.Fatal(err)
	}
	expired := last(out)
	base, _ := start(t, env, "serve", "--db", db, "--addr", "127.0.0.1:0")
	call := func(token, method, path, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(readOnly, "GET", "/api/v1/leads", ""); got != 200 {
		t.Errorf("read-only token reading: %d", got)
	}
	if got := call(readOnly, "POST", "/api/v1/leads", `{"email":"x@acme.io"}`); got != 403 {
		t.Errorf("read-only token writing: %d", got)
	}
	if got := call(expired, "GET", "/api/v1/leads", ""); got != 401 {
		t.Errorf("expired token: %d", got)
	}
}

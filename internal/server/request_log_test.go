package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/httplog"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// logLines decodes a JSON log, one object a line.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestRequestLog: with the JSON log, each request gets an id, returned
// as X-Request-Id (a proxy's plain one is kept, anything else replaced),
// and its line names the route pattern, the status and the signed-in
// user. When the database fails under a page and an API call, the user
// sees the request id on the 500 page and in the JSON error, and the log
// holds exactly one error line for each, carrying the same id.
func TestRequestLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var out lockedBuffer
		log, err := httplog.New(&out, "json", "info")
		if err != nil {
			t.Fatal(err)
		}
		f := newFixtureWith(t, db, server.Config{})
		h, err := server.New(server.Config{DB: db, Background: t.Context(), Log: log})
		if err != nil {
			t.Fatal(err)
		}
		f.srv.Config.Handler = h

		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/leads/42", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		req.Header.Set("X-Request-Id", "proxy-7f3a.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got != "proxy-7f3a.1" {
			t.Errorf("X-Request-Id %q, want the proxy's kept", got)
		}
		req.Header.Set("X-Request-Id", "forged\" level=ERROR")
		resp, _ = http.DefaultClient.Do(req)
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, "forged") {
			t.Errorf("X-Request-Id %q, want a new one instead of the forged", got)
		}

		var admin float64
		db.R.QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'admin@example.com'`).Scan(&admin)
		var line map[string]any
		for _, l := range logLines(t, out.String()) {
			if l["request_id"] == "proxy-7f3a.1" {
				line = l
			}
		}
		if line == nil || line["msg"] != "http" || line["route"] != "GET /api/v1/leads/{id}" || line["status"] != float64(404) ||
			line["user_id"] != admin || line["path"] != "/api/v1/leads/42" {
			t.Errorf("request line %v, want route, status 404 and user %v", line, admin)
		}

		// The audit log's table is gone: its page and API answer 500.
		if _, err := db.W.Exec(context.Background(), `ALTER TABLE audit_log RENAME TO audit_log_gone`); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("admin@example.com")
		req, _ = http.NewRequest("GET", f.srv.URL+"/audit", nil)
		resp, err = b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page := readBody(t, resp)
		pageID := resp.Header.Get("X-Request-Id")
		if resp.StatusCode != 500 || pageID == "" || !strings.Contains(page, "request id <code>"+pageID+"</code>") {
			t.Errorf("500 page: %d %q\n%s", resp.StatusCode, pageID, page)
		}
		status, body := f.call(t, "admin", "GET", "/api/v1/audit", "")
		apiMsg := ""
		if e, ok := body["error"].(map[string]any); ok {
			apiMsg, _ = e["message"].(string)
		}
		if status != 500 || !strings.HasPrefix(apiMsg, "internal error; request id ") {
			t.Errorf("API 500: %d %v", status, body)
		}
		apiID := strings.TrimPrefix(apiMsg, "internal error; request id ")
		errorsOf := map[string]int{}
		for _, l := range logLines(t, out.String()) {
			if l["level"] == "ERROR" {
				id, _ := l["request_id"].(string)
				errorsOf[id]++
				if l["user_id"] != admin {
					t.Errorf("error line without the user: %v", l)
				}
			}
		}
		if errorsOf[pageID] != 1 || errorsOf[apiID] != 1 || len(errorsOf) != 2 {
			t.Errorf("error lines by request id: %v, want one for %s and one for %s", errorsOf, pageID, apiID)
		}
	})
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

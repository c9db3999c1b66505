package server_test

import (
	"net/http"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestMethodNotAllowed: a path the API or the pages serve, asked with a
// method they do not support, answers 405 naming the methods that work
// (Allow), not 404; an unknown path still answers 404.
func TestMethodNotAllowed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, c := range []struct {
			method, path, allow string
			status              int
		}{
			{"PUT", "/api/v1/leads", "GET, HEAD, POST", 405},
			{"POST", "/api/v1/leads/1", "GET, HEAD, PATCH, DELETE", 405},
			{"DELETE", "/api/v1/webhooks/1/deliveries", "GET, HEAD", 405},
			{"GET", "/api/v1/nothing-here", "", 404},
		} {
			req, _ := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow {
				t.Errorf("%s %s: %d, Allow %q; want %d, %q\n%s", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.status, c.allow, body)
			}
			if c.status == 405 && !strings.Contains(body, `"method_not_allowed"`) {
				t.Errorf("%s %s: body %s", c.method, c.path, body)
			}
		}
		b := newBrowser(t, f.srv.URL)
		b.login("admin@example.com")
		req, _ := http.NewRequest("DELETE", f.srv.URL+"/leads", nil)
		req.Header.Set("Origin", f.srv.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page := readBody(t, resp)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD, POST" || !strings.Contains(page, "DELETE is not supported on /leads") {
			t.Errorf("DELETE /leads: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
		if status, _, _ := b.get("/no/such/page"); status != 404 {
			t.Errorf("unknown page: %d", status)
		}
	})
}

package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestTokenScopes: an admin makes tokens of each scope through the API.
// The read-only one reads leads but changes nothing and reads no admin
// page; the read-write one changes leads but does no admin work; the
// admin one does. A sales user may not make an admin token. A token past
// its expiry is refused; the account page lists each token with its
// scope, last use and expiry.
func TestTokenScopes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		make := func(role, body string) (int, map[string]any) {
			return f.call(t, role, "POST", "/api/v1/me/tokens", body)
		}
		secrets := map[string]string{}
		for _, scope := range []string{"read-only", "read-write", "admin"} {
			status, tok := make("admin", `{"name":"`+scope+` token","scope":"`+scope+`"}`)
			if status != http.StatusCreated || tok["scope"] != scope || tok["expires_at"] != nil {
				t.Fatalf("%s: %d %v", scope, status, tok)
			}
			secrets[scope] = tok["secret"].(string)
		}
		as := func(scope, method, path, body string) int {
			req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+secrets[scope])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, c := range []struct {
			scope, method, path, body string
			want                      int
		}{
			{"read-only", "GET", "/api/v1/leads", "", 200},
			{"read-only", "POST", "/api/v1/leads", `{"email":"ro@scope.example"}`, 403},
			{"read-only", "GET", "/api/v1/audit", "", 403},
			{"read-write", "POST", "/api/v1/leads", `{"email":"rw@scope.example"}`, 201},
			{"read-write", "GET", "/api/v1/audit", "", 403},
			{"read-write", "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.invalid/","events":["lead.created"]}`, 403},
			{"admin", "GET", "/api/v1/audit", "", 200},
			{"admin", "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.invalid/","events":["lead.created"]}`, 201},
		} {
			if got := as(c.scope, c.method, c.path, c.body); got != c.want {
				t.Errorf("%s token: %s %s → %d, want %d", c.scope, c.method, c.path, got, c.want)
			}
		}
		if status, body := make("sales", `{"name":"mine","scope":"admin"}`); status != http.StatusUnprocessableEntity || !strings.Contains(body["error"].(map[string]any)["fields"].(map[string]any)["scope"].(string), "admins") {
			t.Errorf("sales making an admin token: %d %v", status, body)
		}
		if status, body := make("sales", `{"name":"past","expires_at":"2020-01-01T00:00:00Z"}`); status != http.StatusUnprocessableEntity {
			t.Errorf("an expiry in the past: %d %v", status, body)
		}
		status, soon := make("sales", `{"name":"soon","expires_at":"`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}`)
		if status != http.StatusCreated || soon["scope"] != "read-write" || soon["expires_at"] == nil {
			t.Fatalf("expiring token: %d %v", status, soon)
		}
		secrets["soon"] = soon["secret"].(string)
		if got := as("soon", "GET", "/api/v1/leads", ""); got != 200 {
			t.Errorf("before expiry: %d", got)
		}
		if _, err := db.W.Exec(context.Background(), `UPDATE api_tokens SET expires_at = ? WHERE name = 'soon'`, time.Now().Add(-time.Minute).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if got := as("soon", "GET", "/api/v1/leads", ""); got != 401 {
			t.Errorf("after expiry: %d, want 401", got)
		}

		b := newBrowser(t, f.srv.URL)
		b.login("admin@example.com")
		_, _, page := b.get("/account")
		for _, want := range []string{"read-only token</td><td data-label=\"Scope\">read-only", "admin token</td><td data-label=\"Scope\">admin"} {
			if !strings.Contains(page, want) {
				t.Errorf("account page lacks %q", want)
			}
		}
		status, _, page = b.post("/account/tokens", url.Values{"name": {"weekly"}, "scope": {"read-only"}, "days": {"7"}})
		if status != http.StatusCreated || !strings.Contains(page, "weekly</td><td data-label=\"Scope\">read-only") || !strings.Contains(page, "copy it now") {
			t.Errorf("token from the page: %d", status)
		}
	})
}

package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// fixture is a running server with one user of each role and their tokens.
type fixture struct {
	srv    *httptest.Server
	tokens map[string]string // by role name, plus "sales2"
	db     *sqldb.DB
}

const testPassword = "correct horse battery"

func newFixture(t *testing.T, db *sqldb.DB) *fixture { return newFixtureWith(t, db, server.Config{}) }

// newFixtureWith is newFixture with settings of cfg's own (email, say).
func newFixtureWith(t *testing.T, db *sqldb.DB, cfg server.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	users := user.NewService(db)
	f := &fixture{tokens: map[string]string{}, db: db}
	for _, u := range []struct {
		key   string
		email string
		role  access.Role
	}{
		{"admin", "admin@example.com", access.Admin},
		{"marketing", "mia@example.com", access.Marketing},
		{"sales", "sam@example.com", access.Sales},
		{"sales2", "sue@example.com", access.Sales},
	} {
		if _, err := db.W.Exec(ctx, `INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, '', ?, ?, ?)`,
			u.email, string(u.role), cheapHash(), time.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}
		tok, err := users.CreateToken(ctx, access.System, u.email, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.key] = tok
	}
	cfg.DB, cfg.Background, cfg.Log = db, t.Context(), slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// cheapHash is testPassword's argon2id hash at the lowest cost argon2
// allows. Signing in reads the cost from the hash, so the fixture's users
// sign in as any user does; at leadflow's own cost a hash takes a fifth
// of a second under the race detector, and every fixture has four users.
var cheapHash = sync.OnceValue(func() string {
	salt := []byte("fixture-salt-16b")
	key := argon2.IDKey([]byte(testPassword), salt, 1, 8, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=8,t=1,p=1$%s$%s", argon2.Version, enc.EncodeToString(salt), enc.EncodeToString(key))
})

// call sends a request as role ("" for no token) and decodes the JSON
// answer into a generic value.
func (f *fixture) call(t *testing.T, role, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		tok, ok := f.tokens[role]
		if !ok {
			tok = role // a literal token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(path, "/api/") {
		checkContract(t, req, resp.StatusCode, resp.Header, raw)
	}
	var out map[string]any
	// A PDF (a brief) is an answer too; its bytes are not JSON.
	if len(raw) > 0 && resp.Header.Get("Content-Type") != "application/pdf" {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

func errorFields(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	return fields
}

func TestAPIScenarios(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		// Scored by the default rules: 200+ employees 15, core market RO 10.
		status, body := f.call(t, "marketing", "POST", "/api/v1/leads", `{
			"email": "Jo.Doe@ACME.io", "first_name": "Jo", "last_name": "Doe", "company": "Acme",
			"employees": 250, "country": "ro", "consent": true, "source": "Web", "utm_campaign": "spring",
			"id": 999, "score": 100, "grade": "hot"}`)
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		id := int(body["id"].(float64))
		want := map[string]any{"email": "Jo.Doe@acme.io", "employees": 250.0, "country": "RO", "consent": true,
			"source": "web", "stage": "lead", "score": 25.0, "grade": "cold", "owner": nil, "utm_campaign": "spring"}
		for k, v := range want {
			if !reflect.DeepEqual(body[k], v) {
				t.Errorf("created %s = %#v, want %#v", k, body[k], v)
			}
		}
		if id == 999 || body["consent_at"] == nil || body["created_at"] == nil {
			t.Errorf("server-computed fields: id %v consent_at %v created_at %v", id, body["consent_at"], body["created_at"])
		}
		lead := fmt.Sprintf("/api/v1/leads/%d", id)

		scenarios := []struct {
			name, role, method, path, body string
			status                         int
			fields                         []string // fields the 422 must name
		}{
			{"no token", "", "GET", "/api/v1/leads", "", 401, nil},
			{"bad token", "lf_nope", "GET", "/api/v1/leads", "", 401, nil},
			{"invalid values", "admin", "POST", "/api/v1/leads", `{"email":"nope","employees":-5,"stage":"won","country":"Atlantis"}`, 422,
				[]string{"email", "employees", "stage", "country"}},
			{"wrong JSON types", "admin", "POST", "/api/v1/leads", `{"email":"a@b.co","employees":"ten","consent":"yes","company":42}`, 422,
				[]string{"employees", "consent", "company"}},
			{"fractional employees", "admin", "POST", "/api/v1/leads", `{"email":"a@b.co","employees":12.5}`, 422, []string{"employees"}},
			{"unknown field", "admin", "POST", "/api/v1/leads", `{"email":"a@b.co","shoe_size":44}`, 422, []string{"shoe_size"}},
			{"missing email", "admin", "POST", "/api/v1/leads", `{"first_name":"Ann"}`, 422, []string{"email"}},
			{"not JSON", "admin", "POST", "/api/v1/leads", `{"email":`, 422, []string{"body"}},
			{"array body", "admin", "POST", "/api/v1/leads", `[1,2]`, 422, []string{"body"}},
			{"duplicate email", "admin", "POST", "/api/v1/leads", `{"email":"jo.doe@acme.io"}`, 409, []string{"email"}},
			{"unknown owner", "admin", "PATCH", lead, `{"owner":"ghost@example.com"}`, 422, []string{"owner"}},
			{"get", "sales", "GET", lead, "", 200, nil},
			{"unknown id", "admin", "GET", "/api/v1/leads/424242", "", 404, nil},
			{"bad id", "admin", "GET", "/api/v1/leads/abc", "", 404, nil},
			{"bad filter", "admin", "GET", "/api/v1/leads?stage=won&min_score=x", "", 422, []string{"stage", "min_score"}},
			{"page not for API", "admin", "GET", "/api/v1/leads?page=2", "", 422, []string{"page"}},
			{"sales gives lead to sales2", "sales", "PATCH", lead, `{"owner":"sue@example.com"}`, 403, nil},
			{"assign to sales2", "admin", "PATCH", lead, `{"owner":"sue@example.com"}`, 200, nil},
			{"sales opens sales2's lead", "sales", "GET", lead, "", 403, nil},
			{"sales edits sales2's lead", "sales", "PATCH", lead, `{"company":"X"}`, 403, nil},
			{"sales2 edits own lead", "sales2", "PATCH", lead, `{"job_title":"CTO"}`, 200, nil},
			{"sales deletes", "sales2", "DELETE", lead, "", 403, nil},
			{"sales creates user", "sales", "POST", "/api/v1/users", `{"email":"x@y.co","password":"longenough1","role":"sales"}`, 403, nil},
			{"marketing creates user", "marketing", "POST", "/api/v1/users", `{"email":"x@y.co","password":"longenough1","role":"sales"}`, 403, nil},
			{"admin creates bad user", "admin", "POST", "/api/v1/users", `{"email":"x","password":"short","role":"boss"}`, 422,
				[]string{"email", "password", "role"}},
			{"admin creates user", "admin", "POST", "/api/v1/users", `{"email":"new@y.co","password":"longenough1","role":"sales"}`, 201, nil},
			{"list users", "sales", "GET", "/api/v1/users", "", 200, nil},
			{"me", "sales", "GET", "/api/v1/me", "", 200, nil},
			{"timeline", "admin", "GET", lead + "/timeline", "", 200, nil},
			{"unknown endpoint", "admin", "GET", "/api/v1/nothing", "", 404, nil},
		}
		for _, sc := range scenarios {
			status, body := f.call(t, sc.role, sc.method, sc.path, sc.body)
			if status != sc.status {
				t.Errorf("%s: %s %s = %d, want %d (%v)", sc.name, sc.method, sc.path, status, sc.status, body)
				continue
			}
			if status >= 400 {
				if e, ok := body["error"].(map[string]any); !ok || e["code"] == "" || e["message"] == "" {
					t.Errorf("%s: error body lacks code and message: %v", sc.name, body)
				}
			}
			fields := errorFields(body)
			for _, name := range sc.fields {
				if why, _ := fields[name].(string); why == "" {
					t.Errorf("%s: error does not name field %q: %v", sc.name, name, body)
				}
			}
		}

		// PATCH keeps absent fields and clears null ones.
		status, body = f.call(t, "admin", "PATCH", lead, `{"employees": null, "stage": "mql"}`)
		if status != 200 || body["employees"] != nil || body["stage"] != "mql" || body["company"] != "Acme" || body["job_title"] != "CTO" {
			t.Errorf("patch: %d %v", status, body)
		}
		_, tl := f.call(t, "admin", "GET", lead+"/timeline", "")
		if n := len(tl["data"].([]any)); n < 5 {
			t.Errorf("timeline has %d entries after create, 2 owner/field changes and a stage change", n)
		}

		if status, _ := f.call(t, "marketing", "DELETE", lead, ""); status != 204 {
			t.Errorf("delete = %d", status)
		}
		if status, _ := f.call(t, "admin", "GET", lead, ""); status != 404 {
			t.Errorf("deleted lead answers %d", status)
		}
	})
}

func TestAPIListPagesWithCursor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for i := 0; i < 12; i++ {
			country := []string{"DE", "FR", "IT"}[i%3]
			body := fmt.Sprintf(`{"email":"p%d@corp.io","last_name":"P%02d","country":%q,"company":"Corp %d"}`, i, i, country, i%2)
			if status, b := f.call(t, "admin", "POST", "/api/v1/leads", body); status != 201 {
				t.Fatalf("create: %d %v", status, b)
			}
		}
		var names []string
		path := "/api/v1/leads?country=DE,FR&sort=-last_name&limit=3"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("cursor never ends")
			}
			status, body := f.call(t, "sales", "GET", path, "")
			if status != 200 {
				t.Fatalf("list: %d %v", status, body)
			}
			for _, l := range body["data"].([]any) {
				names = append(names, l.(map[string]any)["last_name"].(string))
			}
			path = ""
			if next, ok := body["next_cursor"].(string); ok {
				path = "/api/v1/leads?country=DE,FR&sort=-last_name&limit=3&cursor=" + url.QueryEscape(next)
			}
		}
		if got := strings.Join(names, " "); got != "P10 P09 P07 P06 P04 P03 P01 P00" {
			t.Errorf("walked %s", got)
		}
		status, body := f.call(t, "admin", "GET", "/api/v1/leads?q=CORP.IO&limit=500", "")
		if status != 200 || len(body["data"].([]any)) != 12 || body["next_cursor"] != nil {
			t.Errorf("search: %d, %d leads, next %v", status, len(body["data"].([]any)), body["next_cursor"])
		}
	})
}

// TestOpenAPIMatchesServer checks the document against what the server
// does: every documented operation is routed, and the Lead schema lists
// exactly the fields a lead answer has.
func TestOpenAPIMatchesServer(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, doc := f.call(t, "", "GET", "/api/v1/openapi.json", "")
	if status != 200 || !strings.HasPrefix(doc["openapi"].(string), "3.") {
		t.Fatalf("openapi.json: %d %v", status, doc["openapi"])
	}
	_, created := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"doc@example.com"}`)
	id := fmt.Sprint(created["id"])
	if status, body := f.call(t, "admin", "POST", "/api/v1/forms", `{"slug":"doc","name":"Doc","fields":[{"name":"email"}]}`); status != 201 {
		t.Fatalf("create form: %d %v", status, body)
	}

	paths := doc["paths"].(map[string]any)
	deletes := 0
	for path, item := range paths {
		for method := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			concrete := strings.NewReplacer("{id}", id, "{slug}", "doc").Replace(path)
			if strings.HasPrefix(path, "/api/v1/users/") || strings.HasPrefix(path, "/api/v1/me/tokens/") {
				// A lead's id may be a user's or a token's: the admin's
				// own, whose loss would stop the walk.
				concrete = strings.Replace(path, "{id}", "999999", 1)
			}
			if strings.Contains(path, "{slug}") { // a DELETE visited before may have removed it
				f.call(t, "admin", "POST", "/api/v1/forms", `{"slug":"doc","name":"Doc","fields":[{"name":"email"}]}`)
			}
			body := ""
			if method == "post" || method == "patch" {
				body = "{}"
			}
			if !strings.HasPrefix(path, "/api/") { // public endpoints answer in their own formats
				req, _ := http.NewRequest(strings.ToUpper(method), f.srv.URL+concrete, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode == 404 || resp.StatusCode == 405 {
					t.Errorf("documented %s %s is not served: %d", strings.ToUpper(method), path, resp.StatusCode)
				}
				continue
			}
			status, answer := f.call(t, "admin", strings.ToUpper(method), concrete, body)
			e, _ := answer["error"].(map[string]any)
			if msg, _ := e["message"].(string); status == 405 || strings.HasPrefix(msg, "no such endpoint") {
				t.Errorf("documented %s %s is not served: %d %v", strings.ToUpper(method), path, status, answer)
			}
			if method == "delete" {
				deletes++
				_, created = f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"doc%d@example.com"}`, deletes))
				id = fmt.Sprint(created["id"])
			}
		}
	}

	schema := doc["components"].(map[string]any)["schemas"].(map[string]any)["Lead"].(map[string]any)
	var documented, served []string
	for k := range schema["properties"].(map[string]any) {
		documented = append(documented, k)
	}
	_, l := f.call(t, "admin", "GET", "/api/v1/leads/"+id, "")
	for k := range l {
		served = append(served, k)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if !reflect.DeepEqual(documented, served) {
		t.Errorf("Lead schema lists %v\nbut the API answers with %v", documented, served)
	}

	// The records a conversion makes are documented as served.
	lead := sqlLead(t, f, "admin", `{"email":"schema@example.com","company":"Schema Ltd"}`)
	_, conv := f.call(t, "admin", "POST", lead+"/convert", `{"opportunity":{"name":"Schema deal"}}`)
	for name, path := range map[string]string{
		"Account": "/api/v1/accounts?q=schema", "Contact": "/api/v1/contacts?q=schema", "Opportunity": "/api/v1/opportunities?q=schema",
	} {
		_, page := f.call(t, "admin", "GET", path, "")
		items, _ := page["data"].([]any)
		if len(items) != 1 || conv["account_id"] == nil {
			t.Fatalf("%s: %v", path, page)
		}
		if d, s := keysOf(doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)["properties"]), keysOf(items[0]); !reflect.DeepEqual(d, s) {
			t.Errorf("%s schema lists %v\nbut the API answers with %v", name, d, s)
		}
	}
}

func keysOf(v any) []string {
	var out []string
	for k := range v.(map[string]any) {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestHealthz(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		resp, err := http.Get(f.srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("healthz = %d with a live database", resp.StatusCode)
		}
		db.Close()
		resp, err = http.Get(f.srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Errorf("healthz = %d with the database closed, want 503", resp.StatusCode)
		}
	})
}

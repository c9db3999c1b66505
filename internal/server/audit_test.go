package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// TestAuditAPI: admins page through the log with filters; sales and
// marketing get 403.
func TestAuditAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, body := range []string{`{"email": "a@audit.example", "city": "Iasi"}`, `{"email": "b@audit.example"}`} {
			if status, out := f.call(t, "marketing", "POST", "/api/v1/leads", body); status != http.StatusCreated {
				t.Fatalf("create lead: %d %v", status, out)
			}
		}
		for _, role := range []string{"sales", "marketing"} {
			if status, _ := f.call(t, role, "GET", "/api/v1/audit", ""); status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", role, status)
			}
		}
		status, body := f.call(t, "admin", "GET", "/api/v1/audit?action=lead.&actor=mia@example.com&limit=1", "")
		if status != http.StatusOK {
			t.Fatalf("audit: %d %v", status, body)
		}
		data, _ := body["data"].([]any)
		if len(data) != 1 || body["next_before"] == nil {
			t.Fatalf("first page: %v", body)
		}
		e := data[0].(map[string]any)
		if e["actor"] != "mia@example.com" || e["action"] != "lead.create" || e["subject_type"] != "lead" || strings.Contains(fmt.Sprint(e["detail"]), "audit.example") {
			t.Errorf("entry: %v", e)
		}
		_, next := f.call(t, "admin", "GET", "/api/v1/audit?action=lead.&actor=mia@example.com&limit=1&before="+body["next_before"].(string), "")
		if d, _ := next["data"].([]any); len(d) != 1 || next["next_before"] != nil || d[0].(map[string]any)["id"] == e["id"] {
			t.Errorf("second page: %v", next)
		}
		if status, body := f.call(t, "admin", "GET", "/api/v1/audit?subject_id=x&from=yesterday", ""); status != http.StatusUnprocessableEntity ||
			errorFields(body)["subject_id"] == nil || errorFields(body)["from"] == nil {
			t.Errorf("a bad filter: %d %v", status, body)
		}
	})
}

// TestAuditPage: the admins' page filters and offers the filtered rows as
// CSV with formula cells neutralised; others get 403 for both.
func TestAuditPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		users := user.NewService(db)
		// An address a spreadsheet would run as a formula.
		if _, err := users.Create(ctx, access.System, user.Input{Email: "-2+3@example.com", Password: testPassword, Role: access.Admin}); err != nil {
			t.Fatal(err)
		}
		if status, out := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email": "c@audit.example"}`); status != http.StatusCreated {
			t.Fatalf("create lead: %d %v", status, out)
		}

		sales := newBrowser(t, f.srv.URL)
		sales.login("sam@example.com")
		for _, p := range []string{"/audit", "/audit/export.csv"} {
			if status, _, _ := sales.get(p); status != http.StatusForbidden {
				t.Errorf("sales %s: %d, want 403", p, status)
			}
		}
		if _, _, page := sales.get("/leads"); strings.Contains(page, `href="/audit"`) {
			t.Error("sales see the audit log's link")
		}

		odd := newBrowser(t, f.srv.URL)
		odd.login("-2+3@example.com")
		if status, _, out := odd.post("/settings/pipeline", url.Values{"stages": {"Discovery\nProposal"}}); status != http.StatusSeeOther {
			t.Fatalf("save the pipeline: %d\n%s", status, out)
		}

		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		status, _, page := admin.get("/audit")
		if status != http.StatusOK || !strings.Contains(page, `href="/audit"`) || !strings.Contains(page, "lead.create") || !strings.Contains(page, "settings.pipeline") {
			t.Fatalf("the audit page: %d\n%s", status, page)
		}
		_, _, page = admin.get("/audit?action=settings.")
		if !strings.Contains(page, "settings.pipeline") || strings.Contains(page, "lead.create") {
			t.Errorf("filtered by action: %s", page)
		}
		if _, _, page := admin.get("/audit?action=nothing.like.this"); !strings.Contains(page, "No audit entries match this filter") {
			t.Errorf("the empty state: %s", page)
		}
		if status, _, page := admin.get("/audit?from=soon"); status != http.StatusUnprocessableEntity || !strings.Contains(page, "must be a date") {
			t.Errorf("a bad date: %d", status)
		}
		if !strings.Contains(page, `href="/audit/export.csv?action=settings."`) {
			t.Errorf("the download keeps the filter: %s", page)
		}

		status, _, body := admin.get("/audit/export.csv?action=settings.")
		if status != http.StatusOK {
			t.Fatalf("download: %d %s", status, body)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][3] != "actor" || rows[1][3] != "'-2+3@example.com" || rows[1][4] != "settings.pipeline" {
			t.Errorf("the CSV: %q", rows)
		}
	})
}

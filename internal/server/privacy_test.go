package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// seedPeople makes Pat (a lead with a form submission) and Ola through
// the API and returns their lead ids.
func seedPeople(t *testing.T, f *fixture, db *sqldb.DB) (pat, ola int) {
	t.Helper()
	ids := make([]int, 2)
	for i, body := range []string{
		`{"email": "Pat.Doe@Example.com", "first_name": "Pat", "last_name": "Doe"}`,
		`{"email": "ola@example.org", "first_name": "Ola", "last_name": "Nordmann"}`,
	} {
		status, out := f.call(t, "admin", "POST", "/api/v1/leads", body)
		if status != http.StatusCreated {
			t.Fatalf("create lead: %d %v", status, out)
		}
		ids[i] = int(out["id"].(float64))
	}
	if _, err := db.W.Exec(context.Background(), `INSERT INTO submissions (payload, meta, received_at, status, lead_id)
		VALUES ('{"email":"pat.doe@example.com"}', '{"ip":"203.0.113.77","user_agent":"PatBrowser/9.1"}', 1, 'accepted', ?)`, ids[0]); err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1]
}

func TestPrivacyAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		pat, ola := seedPeople(t, f, db)
		for _, role := range []string{"sales", "marketing"} {
			if status, _ := f.call(t, role, "GET", "/api/v1/privacy/export?email=pat.doe@example.com", ""); status != http.StatusForbidden {
				t.Errorf("%s export: %d, want 403", role, status)
			}
			if status, _ := f.call(t, role, "POST", "/api/v1/privacy/erase", `{"email": "pat.doe@example.com"}`); status != http.StatusForbidden {
				t.Errorf("%s erase: %d, want 403", role, status)
			}
		}
		status, ex := f.call(t, "admin", "GET", "/api/v1/privacy/export?email="+url.QueryEscape("PAT.DOE@example.com"), "")
		if status != http.StatusOK {
			t.Fatalf("export: %d %v", status, ex)
		}
		leads, _ := ex["leads"].([]any)
		subs, _ := ex["submissions"].([]any)
		if len(leads) != 1 || len(subs) != 1 || !strings.Contains(fmt.Sprint(subs), "PatBrowser/9.1") || !strings.Contains(fmt.Sprint(subs), "203.0.113.77") {
			t.Errorf("export: %d leads, submissions %v", len(leads), subs)
		}
		for _, body := range []string{`{"email": 5}`, `{}`, `{"email": "not an address"}`} {
			if status, out := f.call(t, "admin", "POST", "/api/v1/privacy/erase", body); status != http.StatusUnprocessableEntity {
				t.Errorf("erase %s: %d %v, want 422", body, status, out)
			}
		}
		status, er := f.call(t, "admin", "POST", "/api/v1/privacy/erase", `{"email": "pat.doe@EXAMPLE.com"}`)
		if status != http.StatusOK {
			t.Fatalf("erase: %d %v", status, er)
		}
		counts, _ := er["counts"].(map[string]any)
		if counts["leads"] != 1.0 || counts["submissions"] != 1.0 || er["email_sha256"] == "" || strings.Contains(fmt.Sprint(er), "@") {
			t.Errorf("erasure: %v", er)
		}
		if status, _ := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", pat), ""); status != http.StatusNotFound {
			t.Errorf("Pat's lead after the erasure: %d", status)
		}
		if status, _ := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", ola), ""); status != http.StatusOK {
			t.Errorf("Ola's lead after Pat's erasure: %d", status)
		}
	})
}

func TestPrivacyPagesConfirmBeforeErasing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		pat, ola := seedPeople(t, f, db)

		sam := newBrowser(t, f.srv.URL)
		sam.login("sam@example.com")
		if status, _, _ := sam.get("/privacy"); status != http.StatusForbidden {
			t.Errorf("sales on the privacy page: %d", status)
		}
		if status, _, _ := sam.get("/privacy/erase?email=pat.doe@example.com"); status != http.StatusForbidden {
			t.Errorf("sales on the erase page: %d", status)
		}
		if status, _, _ := sam.post("/privacy/erase", url.Values{"email": {"pat.doe@example.com"}}); status != http.StatusForbidden {
			t.Errorf("sales erasing: %d", status)
		}
		if _, _, body := sam.get(fmt.Sprintf("/leads/%d", pat)); strings.Contains(body, "Erase person") {
			t.Error("sales sees the erase button")
		}

		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		_, _, body := admin.get(fmt.Sprintf("/leads/%d", pat))
		if !strings.Contains(body, `href="/privacy/erase?email=Pat.Doe%40example.com"`) || !strings.Contains(body, "Export personal data") {
			t.Errorf("the lead page has no export and erase buttons")
		}
		if status, _, body := admin.get("/privacy"); status != http.StatusOK || !strings.Contains(body, `formaction="/privacy/erase"`) {
			t.Errorf("privacy page: %d", status)
		}
		if status, _, body := admin.get("/privacy/export?email=pat.doe@example.com"); status != http.StatusOK || !strings.Contains(body, "PatBrowser/9.1") {
			t.Errorf("export download: %d", status)
		}
		if status, _, body := admin.get("/privacy/erase?email=x"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be an email address") {
			t.Errorf("erase page for a bad address: %d", status)
		}
		status, _, body := admin.get("/privacy/erase?email=PAT.DOE@example.com")
		if status != http.StatusOK {
			t.Fatalf("confirmation page: %d\n%s", status, body)
		}
		for _, want := range []string{"Erase pat.doe@example.com everywhere?", "Pat Doe &lt;Pat.Doe@example.com&gt;",
			"Form submissions (answers, IP address, browser)", `<input type="hidden" name="email" value="pat.doe@example.com">`} {
			if !strings.Contains(body, want) {
				t.Errorf("confirmation page lacks %q", want)
			}
		}
		if status, _ := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", pat), ""); status != http.StatusOK {
			t.Fatalf("showing the confirmation erased already: %d", status)
		}
		status, loc, _ := admin.post("/privacy/erase", url.Values{"email": {"pat.doe@example.com"}})
		if status != http.StatusSeeOther || loc != "/privacy" {
			t.Fatalf("erase: %d → %s", status, loc)
		}
		_, _, body = admin.get("/privacy")
		if !strings.Contains(body, "Erased. Leads: 1") || !strings.Contains(body, "admin@example.com") {
			t.Errorf("after the erasure, the page says:\n%s", body)
		}
		if status, _ := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", pat), ""); status != http.StatusNotFound {
			t.Errorf("Pat's lead after the erasure: %d", status)
		}
		if status, _ := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", ola), ""); status != http.StatusOK {
			t.Errorf("Ola's lead after Pat's erasure: %d", status)
		}
	})
}

// TestPrivacyByPhoneAndName: a lead known only by phone is exported and
// erased by its phone through the API, and the page finds a person by
// surname and company, naming a missing company.
func TestPrivacyByPhoneAndName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"phone":"+40721234567","first_name":"Rui","last_name":"Costa","company":"Orbit"}`)
		id := fmt.Sprint(l["id"])
		status, ex := f.call(t, "admin", "GET", "/api/v1/privacy/export?phone="+url.QueryEscape("+40 721 234 567"), "")
		if leads, _ := ex["leads"].([]any); status != http.StatusOK || len(leads) != 1 || ex["person"] != "+40721234567" {
			t.Errorf("export by phone: %d %v", status, ex)
		}
		if status, e := f.call(t, "admin", "POST", "/api/v1/privacy/erase", `{"last_name":"Costa"}`); status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(e), "company") {
			t.Errorf("erase by a surname alone: %d %v", status, e)
		}

		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		_, _, body := admin.get("/leads/" + id)
		if !strings.Contains(body, `href="/privacy/erase?phone=%2b40721234567"`) {
			t.Errorf("the page of a lead without email links no erasure by phone")
		}
		if status, _, body := admin.get("/privacy/erase?last_name=Costa"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Company is needed") {
			t.Errorf("erase page for a surname alone: %d\n%.2000s", status, textOf(body))
		}
		status, _, body = admin.get("/privacy/erase?last_name=costa&company=ORBIT")
		if status != http.StatusOK || !strings.Contains(body, "Erase costa at ORBIT everywhere?") || !strings.Contains(body, `name="company" value="ORBIT"`) {
			t.Fatalf("confirmation by name: %d\n%.3000s", status, textOf(body))
		}
		if status, loc, _ := admin.post("/privacy/erase", url.Values{"last_name": {"Costa"}, "company": {"Orbit"}}); status != http.StatusSeeOther || loc != "/privacy" {
			t.Errorf("erase by name: %d → %s", status, loc)
		}
		if status, _ := f.call(t, "admin", "GET", "/api/v1/leads/"+id, ""); status != http.StatusNotFound {
			t.Errorf("the lead after the erasure: %d", status)
		}
	})
}

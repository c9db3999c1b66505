package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// salesLead makes a lead owned by Sam and returns its id.
func salesLead(t *testing.T, f *fixture) string {
	t.Helper()
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@shop.example","company":"Lumen Retail","industry":"Retail","owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	return fmt.Sprint(l["id"])
}

// The lead's owner puts a software request through the API; a bad one
// is a 422 naming each field; another sales user may not touch it; an
// old If-Match is a 409.
func TestRequestAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedVocabulary(t, f, "contacts", "pipeline", "e-invoicing")
		id := salesLead(t, f)
		path := "/api/v1/leads/" + id + "/request"
		if status, _ := f.call(t, "sales", "GET", path, ""); status != http.StatusNotFound {
			t.Errorf("before any request: %d", status)
		}
		body := `{"industry":"retail","category":"crm","deployments":["cloud"],"licences":10,"budget":3000,"currency":"EUR",
			"budget_period":"year","timeline":"3m","must_have":["contacts","pipeline"],"nice_to_have":"e-invoicing","languages":["ro"],"notes":"Două magazine"}`
		status, got := f.call(t, "sales", "PUT", path, body)
		if status != http.StatusOK || got["budget"] != "3000" || got["licences"] != 10.0 || got["version"] != 1.0 || got["notes"] != "Două magazine" {
			t.Fatalf("put: %d %v", status, got)
		}
		if status, _ := f.call(t, "sales2", "PUT", path, body); status != http.StatusForbidden {
			t.Errorf("another sales user wrote it: %d", status)
		}
		if status, _ := f.call(t, "sales2", "GET", path, ""); status != http.StatusForbidden {
			t.Errorf("another sales user read it: %d", status)
		}
		status, got = f.call(t, "sales", "PUT", path, `{"category":"","licences":"many","must_have":["telepathy"],"budget":"10","timeline":"soon"}`)
		fields, _ := got["error"].(map[string]any)["fields"].(map[string]any)
		for _, k := range []string{"category", "licences", "must_have", "currency", "budget_period", "timeline"} {
			if fields[k] == nil {
				t.Errorf("%s not named: %d %v", k, status, got)
			}
		}
		req, _ := http.NewRequest("PUT", f.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.tokens["sales"])
		req.Header.Set("If-Match", `"7"`)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("PUT with an old If-Match: %d", resp.StatusCode)
		}
	})
}

// On the lead's page, a refused request comes back with every value
// kept and each reason; a good one is saved and the lead's timeline
// shows it.
func TestRequestPage(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedVocabulary(t, f, "contacts", "pipeline")
	id := salesLead(t, f)
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	_, _, body := b.get("/leads/" + id)
	if !strings.Contains(body, `/leads/`+id+`/software`) {
		t.Fatalf("the lead page has no link to its software request")
	}
	form := url.Values{"category": {"crm"}, "industry": {"retail"}, "deployments": {"cloud"}, "licences": {"ten"},
		"budget": {"3000"}, "currency": {"EUR"}, "budget_period": {"year"}, "horizon_months": {"12"},
		"f.contacts": {"must"}, "f.pipeline": {"nice"}, "must_have_other": {"telepathy"}, "notes": {"Două magazine în Iași"}}
	status, _, body := b.post("/leads/"+id+"/software", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Licences must be a whole number from 1 to 1,000,000") ||
		!strings.Contains(body, "not in the feature vocabulary: telepathy") || !strings.Contains(body, `value="telepathy"`) ||
		!strings.Contains(body, "Două magazine în Iași") || !strings.Contains(body, `name="f.contacts" value="must" aria-label="contacts: must have" checked`) {
		t.Errorf("refused form: %d\n%s", status, body)
	}
	form.Set("licences", "10")
	form.Del("must_have_other")
	status, loc, _ := b.post("/leads/"+id+"/software", form)
	if status != http.StatusSeeOther || loc != "/leads/"+id+"/software#matches" {
		t.Fatalf("save: %d %q", status, loc)
	}
	_, _, body = b.get("/leads/" + id + "/software")
	if !strings.Contains(body, `id="req-category">crm · cloud`) || !strings.Contains(body, "Must have</dt><dd>contacts") {
		t.Errorf("the saved request is not shown")
	}
	_, _, body = b.get("/leads/" + id)
	if !strings.Contains(body, "<strong>Software request</strong>") {
		t.Errorf("the timeline does not show the request")
	}
	other := newBrowser(t, f.srv.URL)
	other.login("sue@example.com")
	if status, _, _ := other.get("/leads/" + id + "/software"); status != http.StatusForbidden {
		t.Errorf("another sales user opened it: %d", status)
	}
}

// requestFormJSON is a public software-request form: the custom fields
// whose answers prefill a lead's request.
const requestFormJSON = `{"slug":"software-request","name":"Find software","fields":[{"name":"email"},{"name":"company"},{"name":"industry"},
	{"name":"app_category","type":"select","options":["crm","erp"]},{"name":"licences","type":"number"},
	{"name":"budget","type":"number"},{"name":"budget_currency","type":"text"},{"name":"budget_period","type":"text"},
	{"name":"timeline","type":"text"},{"name":"must_have","type":"text"},{"name":"nice_to_have","type":"text"},{"name":"request_notes","type":"text"}]}`

// A visitor fills the public software-request form; on the new lead's
// software page the request form is filled in from the answers, features
// written by name included, ready to check and save.
func TestPublicRequestFormPrefills(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	f.call(t, "marketing", "PUT", "/api/v1/features/contacts", `{"name":"Contact management"}`)
	f.call(t, "marketing", "PUT", "/api/v1/features/pipeline", `{"name":"Sales pipeline"}`)
	createForm(t, f, requestFormJSON)
	resp, body := post(t, f.srv.URL, "/f/software-request", "application/json", `{"email":"ioana@florarie.example","company":"Florărie Iași",
		"industry":"Retail","app_category":"crm","licences":"6","budget":"90","budget_currency":"EUR","budget_period":"month",
		"timeline":"Within 3 months","must_have":"Contact management","nice_to_have":"sales pipeline","request_notes":"Livrări în weekend"}`)
	if resp.StatusCode >= 300 {
		t.Fatalf("submission: %d %s", resp.StatusCode, body)
	}
	_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=florarie", "")
	data, _ := list["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("leads: %v", list)
	}
	id := fmt.Sprint(data[0].(map[string]any)["id"])
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	_, _, page := b.get("/leads/" + id + "/software")
	for _, want := range []string{"Filled in from the lead", `name="licences" inputmode="numeric" required value="6"`,
		`name="f.contacts" value="must" aria-label="Contact management: must have" checked`,
		`name="f.pipeline" value="nice" aria-label="Sales pipeline: nice to have" checked`, `<option value="3m" selected>`, "Livrări în weekend"} {
		if !strings.Contains(page, want) {
			t.Errorf("the prefilled form lacks %s", want)
		}
	}
}

// A request nothing fits opens a custom project, listed on the software
// page; on its page the analyst works out the features and sends the
// estimate, and a refused form keeps every row typed.
func TestCustomProjectPages(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedVocabulary(t, f, "contacts", "pipeline")
	id := salesLead(t, f)
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	form := url.Values{"category": {"crm"}, "licences": {"5"}, "f.contacts": {"must"}, "f.pipeline": {"nice"}, "deployments": {"mobile"}}
	if status, _, _ := b.post("/leads/"+id+"/software", form); status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, _, page := b.get("/leads/" + id + "/software")
	if !strings.Contains(page, `id="needs-custom"`) || !strings.Contains(page, "Custom crm for Lumen Retail") ||
		!strings.Contains(page, "no solution in the catalog passes the request&#39;s filters") {
		t.Fatalf("the software page does not show the custom project:\n%s", page)
	}
	_, ps := f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/projects", "")
	p := ps["data"].([]any)[0].(map[string]any)
	path := fmt.Sprintf("/projects/%v", p["id"])
	_, _, page = b.get(path)
	if !strings.Contains(page, `value="contacts"`) || !strings.Contains(page, `value="pipeline"`) || !strings.Contains(page, `value="mobile" checked`) {
		t.Errorf("the project is not seeded from the request")
	}
	edit := url.Values{"version": {"1"}, "title": {"Custom crm for Lumen Retail"}, "status": {"estimate_sent"}, "app_types": {"mobile"},
		"feature_rows": {"4"}, "features.0.name": {"contacts"}, "features.0.days_low": {"3"}, "features.0.days_high": {"5"},
		"features.1.name": {"pipeline"}, "features.1.days_low": {"4"}, "features.1.days_high": {"two"},
		"features.2.name": {"Offline sync în depozit"}, "features.2.days_low": {"6"}, "features.2.days_high": {"9"},
		"check.processes": {"done"}, "notes.processes": {"Comenzi, livrări"}, "day_rate": {"450"}, "currency": {"EUR"}}
	status, _, page := b.post(path, edit)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "must be person-days") || !strings.Contains(page, `value="Offline sync în depozit"`) ||
		!strings.Contains(page, "Comenzi, livrări") {
		t.Errorf("refused project form: %d", status)
	}
	edit.Set("features.1.days_high", "6")
	if status, _, _ := b.post(path, edit); status != http.StatusSeeOther {
		t.Fatalf("save project: %d", status)
	}
	_, _, page = b.get(path)
	// (3+4+6) and (5+6+9) person-days at 450 EUR.
	if !strings.Contains(page, "5,850 EUR – 9,000 EUR (13–20 person-days at 450 EUR a day)") || !strings.Contains(page, `id="project-status">Estimate sent`) {
		t.Errorf("estimate not shown")
	}
	_, _, page = b.get("/leads/" + id)
	if !strings.Contains(page, "custom project Custom crm for Lumen Retail: Estimate sent") {
		t.Errorf("the lead's timeline lacks the status change")
	}
	if strings.Contains(page, "Convert with this project") {
		t.Errorf("a project not accepted offers conversion")
	}
	other := newBrowser(t, f.srv.URL)
	other.login("sue@example.com")
	if status, _, _ := other.get(path); status != http.StatusForbidden {
		t.Errorf("another sales user opened the project: %d", status)
	}
	// Accepted, it proposes itself as the deal once the lead is an SQL.
	f.call(t, "admin", "PATCH", "/api/v1/leads/"+id, `{"stage":"sql","stage_reason":"qualified"}`)
	edit.Set("status", "accepted")
	edit.Set("version", "2")
	if status, _, _ := b.post(path, edit); status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	_, _, page = b.get(path)
	if !strings.Contains(page, "convert?amount=7425&amp;currency=EUR&amp;deal_name=Custom&#43;crm&#43;for&#43;Lumen&#43;Retail") {
		t.Errorf("the accepted project does not propose the deal")
	}
	// Opening one by hand, and a refused empty title.
	if status, _, page := b.post("/leads/"+id+"/projects", url.Values{"title": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Title is required") {
		t.Errorf("empty title: %d", status)
	}
	if status, loc, _ := b.post("/leads/"+id+"/projects", url.Values{"title": {"Mobile app for couriers"}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/projects/") {
		t.Errorf("open by hand: %d %q", status, loc)
	}
}

// The projects API: open by hand, PATCH with the estimate, stale If-Match.
func TestProjectsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		id := salesLead(t, f)
		status, p := f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/projects", `{"title":"Route planner","app_types":["mobile","web"]}`)
		if status != http.StatusCreated || p["status"] != "analysis" || p["reason"] != "opened by hand" {
			t.Fatalf("open: %d %v", status, p)
		}
		path := fmt.Sprintf("/api/v1/projects/%v", p["id"])
		status, p = f.call(t, "sales", "PATCH", path, `{"status":"estimate_sent","features":[{"name":"Maps","days_low":2,"days_high":3.5},{"name":"Driver app","days_low":"10","days_high":"15"}],"day_rate":500,"currency":"EUR"}`)
		est, _ := p["estimate"].(map[string]any)
		if status != http.StatusOK || est["low"] != "6000" || est["high"] != "9250" || est["days_high"] != 18.5 {
			t.Errorf("estimate: %d %v", status, p)
		}
		status, p = f.call(t, "sales", "PATCH", path, `{"status":"won"}`)
		if fields, _ := p["error"].(map[string]any)["fields"].(map[string]any); status != 422 || fields["status"] == nil {
			t.Errorf("bad status: %d %v", status, p)
		}
		if status, _ := f.call(t, "sales2", "GET", path, ""); status != http.StatusForbidden {
			t.Errorf("another sales user read it: %d", status)
		}
	})
}

// The brief of a saved request: a clean page, and a PDF made by the
// binary whose text (through pdftotext) has every letter as typed.
func TestBriefPageAndPDF(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedVocabulary(t, f, "contacts")
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"bjorn@fjellbakeri.example","first_name":"Bjørn","last_name":"Ødegård","company":"Fjellbakeri Å","owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatal(status)
	}
	id := fmt.Sprint(l["id"])
	if status, got := f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", `{"category":"e-commerce","licences":2,"must_have":["contacts"],"notes":"Nettbutikk før jul; consegna è già pronta; plăți cu cardul"}`); status != http.StatusOK {
		t.Fatalf("request: %d %v", status, got)
	}
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	_, _, page := b.get("/leads/" + id + "/brief")
	for _, want := range []string{"Brief: e-commerce for Fjellbakeri Å", "Bjørn Ødegård", "plăți cu cardul", "<li>contacts</li>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the brief page lacks %q", want)
		}
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/leads/"+id+"/brief.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["sales"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("brief.pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text := strings.Join(strings.Fields(pdfToText(t, doc)), " ")
	for _, want := range []string{"Fjellbakeri Å", "Bjørn Ødegård", "Nettbutikk før jul; consegna è già pronta; plăți cu cardul"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q: %s", want, text)
		}
	}
	status, _, _ = newBrowserAs(t, f, "sue@example.com").get("/leads/" + id + "/brief.pdf")
	if status != http.StatusForbidden {
		t.Errorf("another sales user got the PDF: %d", status)
	}
}

func newBrowserAs(t *testing.T, f *fixture, email string) *browser {
	b := newBrowser(t, f.srv.URL)
	b.login(email)
	return b
}

// pdfToText extracts a PDF's text with poppler's pdftotext; the test
// command installs it.
func pdfToText(t *testing.T, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		dbtest.Unavailable(t, "PDF TEXT NOT CHECKED: no pdftotext (install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// A person's export holds their software request, custom project and
// hand-offs; erasing the person removes them with the lead.
func TestPrivacyCoversSoftwareRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ids := matchCatalog(t, f)
		status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"pat.doe@example.com","company":"Doe Shop","owner":"sam@example.com","stage":"sql"}`)
		if status != http.StatusCreated {
			t.Fatal(status, l)
		}
		id := fmt.Sprint(l["id"])
		f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", `{"category":"crm","licences":3,"must_have":["contacts"],"notes":"Pat's shop on Main Street"}`)
		f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/projects", `{"title":"Pat's app"}`)
		f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/handoffs", `{"solution_ids":[`+ids["Carpa CRM"]+`]}`)
		_, ex := f.call(t, "admin", "GET", "/api/v1/privacy/export?email=pat.doe@example.com", "")
		reqs, _ := ex["software_requests"].([]any)
		projects, _ := ex["custom_projects"].([]any)
		handoffs, _ := ex["handoffs"].([]any)
		if len(reqs) != 1 || reqs[0].(map[string]any)["notes"] != "Pat's shop on Main Street" || len(projects) != 1 || len(handoffs) != 1 {
			t.Fatalf("export: %d requests, %d projects, %d hand-offs", len(reqs), len(projects), len(handoffs))
		}
		if must, _ := reqs[0].(map[string]any)["must_have"].([]any); len(must) != 1 {
			t.Errorf("must_have is not exported as a list: %v", reqs[0].(map[string]any)["must_have"])
		}
		if status, got := f.call(t, "admin", "POST", "/api/v1/privacy/erase", `{"email":"pat.doe@example.com"}`); status != http.StatusOK {
			t.Fatal(status, got)
		}
		for _, table := range []string{"software_requests", "custom_projects", "handoffs"} {
			var n int
			db.R.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n)
			if n != 0 {
				t.Errorf("%d rows left in %s after the erasure", n, table)
			}
		}
	})
}

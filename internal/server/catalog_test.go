package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// callCT is call with a body of another content type.
func (f *fixture) callCT(t *testing.T, role, method, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// seedVocabulary adds features through the API as marketing.
func seedVocabulary(t *testing.T, f *fixture, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if status, body := f.call(t, "marketing", "PUT", "/api/v1/features/"+k, `{"name":"`+k+`"}`); status != http.StatusOK {
			t.Fatalf("feature %s: %d %v", k, status, body)
		}
	}
}

const orbitJSON = `{"vendor":"Orbit Soft","product":"Orbit CRM","category":"crm","industries":["retail"],
	"deployments":["cloud","web"],"features":["contacts","pipeline"],"integrations":"outlook; mailchimp","languages":["en","ro"],
	"price":19.9,"price_period":"month","setup":"500","currency":"EUR","min_licences":5,"max_licences":500,
	"contact_name":"Ioana Pop","contact_email":"ioana@orbit.example"}`

// Marketing builds the catalog through the API; sales reads it and may
// not change it; bad input is a 422 naming each field.
func TestCatalogAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedVocabulary(t, f, "contacts", "pipeline")
		status, sol := f.call(t, "marketing", "POST", "/api/v1/solutions", orbitJSON)
		if status != http.StatusCreated || sol["price"] != "19.90" || sol["setup"] != "500" || fmt.Sprint(sol["integrations"]) != "[outlook mailchimp]" {
			t.Fatalf("create: %d %v", status, sol)
		}
		path := fmt.Sprintf("/api/v1/solutions/%v", sol["id"])
		if status, _ := f.call(t, "sales", "PATCH", path, `{"price":1}`); status != http.StatusForbidden {
			t.Errorf("sales changed the price: %d", status)
		}
		if status, got := f.call(t, "sales", "GET", path, ""); status != http.StatusOK || got["product"] != "Orbit CRM" {
			t.Errorf("sales reads: %d %v", status, got)
		}
		status, got := f.call(t, "marketing", "PATCH", path, `{"price":"24.50","active":false}`)
		if status != http.StatusOK || got["price"] != "24.50" || got["active"] != false || got["max_licences"] != 500.0 || got["vendor"] != "Orbit Soft" {
			t.Errorf("patch: %d %v", status, got)
		}
		status, got = f.call(t, "marketing", "POST", "/api/v1/solutions", `{"vendor":"X","product":"Y","category":"crm","deployments":["fax"],"features":["telepathy"],"price":"-1","price_period":"week","currency":"EUR"}`)
		fields, _ := got["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["deployments"] == nil || fields["features"] == nil || fields["price"] == nil || fields["price_period"] == nil {
			t.Errorf("bad solution: %d %v", status, got)
		}
		if status, _ := f.call(t, "marketing", "POST", "/api/v1/solutions", orbitJSON); status != http.StatusConflict {
			t.Errorf("the same product again: %d", status)
		}

		csv := "vendor,product,category,deployments,features,languages,price,price_period,currency\n" +
			"Ledger,Ledger Books,accounting,cloud,,en,120,year,EUR\n" +
			"Kite,Kite CRM,crm,cloud;mobile,contacts,it,30,month,EUR\n" +
			"Bad,Bad One,crm,cloud,telepathy,en,abc,month,EUR\n"
		status, res := f.callCT(t, "marketing", "POST", "/api/v1/solutions/import", "text/csv", csv)
		rejected, _ := res["rejected"].([]any)
		if status != http.StatusOK || res["created"] != 2.0 || len(rejected) != 1 {
			t.Fatalf("import: %d %v", status, res)
		}
		if r := rejected[0].(map[string]any); r["row"] != 3.0 || r["fields"].(map[string]any)["features"] == nil {
			t.Errorf("rejected row: %v", r)
		}
		if status, _ := f.callCT(t, "sales", "POST", "/api/v1/solutions/import", "text/csv", csv); status != http.StatusForbidden {
			t.Errorf("sales imported: %d", status)
		}
		// Pages of two, by cursor, cover the three products once.
		seen := map[string]bool{}
		next := ""
		for range 3 {
			_, page := f.call(t, "sales", "GET", "/api/v1/solutions?limit=2"+next, "")
			for _, s := range page["data"].([]any) {
				seen[s.(map[string]any)["product"].(string)] = true
			}
			if page["next_cursor"] == nil {
				break
			}
			next = "&cursor=" + page["next_cursor"].(string)
		}
		if len(seen) != 3 {
			t.Errorf("paged through %v", seen)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/solutions?limit=0", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("limit=0: %d", status)
		}
		if status, got := f.call(t, "marketing", "DELETE", "/api/v1/features/contacts", ""); status != http.StatusConflict {
			t.Errorf("deleting a feature in use: %d %v", status, got)
		}
		// Weights: admin only, validated.
		if status, _ := f.call(t, "marketing", "PUT", "/api/v1/matching/config", `{"threshold":60}`); status != http.StatusForbidden {
			t.Errorf("marketing set weights: %d", status)
		}
		status, got = f.call(t, "admin", "PUT", "/api/v1/matching/config", `{"default":{"budget":40,"nice_to_have":30},"industries":{"Healthcare":{"language":50}},"threshold":60,"tolerance":0.15}`)
		if status != http.StatusOK || got["threshold"] != 60.0 || got["industries"].(map[string]any)["healthcare"] == nil {
			t.Errorf("weights: %d %v", status, got)
		}
		status, got = f.call(t, "admin", "PUT", "/api/v1/matching/config", `{"default":{"colour":5},"threshold":200}`)
		if fields, _ := got["error"].(map[string]any)["fields"].(map[string]any); status != 422 || fields["default.colour"] == nil || fields["threshold"] == nil {
			t.Errorf("bad weights: %d %v", status, got)
		}
	})
}

// The catalog page lists products, adds one from its form, shows a
// refused form with the reasons and the typed values, and imports a file.
func TestCatalogPages(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedVocabulary(t, f, "contacts", "pipeline")
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	form := url.Values{"vendor": {"Kite"}, "product": {"Kite CRM"}, "category": {"crm"}, "deployments": {"cloud", "mobile"},
		"features": {"contacts"}, "languages": {"it, en"}, "price": {"12"}, "price_period": {"month"}, "currency": {"EUR"},
		"max_licences": {"20"}, "active": {"true", "false"}}
	status, loc, _ := b.post("/solutions", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/solutions/") {
		t.Fatalf("create: %d %q", status, loc)
	}
	_, _, body := b.get("/solutions")
	for _, want := range []string{"Kite CRM", "12 EUR / month", "1–20", "it, en", "Feature vocabulary"} {
		if !strings.Contains(body, want) {
			t.Errorf("the catalog page lacks %q", want)
		}
	}
	form.Set("product", "Kite Pro")
	form.Set("price", "twelve")
	status, _, body = b.post("/solutions", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Price is required") || !strings.Contains(body, `value="Kite Pro"`) {
		t.Errorf("a refused form: %d", status)
	}
	// Unticking Active keeps the product but takes it out of matches.
	form.Set("product", "Kite CRM")
	form.Set("price", "12")
	form["active"] = []string{"false"}
	form.Set("version", "1")
	if status, _, _ := b.post(loc, form); status != http.StatusSeeOther {
		t.Errorf("deactivate: %d", status)
	}
	_, _, body = b.get(loc)
	if strings.Contains(body, `name="active" value="true" checked`) {
		t.Errorf("still active after unticking")
	}
	// An edit from a stale page is refused, keeping what was typed.
	status, _, body = b.post(loc, form)
	if status != http.StatusConflict || !strings.Contains(body, "Someone changed this solution") {
		t.Errorf("stale edit: %d", status)
	}
	sales := newBrowser(t, f.srv.URL)
	sales.login("sam@example.com")
	if status, _, _ := sales.post("/solutions", form); status != http.StatusForbidden {
		t.Errorf("sales added a product: %d", status)
	}
}

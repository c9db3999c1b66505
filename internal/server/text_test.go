package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// Bytes that are not text — NUL, which PostgreSQL's text cannot hold, and
// a byte that is not UTF-8 — are refused with 422 naming the field at
// every door, on both databases alike, never 500 and never stored.
func TestTextThatCannotBeKeptIsRefusedByName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, contactForm)
		b := newBrowser(t, f.srv.URL)

		for _, bad := range []string{"a\x00b", "Bra\xffila"} {
			name := fmt.Sprintf("%q", bad)

			// Signed out, at the login form.
			status, _, body := b.post("/login", url.Values{"email": {"mia" + bad + "@example.com"}, "password": {testPassword}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Email (email)") {
				t.Errorf("login %s: %d %s", name, status, body)
			}

			// A public form, as a browser and as an integration.
			form := url.Values{"email": {"ana@orbit.io"}, "first_name": {"Ana"}, "budget": {"<10k"}, "company": {"Orbit" + bad}}
			resp, body := post(t, f.srv.URL, "/f/contact", "application/x-www-form-urlencoded", form.Encode())
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("public form %s: %d %s", name, resp.StatusCode, body)
			}
			resp, body = post(t, f.srv.URL, "/f/contact", "application/json",
				`{"email":"ana@orbit.io","first_name":"Ana","budget":"<10k","company":"Orbit`+jsonBad(bad)+`"}`)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"company"`) {
				t.Errorf("public JSON %s: %d %s", name, resp.StatusCode, body)
			}

			// The API: a lead, an account, a list filter.
			status, out := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"cy@nova.it","city":"x`+jsonBad(bad)+`"}`)
			if status != http.StatusUnprocessableEntity || errorFields(out)["city"] == nil {
				t.Errorf("API lead %s: %d %v", name, status, out)
			}
			status, out = f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Nova`+jsonBad(bad)+`"}`)
			if status != http.StatusUnprocessableEntity || errorFields(out)["name"] == nil {
				t.Errorf("API account %s: %d %v", name, status, out)
			}
			status, out = f.call(t, "admin", "GET", "/api/v1/leads?q="+url.QueryEscape(bad), "")
			if status != http.StatusUnprocessableEntity || errorFields(out)["q"] == nil {
				t.Errorf("API filter %s: %d %v", name, status, out)
			}
		}

		// The pages, signed in.
		b.login("admin@example.com")
		for _, bad := range []string{"a\x00b", "Bra\xffila"} {
			name := fmt.Sprintf("%q", bad)
			status, _, body := b.post("/leads", url.Values{"email": {"dan@nova.it"}, "company": {"Nova" + bad}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Company (company)") {
				t.Errorf("lead form %s: %d %s", name, status, body)
			}
			status, _, body = b.post("/accounts", url.Values{"name": {"Nova" + bad}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "name ") {
				t.Errorf("account form %s: %d %s", name, status, body)
			}
			status, _, body = b.get("/leads?q=" + url.QueryEscape(bad))
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "q ") {
				t.Errorf("list filter %s: %d %s", name, status, body)
			}
		}

		// Nothing of it was kept.
		_, list := f.call(t, "admin", "GET", "/api/v1/leads", "")
		if n := len(list["data"].([]any)); n != 0 {
			t.Errorf("%d leads kept", n)
		}
		_, subs := f.call(t, "admin", "GET", "/api/v1/submissions", "")
		if n := len(subs["data"].([]any)); n != 0 {
			t.Errorf("%d submissions kept: %v", n, subs)
		}

		// An import: the row with NUL is rejected naming its column, the
		// rows around it are imported.
		status, loc, _ := b.upload("nul.csv", "Email,Company\nana@orbit.io,Orbit\nben@delta.de,Del\x00ta\ncy@nova.it,Nova\n")
		if status != http.StatusSeeOther {
			t.Fatalf("upload: %d", status)
		}
		if status, _, _ := b.post(loc+"/start", url.Values{"col0": {"email"}, "col1": {"company"}}); status != http.StatusSeeOther {
			t.Fatalf("start: %d", status)
		}
		done := b.importDone(loc, "en", time.Minute)
		if !strings.Contains(done, "<dt>Leads created</dt><dd>2</dd>") {
			t.Fatalf("import result page:\n%s", done)
		}
		_, _, rejects := b.get(loc + "/rejects.csv")
		if !strings.Contains(rejects, `column ""Company"" must not contain a NUL character`) {
			t.Errorf("rejects: %s", rejects)
		}
	})
}

// jsonBad writes bad inside a JSON string: NUL escaped, other bytes raw.
func jsonBad(bad string) string { return strings.ReplaceAll(bad, "\x00", `\u0000`) }

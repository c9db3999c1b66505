package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// formFields reads the text inputs and selected options of an HTML form
// page the way a browser would submit them unchanged.
func formFields(page string) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, sel := range regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)".*?</select>`).FindAllStringSubmatch(page, -1) {
		if opt := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(sel[0]); opt != nil {
			v.Set(sel[1], html.UnescapeString(opt[1]))
		}
	}
	return v
}

// A user edits a lead's job title in a form opened before a colleague
// changed the same field and the city: the save is refused with a
// message naming the field and its new value, what the user typed is
// kept, the colleague's city is not undone, and saving again knowingly
// replaces the title. A stale form changing another field saves.
func TestWebStaleEditShowsConflictAndKeepsTypedValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		seedLeads(t, db)
		ctx := context.Background()
		leads := lead.NewService(db)
		admin := access.Actor{Role: access.Admin}
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")

		_, _, page := b.get("/leads/1/edit")
		form := formFields(page)
		if form.Get("version") == "" || form.Get("shown.first_name") != "Ana" {
			t.Fatalf("the edit form does not carry what it was filled from: %v", form)
		}
		if _, err := leads.Update(ctx, admin, 1, lead.Changes{"job_title": "CEO", "city": "Cluj"}); err != nil {
			t.Fatal(err)
		}
		form.Set("job_title", "CTO")
		form.Set("last_name", "Popescu")
		status, _, body := b.post("/leads/1", form)
		if status != http.StatusConflict {
			t.Fatalf("stale save: status %d, want 409\n%s", status, body)
		}
		for _, want := range []string{"Someone else changed this lead while you were editing it",
			"Job title was changed meanwhile to &#34;CEO&#34;", `value="CTO"`, `value="Popescu"`, `value="Cluj"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the conflict page lacks %s", want)
			}
		}
		if l, _ := leads.Get(ctx, admin, 1); l.JobTitle != "CEO" || l.LastName != "Pop" {
			t.Errorf("a refused save changed the lead: job title %q, last name %q", l.JobTitle, l.LastName)
		}

		status, loc, body := b.post("/leads/1", formFields(body))
		if status != http.StatusSeeOther || loc != "/leads/1" {
			t.Fatalf("saving the conflict form again: %d → %q\n%s", status, loc, body)
		}
		l, _ := leads.Get(ctx, admin, 1)
		if l.JobTitle != "CTO" || l.LastName != "Popescu" || l.City != "Cluj" {
			t.Errorf("after saving again: job title %q, last name %q, city %q; want CTO, Popescu, Cluj", l.JobTitle, l.LastName, l.City)
		}

		_, _, page = b.get("/leads/1/edit")
		form = formFields(page)
		if _, err := leads.Update(ctx, admin, 1, lead.Changes{"company": "Orbit Labs"}); err != nil {
			t.Fatal(err)
		}
		form.Set("first_name", "Anna")
		if status, _, body := b.post("/leads/1", form); status != http.StatusSeeOther {
			t.Fatalf("a stale form changing another field: %d\n%s", status, body)
		}
		if l, _ := leads.Get(ctx, admin, 1); l.FirstName != "Anna" || l.Company != "Orbit Labs" {
			t.Errorf("both changes should land: first name %q, company %q", l.FirstName, l.Company)
		}
	})
}

// patch sends PATCH with an optional If-Match and returns the status,
// the ETag and the decoded answer.
func (f *fixture) patch(t *testing.T, path, ifMatch, body string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens["marketing"])
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("PATCH %s: answer is not JSON: %s", path, raw)
	}
	return resp.StatusCode, resp.Header.Get("ETag"), out
}

// An API client that sends If-Match with the ETag it read gets 409 and
// the error JSON when the lead changed since; without If-Match, a PATCH
// changes the members it names.
func TestAPIConflictOnStaleVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		status, body := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email": "jo@acme.io", "city": "Oslo"}`)
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		path := fmt.Sprintf("/api/v1/leads/%d", int(body["id"].(float64)))
		read := fmt.Sprintf(`"%d"`, int(body["version"].(float64)))

		status, tag, body := f.patch(t, path, read, `{"job_title": "CTO"}`)
		if status != http.StatusOK || tag == read || body["job_title"] != "CTO" || fmt.Sprintf(`"%d"`, int(body["version"].(float64))) != tag {
			t.Fatalf("PATCH at the version read: %d, ETag %s after %s, %v", status, tag, read, body)
		}
		status, _, body = f.patch(t, path, read, `{"job_title": "CEO"}`)
		e, _ := body["error"].(map[string]any)
		if status != http.StatusConflict || e["code"] != "conflict" || e["message"] == "" || errorFields(body)["version"] == nil {
			t.Errorf("PATCH at a stale version: %d %v, want 409 with code conflict naming version", status, body)
		}
		if status, _, body = f.patch(t, path, "", `{"city": "Bergen"}`); status != http.StatusOK || body["job_title"] != "CTO" || body["city"] != "Bergen" {
			t.Errorf("PATCH without If-Match: %d %v", status, body)
		}
		if status, _, body = f.patch(t, path, "yesterday", `{"city": "Bergen"}`); status != http.StatusUnprocessableEntity || errorFields(body)["If-Match"] == nil {
			t.Errorf("PATCH with a malformed If-Match: %d %v", status, body)
		}
	})
}

package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
)

// Owners show by name where users have one: the lead list, the lead's
// page, the deal board's list and the account list read "Ana Pop", with
// the email behind it for those who need it; a user without a name still
// shows as their email.
func TestOwnersShowByName(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, body := f.call(t, "admin", "POST", "/api/v1/users", `{"email":"ana.pop@example.com","name":"Ana Pop","password":"`+testPassword+`","role":"sales"}`); status != http.StatusCreated {
		t.Fatalf("user: %d %v", status, body)
	}
	path := sqlLead(t, f, "admin", `{"email":"cto@named.example","company":"Named Co","owner":"ana.pop@example.com"}`)
	if status, body := f.call(t, "admin", "POST", path+"/convert", `{"opportunity":{"name":"Named deal","amount":1000,"currency":"EUR"}}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	other := sqlLead(t, f, "admin", `{"email":"cfo@unnamed.example","company":"Unnamed Co","owner":"sam@example.com"}`)
	b := newBrowser(t, f.srv.URL)
	b.login("admin@example.com")
	page := strings.TrimPrefix(path, "/api/v1")
	for _, p := range []string{"/leads", page, "/deals?view=list"} {
		status, _, body := b.get(p)
		if status != http.StatusOK || !strings.Contains(textOf(body), "Ana Pop") || !strings.Contains(body, `title="ana.pop@example.com"`) {
			t.Errorf("%s: %d, does not show the owner by name:\n%.400s", p, status, textOf(body))
		}
	}
	if _, _, body := b.get(strings.TrimPrefix(other, "/api/v1")); !strings.Contains(textOf(body), "sam@example.com") {
		t.Errorf("a user without a name does not show as their email")
	}
}

// Stored codes read as words: a source of paid_search shows as "Paid
// search" on the lead list, the lead's page and the dashboard, and an
// event type page_view as "Page view"; a source someone typed stays as
// typed.
func TestCodesReadAsWords(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ad@click.example","source":"paid_search"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	if status, body := f.call(t, "admin", "POST", "/api/v1/events", `{"email":"ad@click.example","type":"page_view","url":"https://x.example/pricing"}`); status >= 300 {
		t.Fatalf("event: %d %v", status, body)
	}
	if status, body := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"fair@typed.example","source":"Trade fair Oslo"}`); status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, body)
	}
	b := newBrowser(t, f.srv.URL)
	b.login("admin@example.com")
	for _, c := range []struct{ path, want string }{
		{"/leads", "Paid search"}, {"/leads", "trade fair oslo"}, {"/reports", "Paid search"},
		{fmt.Sprintf("/leads/%v", l["id"]), "Page view"},
	} {
		status, _, body := b.get(c.path)
		text := visibleText(body)
		if status != http.StatusOK || !strings.Contains(text, c.want) || strings.Contains(text, "paid_search") || strings.Contains(text, "page_view") {
			t.Errorf("%s: %d, want %q and no raw code:\n%s", c.path, status, c.want, text)
		}
	}
}

// visibleText is what a page shows: its main part without tags, so the
// codes in links and form values do not count.
func visibleText(page string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(textOf(page), " ")), " ")
}

// Accounts and contacts sort by their column headers, as leads do: a
// header sorts by its column, a second click reverses it, and the search
// stays.
func TestAccountsSortByHeaders(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, a := range []string{`{"name":"Alpha Ltd","industry":"Retail","country":"NO"}`, `{"name":"Beta Ltd","industry":"Energy","country":"RO"}`} {
		if status, body := f.call(t, "admin", "POST", "/api/v1/accounts", a); status != http.StatusCreated {
			t.Fatalf("account: %d %v", status, body)
		}
	}
	b := newBrowser(t, f.srv.URL)
	b.login("admin@example.com")
	order := func(path string) string {
		t.Helper()
		status, _, body := b.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		return fmt.Sprint(strings.Index(body, "Alpha Ltd") < strings.Index(body, "Beta Ltd"))
	}
	_, _, page := b.get("/accounts?q=ltd")
	link := regexp.MustCompile(`<th scope="col" aria-sort="none"><a href="([^"]*)">Industry`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no Industry header link:\n%s", textOf(page))
	}
	first := strings.ReplaceAll(link[1], "&amp;", "&")
	if !strings.Contains(first, "q=ltd") || !strings.Contains(first, "sort=industry") || order(first) != "false" {
		t.Errorf("sorted by industry (%s): Alpha (Retail) should follow Beta (Energy)", first)
	}
	_, _, page = b.get(first)
	again := regexp.MustCompile(`aria-sort="ascending"><a href="([^"]*)">Industry`).FindStringSubmatch(page)
	if again == nil || order(strings.ReplaceAll(again[1], "&amp;", "&")) != "true" {
		t.Errorf("the second click does not reverse the order: %v", again)
	}
	conv := sqlLead(t, f, "admin", `{"email":"cto@gamma.example","company":"Gamma Ltd"}`)
	if status, body := f.call(t, "admin", "POST", conv+"/convert", `{}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	if status, _, page := b.get("/contacts"); status != http.StatusOK || !strings.Contains(page, `aria-sort="ascending"><a href="/contacts?sort=-name">Name`) {
		t.Errorf("the contact list's headers: %d\n%s", status, textOf(page))
	}
}

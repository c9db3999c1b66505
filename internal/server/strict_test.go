package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/sqldb"
)

// A JSON body says one thing once: a member given twice (which would
// win?) or anything after the object is refused, not guessed at.
func TestAPIRefusesDuplicateMembersAndTrailingData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for body, field := range map[string]string{
			`{"email":"a@b.co","email":"evil@x.io"}`:    "email",
			`{"email":"a@b.co","custom":{"k":1,"k":2}}`: "custom.k",
			`{"email":"a@b.co"}{"email":"c@d.co"}`:      "body",
			`{"email":"a@b.co"} trailing`:               "body",
		} {
			status, out := f.call(t, "marketing", "POST", "/api/v1/leads", body)
			if status != http.StatusUnprocessableEntity || errorFields(out)[field] == nil {
				t.Errorf("%s: %d %v, want 422 naming %s", body, status, out, field)
			}
		}
		// decodeInto's callers too.
		status, out := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Nova","name":"Evil"}`)
		if status != http.StatusUnprocessableEntity || errorFields(out)["name"] == nil {
			t.Errorf("account with a member twice: %d %v", status, out)
		}
		if status, out := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"a@b.co"}`+"\n"); status != http.StatusCreated {
			t.Errorf("one object and a newline: %d %v", status, out)
		}
	})
}

// Signing out clears the session cookie with the same flags it was set
// with, so no script and no plain-HTTP request sees even the clearing.
func TestLogoutCookieIsSecureAndHttpOnly(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	req, _ := http.NewRequest("POST", f.srv.URL+"/logout", nil)
	req.Header.Set("Origin", f.srv.URL)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "leadflow_session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge >= 0 {
				t.Errorf("logout cookie: %s", c.String())
			}
		}
	}
	if !found {
		t.Fatal("logout sets no session cookie")
	}
	for _, h := range resp.Header.Values("Set-Cookie") {
		if !strings.Contains(h, "HttpOnly") {
			t.Errorf("cookie without HttpOnly at logout: %s", h)
		}
	}
}

// A form post (form-encoded, as a browser sends it) without the fill-time
// token is a script that never loaded the form: thanked, kept as spam. A
// JSON post from an integration has no token to send and goes through.
func TestFormPostWithoutTokenIsABot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"}]}`)
		resp, body := post(t, f.srv.URL, "/f/news", "application/x-www-form-urlencoded", "email=script%40bot.io")
		if resp.StatusCode != 200 || !strings.Contains(body, "Thank you!") {
			t.Errorf("tokenless form post: %d", resp.StatusCode)
		}
		if resp, body := post(t, f.srv.URL, "/f/news", "application/json", `{"email":"crm@partner.io"}`); resp.StatusCode != 200 {
			t.Errorf("JSON post: %d %s", resp.StatusCode, body)
		}
		// A person who took their time, with the token of the form shown.
		token := formToken(t, f.srv.URL+"/f/news")
		time.Sleep(forms.MinFillTime)
		post(t, f.srv.URL, "/f/news", "application/x-www-form-urlencoded", url.Values{"email": {"ana@orbit.io"}, "_t": {token}}.Encode())

		_, spam := f.call(t, "admin", "GET", "/api/v1/submissions?status=spam", "")
		_, leads := f.call(t, "admin", "GET", "/api/v1/leads", "")
		var emails []string
		for _, l := range leads["data"].([]any) {
			emails = append(emails, l.(map[string]any)["email"].(string))
		}
		if len(spam["data"].([]any)) != 1 || strings.Join(emails, " ") != "ana@orbit.io crm@partner.io" {
			t.Errorf("%d spam, leads %v; want 1 spam and the JSON and the person's leads", len(spam["data"].([]any)), emails)
		}
	})
}

// formToken reads the fill-time token of the form page at u.
func formToken(t *testing.T, u string) string {
	t.Helper()
	page, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := regexp.MustCompile(`name="_t" value="([^"]+)"`).FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("the form has no token")
	}
	return m[1]
}

// The collector never shows the database's words to the site that sends.
func TestCollectorHidesDatabaseErrors(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	if status, _, _ := admin.post("/scoring/origins", url.Values{"origins": {"https://www.acme.example"}}); status != http.StatusSeeOther {
		t.Fatalf("save sites: %d", status)
	}
	if _, err := db.W.Exec(context.Background(), `ALTER TABLE events RENAME TO events_away`); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/t/collect", strings.NewReader(`{"visitor_id":"v-1","type":"page_view"}`))
	req.Header.Set("Origin", "https://www.acme.example")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(string(body), "events") || strings.Contains(string(body), "table") {
		t.Errorf("collector on a database error: %d %q", resp.StatusCode, body)
	}
}

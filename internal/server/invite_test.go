package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

var inviteLink = regexp.MustCompile(`https://crm\.acme\.example(/invite/[A-Za-z0-9_-]+)`)

func TestAdminInvitesAPersonWhoChoosesTheirPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, smtp := mailFixture(t, db)
		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		status, _, page := admin.post("/users/invitations", url.Values{"email": {"Ingrid.Berg@example.no"}, "name": {"Ingrid Berg"}, "role": {"marketing"}})
		if status != http.StatusCreated || !strings.Contains(page, "An invitation is on its way to Ingrid.Berg@example.no") {
			t.Fatalf("invite: %d\n%s", status, page)
		}
		m := smtp.Wait(t, 1, 10*time.Second)[0]
		got := inviteLink.FindStringSubmatch(m.Text)
		if m.To[0] != "Ingrid.Berg@example.no" || got == nil || !strings.Contains(m.Text, "admin@example.com invites you") {
			t.Fatalf("invitation email to %v: %q", m.To, m.Text)
		}
		link := got[1]

		// A user who already exists cannot be invited again.
		status, _, page = admin.post("/users/invitations", url.Values{"email": {"sam@example.com"}, "role": {"sales"}})
		if status != http.StatusConflict && status != http.StatusUnprocessableEntity || !strings.Contains(page, "already belongs to a user") {
			t.Errorf("inviting an existing user: %d", status)
		}

		guest := newBrowser(t, f.srv.URL)
		status, _, page = guest.get(link)
		if status != 200 || !strings.Contains(page, "Ingrid.Berg@example.no") || !strings.Contains(page, "marketing") {
			t.Fatalf("invitation page: %d\n%s", status, page)
		}
		status, _, page = guest.post(link, url.Values{"name": {"Ingrid Berg"}, "password": {"short"}, "password2": {"short"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "at least 10 characters") {
			t.Errorf("short password: %d", status)
		}
		status, _, page = guest.post(link, url.Values{"name": {"Ingrid Berg"}, "password": {"fjord and mountain"}, "password2": {"fjord and mountains"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "does not match") {
			t.Errorf("mismatched passwords: %d", status)
		}
		status, loc, _ := guest.post(link, url.Values{"name": {"Ingrid Berg"}, "password": {"fjord and mountain"}, "password2": {"fjord and mountain"}})
		if status != http.StatusSeeOther || loc != "/home" {
			t.Fatalf("accept: %d → %q", status, loc)
		}
		// Signed in as the new user, with the role invited.
		if status, _, page = guest.get("/account"); status != 200 || !strings.Contains(page, "Ingrid.Berg@example.no") {
			t.Errorf("new user's account page: %d", status)
		}
		_, users := f.call(t, "admin", "GET", "/api/v1/users", "")
		found := false
		for _, u := range users["data"].([]any) {
			if u := u.(map[string]any); u["email"] == "Ingrid.Berg@example.no" {
				found = u["role"] == "marketing" && u["name"] == "Ingrid Berg"
			}
		}
		if !found {
			t.Errorf("the invited user is not listed as marketing: %v", users["data"])
		}
		// The link works once.
		if status, _, page = newBrowser(t, f.srv.URL).get(link); status != http.StatusGone || !strings.Contains(page, "used already") {
			t.Errorf("used link: %d", status)
		}
		// The email's status is written just after the server took it.
		var inv map[string]any
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			_, list := f.call(t, "admin", "GET", "/api/v1/invitations", "")
			inv = list["data"].([]any)[0].(map[string]any)
			if inv["mail_status"] == "sent" || time.Now().After(deadline) {
				break
			}
		}
		if inv["state"] != "accepted" || inv["mail_status"] != "sent" {
			t.Errorf("invitation as listed: %v", inv)
		}
	})
}

func TestInvitationWithoutEmailGivesTheLinkAndCanBeWithdrawn(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	status, inv := f.call(t, "admin", "POST", "/api/v1/invitations", `{"email":"luca@example.it","role":"sales"}`)
	link, _ := inv["link"].(string)
	if status != 201 || inv["mail_status"] != "" || !strings.Contains(link, "/invite/") {
		t.Fatalf("invite: %d %v", status, inv)
	}
	path := link[strings.Index(link, "/invite/"):]
	if status, _, _ := newBrowser(t, f.srv.URL).get(path); status != 200 {
		t.Fatalf("link before withdrawal: %d", status)
	}
	if status, _ := f.call(t, "sales", "POST", "/api/v1/invitations", `{"email":"x@example.it","role":"admin"}`); status != 403 {
		t.Errorf("a sales user invited: %d", status)
	}
	if status, body := f.call(t, "admin", "DELETE", fmt.Sprintf("/api/v1/invitations/%v", inv["id"]), ""); status != 204 {
		t.Fatalf("withdraw: %d %v", status, body)
	}
	status, _, page := newBrowser(t, f.srv.URL).post(path, url.Values{"password": {"a long password"}, "password2": {"a long password"}})
	if status != http.StatusGone || !strings.Contains(page, "withdrawn") {
		t.Errorf("withdrawn link: %d", status)
	}
}

// Two posts of one invitation at once (a double click) make one user.
func TestAcceptingAnInvitationTwiceAtOnceMakesOneUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, inv := f.call(t, "admin", "POST", "/api/v1/invitations", `{"email":"giulia@example.it","role":"sales"}`)
		link := inv["link"].(string)
		path := link[strings.Index(link, "/invite/"):]
		var wg sync.WaitGroup
		codes := make([]int, 6)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = newBrowser(t, f.srv.URL).post(path, url.Values{"password": {"una password lunga"}, "password2": {"una password lunga"}})
			}()
		}
		wg.Wait()
		made := 0
		for _, c := range codes {
			switch c {
			case http.StatusSeeOther:
				made++
			case http.StatusGone:
			default:
				t.Errorf("answer %d among %v", c, codes)
			}
		}
		var n int
		db.R.QueryRow(t.Context(), `SELECT count(*) FROM users WHERE email = 'giulia@example.it'`).Scan(&n)
		if made != 1 || n != 1 {
			t.Errorf("%d accepted, %d users; want one of each (answers %v)", made, n, codes)
		}
	})
}

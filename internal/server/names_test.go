package server_test

import (
	"net/http"
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

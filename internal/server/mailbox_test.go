package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// The mailbox settings page: an admin connects a mailbox, a read that
// fails shows its error there, and bad fields come back named.
func TestMailboxSettingsShowErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("admin@example.com")
		status, _, page := b.post("/settings/mailboxes", url.Values{"name": {""}, "address": {"imap.example.com"}, "username": {"sales"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Server must be a host and port") || !strings.Contains(page, `value="sales"`) {
			t.Errorf("bad mailbox: %d", status)
		}
		// Nothing listens on port 1 of this machine.
		status, loc, _ := b.post("/settings/mailboxes", url.Values{"name": {"Sales"}, "address": {"127.0.0.1:1"}, "security": {"none"},
			"username": {"sales@example.com"}, "password": {"app-password"}})
		if status != http.StatusSeeOther || loc != "/settings/mailboxes" {
			t.Fatalf("connect: %d → %s", status, loc)
		}
		_, list := f.call(t, "admin", "GET", "/api/v1/mailboxes", "")
		data, _ := list["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("mailboxes %v", list)
		}
		id := fmt.Sprint(data[0].(map[string]any)["id"])
		if _, ok := data[0].(map[string]any)["password"]; ok {
			t.Error("the API shows the password")
		}
		b.post("/settings/mailboxes/"+id+"/check", url.Values{})
		_, _, page = b.get("/settings/mailboxes")
		if !strings.Contains(page, "Could not read it: connect to 127.0.0.1:1") {
			t.Errorf("the settings page does not show the mailbox's error:\n%.3000s", textOf(page))
		}
		_, mb := f.call(t, "admin", "POST", "/api/v1/mailboxes/"+id+"/fetch", "")
		if e, _ := mb["last_error"].(string); !strings.Contains(e, "connect to 127.0.0.1:1") {
			t.Errorf("fetch over the API: %v", mb)
		}
		if status, _ := f.call(t, "marketing", "GET", "/api/v1/mailboxes", ""); status != http.StatusForbidden {
			t.Errorf("marketing listed mailboxes: %d", status)
		}
	})
}

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

// A lead from an existing account's company, through the API: linked at
// once, given to the account's owner when the assignment option says so,
// shown on the account, hidden from another sales user, and undone once;
// the pages show the link and its undo.
func TestAccountLinkThroughAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		status, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Acme Corp","website":"https://acme.com","owner":"sam@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("account: %d %v", status, acc)
		}
		accID := fmt.Sprint(acc["id"])
		if status, body := f.call(t, "marketing", "PUT", "/api/v1/assignment/settings", `{"account_owner":true}`); status != http.StatusForbidden {
			t.Errorf("marketing set the routing: %d %v", status, body)
		}
		status, st := f.call(t, "admin", "PUT", "/api/v1/assignment/settings", `{"account_owner":true}`)
		if status != http.StatusOK || st["account_owner"] != true {
			t.Fatalf("settings: %d %v", status, st)
		}
		status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"jo@eu.acme.com","first_name":"Jo"}`)
		if status != http.StatusCreated || l["owner"] != "sam@example.com" {
			t.Fatalf("lead: %d %v, want it given to Sam, Acme's owner", status, l)
		}
		id := fmt.Sprint(l["id"])
		status, link := f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/account-link", "")
		if status != http.StatusOK || fmt.Sprint(link["account_id"]) != accID || link["matched_by"] != "email_domain" ||
			link["matched_on"] != "acme.com" || link["undone_at"] != nil {
			t.Errorf("link: %d %v", status, link)
		}
		if status, _ := f.call(t, "sales2", "GET", "/api/v1/leads/"+id+"/account-link", ""); status != http.StatusForbidden {
			t.Errorf("another sales user read the link: %d", status)
		}
		_, free := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"jo@gmail.com"}`)
		if status, _ := f.call(t, "marketing", "GET", fmt.Sprintf("/api/v1/leads/%v/account-link", free["id"]), ""); status != http.StatusNotFound {
			t.Errorf("a free-mail lead's link: %d, want 404", status)
		}
		_, detail := f.call(t, "sales2", "GET", "/api/v1/accounts/"+accID, "")
		if linked, _ := detail["linked_leads"].([]any); len(linked) != 0 {
			t.Errorf("another sales user sees Sam's lead on the account: %v", linked)
		}
		_, detail = f.call(t, "sales", "GET", "/api/v1/accounts/"+accID, "")
		if linked, _ := detail["linked_leads"].([]any); len(linked) != 1 || fmt.Sprint(linked[0].(map[string]any)["lead_id"]) != id {
			t.Errorf("Acme's linked leads: %v", detail["linked_leads"])
		}

		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		_, _, page := b.get("/leads/" + id)
		if !strings.Contains(page, `id="account-link"`) || !strings.Contains(page, "matched on email domain acme.com") {
			t.Errorf("the lead's page does not show the link:\n%.2000s", textOf(page))
		}
		_, _, page = b.get("/accounts/" + accID)
		if !strings.Contains(page, `href="/leads/`+id+`"`) || !strings.Contains(page, "Leads from this company") {
			t.Errorf("the account's page does not list the lead")
		}
		status, loc, _ := b.post("/leads/"+id+"/account/unlink", url.Values{"next": {"/accounts/" + accID}})
		if status != http.StatusSeeOther || loc != "/accounts/"+accID {
			t.Errorf("undo from the account's page: %d → %s", status, loc)
		}
		_, _, page = b.get("/leads/" + id)
		if !strings.Contains(page, "link undone") {
			t.Errorf("the lead's page does not say the link was undone")
		}
		if status, body := f.call(t, "sales", "DELETE", "/api/v1/leads/"+id+"/account-link", ""); status != http.StatusConflict {
			t.Errorf("second undo: %d %v, want 409", status, body)
		}
		_, link = f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/account-link", "")
		if link["undone_at"] == nil || link["undone_by"] != "sam@example.com" {
			t.Errorf("after the undo: %v", link)
		}
		_, audit := f.call(t, "admin", "GET", "/api/v1/audit?action=lead.account_unlink", "")
		if data, _ := audit["data"].([]any); len(data) != 1 {
			t.Errorf("audit entries for the undo: %v", audit)
		}
	})
}

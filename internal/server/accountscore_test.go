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

// An account's score, tier and people's timeline over HTTP: the events
// of its linked leads make its engagement, a tier is set from the API
// and from the page, and the account rules are edited by marketing only.
func TestAccountScoreThroughAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Fjord Shipping AS","website":"fjordship.no","employees":450,"country":"NO","revenue":60000000}`)
		accID := fmt.Sprint(acc["id"])
		if acc["revenue"] != 60000000.0 {
			t.Errorf("revenue %v", acc["revenue"])
		}
		_, score := f.call(t, "sales", "GET", "/api/v1/accounts/"+accID+"/score", "")
		if score["fit"] != 45.0 || score["engagement"] != 0.0 || score["suggested_tier"] != 2.0 || score["tier"] != nil {
			t.Errorf("score before any event: %v", score)
		}
		for _, email := range []string{"ada@fjordship.no", "bo@fjordship.no"} {
			f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"`+email+`"}`)
		}
		status, _ := f.call(t, "marketing", "POST", "/api/v1/events", `{"events":[
			{"email":"ada@fjordship.no","type":"quote_request"},{"email":"bo@fjordship.no","type":"pricing_page_view"}]}`)
		if status >= 300 {
			t.Fatalf("events: %d", status)
		}
		_, score = f.call(t, "sales", "GET", "/api/v1/accounts/"+accID+"/score", "")
		if e, _ := score["engagement"].(float64); e < 39 || e > 40 || score["score"] != 85.0 || score["suggested_tier"] != 1.0 {
			t.Errorf("score after a quote request and a pricing page: %v", score)
		}
		_, tl := f.call(t, "sales", "GET", "/api/v1/accounts/"+accID+"/timeline", "")
		if data, _ := tl["data"].([]any); len(data) != 2 {
			t.Errorf("timeline %v", tl)
		}
		if status, body := f.call(t, "sales", "PUT", "/api/v1/accounts/"+accID+"/tier", `{"tier":0}`); status != http.StatusUnprocessableEntity || errorFields(body)["tier"] == nil {
			t.Errorf("tier 0: %d %v", status, body)
		}
		if status, body := f.call(t, "sales", "PUT", "/api/v1/accounts/"+accID+"/tier", `{"tier":2}`); status != http.StatusOK || body["tier"] != 2.0 {
			t.Errorf("tier 2: %d %v", status, body)
		}
		if status, _ := f.call(t, "sales", "PUT", "/api/v1/account-scoring", `{"hot":1,"warm":1}`); status != http.StatusForbidden {
			t.Errorf("sales changed the account rules: %d", status)
		}
		status, body := f.call(t, "marketing", "PUT", "/api/v1/account-scoring", `{"fit":[{"field":"job_title","op":"equals","values":["x"],"points":5}],"hot":50,"warm":60,"tier_1":50,"tier_2":20}`)
		if fields := errorFields(body); status != http.StatusUnprocessableEntity || fields["fit.0.field"] == nil || fields["warm"] == nil {
			t.Errorf("bad rules: %d %v", status, body)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		if status, loc, _ := b.post("/accounts/"+accID+"/tier", url.Values{"tier": {"1"}}); status != http.StatusSeeOther || loc != "/accounts/"+accID {
			t.Errorf("tier form: %d → %s", status, loc)
		}
		_, _, page := b.get("/accounts/" + accID)
		for _, want := range []string{`id="account-tier">Tier 1`, `id="account-score">85`, "Mid-market (200-999)", "Quote request"} {
			if !strings.Contains(page, want) {
				t.Errorf("the account page lacks %q", want)
			}
		}
		m := newBrowser(t, f.srv.URL)
		m.login("mia@example.com")
		form := url.Values{"hot": {"80"}, "warm": {"40"}, "tier_1": {"80"}, "tier_2": {"40"}, "rows": {"2"},
			"f0_field": {"industry"}, "f0_op": {"equals"}, "f0_values": {"Shipping"}, "f0_points": {"25"}, "f0_label": {"Shipping"},
			"f1_field": {"employees"}, "f1_op": {"gte"}, "f1_values": {"many"}, "f1_points": {"5"}}
		if status, _, page := m.post("/accounts/scoring", form); status != http.StatusUnprocessableEntity || !strings.Contains(page, "fit.1.values") || !strings.Contains(page, `value="Shipping"`) {
			t.Errorf("bad rule from the editor: %d", status)
		}
		form.Set("f1_values", "400")
		if status, _, _ := m.post("/accounts/scoring", form); status != http.StatusSeeOther {
			t.Errorf("rules from the editor: %d", status)
		}
		// The account report: the tier-1 account is engaged (its people
		// acted today), with no deal yet.
		_, rep := f.call(t, "sales", "GET", "/api/v1/reports/accounts?days=7", "")
		tiers, _ := rep["tiers"].([]any)
		if len(tiers) != 4 || fmt.Sprint(tiers[0].(map[string]any)["engaged"]) != "1" || fmt.Sprint(tiers[0].(map[string]any)["accounts"]) != "1" {
			t.Errorf("account report %v", rep)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/reports/accounts?days=0", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("days=0: %d", status)
		}
		if _, _, page := b.get("/reports/accounts"); !strings.Contains(page, "Fjord Shipping AS") || !strings.Contains(page, "no opportunity yet") {
			t.Errorf("the account report page lacks the target account")
		}
		_, rules := f.call(t, "sales", "GET", "/api/v1/account-scoring", "")
		if fit, _ := rules["fit"].([]any); len(fit) != 2 {
			t.Errorf("saved rules %v", rules)
		}
	})
}

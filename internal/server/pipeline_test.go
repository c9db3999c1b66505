package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
	"leadflow/internal/sqldb"
)

// sqlLead creates a lead as role and qualifies it into an SQL, by the API.
func sqlLead(t *testing.T, f *fixture, role, body string) string {
	t.Helper()
	status, l := f.call(t, role, "POST", "/api/v1/leads", `{"stage":"mql",`+strings.TrimPrefix(body, "{"))
	if status != 201 {
		t.Fatalf("create: %d %v", status, l)
	}
	path := fmt.Sprintf("/api/v1/leads/%v", l["id"])
	if status, q := f.call(t, role, "POST", path+"/qualify", `{"authority":"decision_maker","need":"a CRM","timing":"2027-Q2","outcome":"sql"}`); status != 200 {
		t.Fatalf("qualify: %d %v", status, q)
	}
	return path
}

func TestAssignmentConversionAndDealsByAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		if status, body := f.call(t, "sales", "POST", "/api/v1/assignment/rules", `{"name":"x","members":["sam@example.com"]}`); status != 403 {
			t.Errorf("sales made a rule: %d %v", status, body)
		}
		status, rule := f.call(t, "admin", "POST", "/api/v1/assignment/rules",
			`{"name":"Nordics","countries":["NO","Sweden"],"members":["sam@example.com","sue@example.com"]}`)
		if status != 201 || rule["position"] != 1.0 || rule["countries"].([]any)[1] != "SE" {
			t.Fatalf("rule: %d %v", status, rule)
		}
		if status, body := f.call(t, "admin", "PUT", "/api/v1/assignment/settings", `{"fallback_owner":"nobody@example.com","sla_hours":{"hot":0}}`); status != 422 || len(errorFields(body)) != 2 {
			t.Errorf("bad settings: %d %v", status, body)
		}
		var owners []any
		for i := range 2 {
			_, l := f.call(t, "marketing", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"p%d@fjord.no","country":"Norway"}`, i))
			owners = append(owners, l["owner"])
			if l["contact_due_at"] == nil || l["overdue"] != false {
				t.Errorf("assigned lead without a deadline: %v", l)
			}
		}
		if fmt.Sprint(owners) != "[sam@example.com sue@example.com]" {
			t.Errorf("round robin by API: %v", owners)
		}

		path := sqlLead(t, f, "sales", `{"email":"cto@fjordsoft.no","company":"Fjordsoft AS","website":"fjordsoft.no"}`)
		status, conv := f.call(t, "sales", "POST", path+"/convert",
			`{"opportunity":{"name":"Fjordsoft CRM","amount":12000,"currency":"NOK","close_date":"2027-03-01"}}`)
		if status != 201 || conv["account_matched"] != false || conv["opportunity_id"] == nil {
			t.Fatalf("convert: %d %v", status, conv)
		}
		if status, again := f.call(t, "sales", "POST", path+"/convert", `{}`); status != 409 {
			t.Errorf("second conversion: %d %v", status, again)
		}
		lead := conv["lead"].(map[string]any)
		if lead["stage"] != "opportunity" || lead["converted"].(map[string]any)["account_id"] != conv["account_id"] {
			t.Errorf("converted lead %v", lead)
		}
		account := fmt.Sprintf("/api/v1/accounts/%v", conv["account_id"])
		status, acc := f.call(t, "sales2", "GET", account, "")
		if status != 200 || acc["domain"] != "fjordsoft.no" || len(acc["contacts"].([]any)) != 0 || len(acc["leads"].([]any)) != 0 {
			t.Errorf("another sales user sees the account but not sam's records: %d %v", status, acc)
		}
		_, acc = f.call(t, "admin", "GET", account, "")
		if len(acc["contacts"].([]any)) != 1 || len(acc["opportunities"].([]any)) != 1 || len(acc["leads"].([]any)) != 1 {
			t.Errorf("account for admin: %v", acc)
		}

		deal := fmt.Sprintf("/api/v1/opportunities/%v", conv["opportunity_id"])
		if status, _ := f.call(t, "sales2", "GET", deal, ""); status != 403 {
			t.Errorf("sue read sam's deal: %d", status)
		}
		if status, body := f.call(t, "sales", "PATCH", deal, `{"stage":"lost"}`); status != 422 || errorFields(body)["lost_reason"] == nil {
			t.Errorf("lost without a reason: %d %v", status, body)
		}
		status, o := f.call(t, "sales", "PATCH", deal, `{"stage":"won","amount":15000}`)
		if status != 200 || o["stage"] != "won" || o["amount"] != 15000.0 || o["closed_at"] == nil {
			t.Fatalf("won: %d %v", status, o)
		}
		if _, l := f.call(t, "sales", "GET", path, ""); l["stage"] != "customer" {
			t.Errorf("won deal's lead is %v", l["stage"])
		}
		status, list := f.call(t, "sales", "GET", "/api/v1/contacts?limit=1", "")
		if status != 200 || list["total"] != 1.0 || list["data"].([]any)[0].(map[string]any)["stage"] != "customer" {
			t.Errorf("contacts: %d %v", status, list)
		}
		if _, list := f.call(t, "sales2", "GET", "/api/v1/opportunities", ""); list["total"] != 0.0 {
			t.Errorf("sue lists sam's deals: %v", list)
		}
		if status, p := f.call(t, "admin", "PUT", "/api/v1/pipeline", `{"open_stages":["Discovery","Demo"]}`); status != 200 || len(p["stages"].([]any)) != 4 {
			t.Errorf("pipeline: %d %v", status, p)
		}
		if status, p := f.call(t, "admin", "PUT", "/api/v1/disqualify-reasons", `{"reasons":["no fit","spam"]}`); status != 200 || len(p["reasons"].([]any)) != 2 {
			t.Errorf("reasons: %d %v", status, p)
		}
		_, other := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"x@spam.example"}`)
		if status, body := f.call(t, "sales", "PATCH", fmt.Sprintf("/api/v1/leads/%v", other["id"]), `{"stage":"disqualified","stage_reason":"competitor"}`); status != 422 || !strings.Contains(fmt.Sprint(errorFields(body)), "no fit, spam") {
			t.Errorf("a reason no longer listed was accepted: %d %v", status, body)
		}
	})
}

func TestConvertAndBoardPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		path := sqlLead(t, f, "sales", `{"email":"ceo@kiwi.nz","first_name":"Aroha","last_name":"Ngata","company":"Kiwi Labs Ltd"}`)
		page := strings.TrimPrefix(path, "/api/v1")
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		if status, loc, _ := b.get("/"); status != http.StatusSeeOther || loc != "/home" {
			t.Errorf("/ goes to %d %s", status, loc)
		}
		_, _, html := b.get(page)
		if !strings.Contains(html, `href="`+page+`/convert"`) || !strings.Contains(html, "First contact made") {
			t.Fatalf("the SQL's page offers no conversion, or does not say it was contacted")
		}
		_, _, html = b.get(page + "/convert")
		if !strings.Contains(html, "a new one is created") || !strings.Contains(html, `value="Kiwi Labs Ltd"`) {
			t.Errorf("convert page does not propose a new account")
		}
		form := url.Values{"account_name": {"Kiwi Labs Ltd"}, "open_deal": {"on"}, "deal_name": {"Kiwi pilot"}, "amount": {"lots"}, "currency": {"NZD"}, "close_date": {"2027-01-31"}, "stage": {"qualification"}}
		status, _, html := b.post(page+"/convert", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(html, "Amount must be a whole amount") || !strings.Contains(html, `value="Kiwi pilot"`) {
			t.Errorf("refused conversion: %d", status)
		}
		form.Set("amount", "8,500")
		status, loc, _ := b.post(page+"/convert", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/accounts/") {
			t.Fatalf("convert: %d %s", status, loc)
		}
		_, _, html = b.get(loc)
		if !strings.Contains(html, "Kiwi pilot") || !strings.Contains(html, "8,500 NZD") || !strings.Contains(html, "Aroha Ngata") {
			t.Errorf("account page lacks its contact or deal")
		}
		if status, _, _ := b.get(page + "/convert"); status != http.StatusConflict {
			t.Errorf("convert page of a converted lead: %d", status)
		}

		_, _, html = b.get("/deals")
		i := strings.Index(html, `action="/deals/`)
		if i < 0 || !strings.Contains(html, "Kiwi pilot") || !strings.Contains(html, "8,500 NZD") {
			t.Fatalf("board lacks the deal")
		}
		move := html[i+len(`action="`) : i+strings.Index(html[i:], `/move"`)+len("/move")]
		status, _, html = b.post(move, url.Values{"stage": {"lost"}, "back": {"/deals"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(html, "Reason is required when a deal is lost") || !strings.Contains(html, `value="lost" selected`) {
			t.Errorf("lost without reason: %d", status)
		}
		if status, loc, _ := b.post(move, url.Values{"stage": {"won"}, "back": {"/deals"}}); status != http.StatusSeeOther || loc != "/deals" {
			t.Errorf("won from the board: %d %s", status, loc)
		}
		_, _, html = b.get(page)
		if !strings.Contains(html, ">Customer</span>") || !strings.Contains(html, `id="converted"`) {
			t.Errorf("the lead of a won deal is not a customer")
		}

		// Another sales user sees none of it; only an admin sets the rules.
		sue := newBrowser(t, f.srv.URL)
		sue.login("sue@example.com")
		if status, _, _ := sue.get(strings.TrimSuffix(move, "/move")); status != http.StatusForbidden {
			t.Errorf("sue opened sam's deal: %d", status)
		}
		if status, _, _ := sue.get("/assignment"); status != http.StatusForbidden {
			t.Errorf("sales opened assignment: %d", status)
		}
		admin := newBrowser(t, f.srv.URL)
		admin.login("admin@example.com")
		status, _, html = admin.post("/assignment/rules", url.Values{"name": {"APAC"}, "countries": {"New Zealand, Mordor"}, "applies_to": {"new"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(html, `&#34;Mordor&#34; is not a country`) || !strings.Contains(html, `value="APAC"`) {
			t.Errorf("bad rule form: %d", status)
		}
		if status, _, _ := admin.post("/assignment/rules", url.Values{"name": {"APAC"}, "countries": {"NZ, AU"}, "members": {"sue@example.com"}}); status != http.StatusSeeOther {
			t.Errorf("rule form: %d", status)
		}
		_, _, html = admin.get("/assignment")
		if !strings.Contains(html, "1. APAC") || !strings.Contains(html, "→ sue@example.com") {
			t.Errorf("assignment page does not list the rule")
		}
		for _, p := range []string{"/home", "/accounts", "/contacts", "/deals?view=list", "/settings/pipeline", "/accounts?q=nothing"} {
			if status, _, _ := admin.get(p); status != http.StatusOK {
				t.Errorf("%s: %d", p, status)
			}
		}
	})
}

// Sue, in sales, names Sam's contact on a deal of the account they share,
// by the API and by the deal form: both refuse her, naming contact_id,
// and no deal is opened.
func TestSalesCannotOpenADealWithAnotherOwnersContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		path := sqlLead(t, f, "sales", `{"email":"cto@tundra.fi","company":"Tundra Oy"}`)
		status, conv := f.call(t, "sales", "POST", path+"/convert", `{}`)
		if status != 201 {
			t.Fatalf("convert: %d %v", status, conv)
		}
		status, body := f.call(t, "sales2", "POST", "/api/v1/opportunities",
			fmt.Sprintf(`{"account_id":%v,"contact_id":%v,"name":"Mine now"}`, conv["account_id"], conv["contact_id"]))
		if status != 403 || errorFields(body)["contact_id"] == nil {
			t.Errorf("API: sue opened a deal with sam's contact: %d %v", status, body)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("sue@example.com")
		status, _, html := b.post("/deals", url.Values{"account_id": {fmt.Sprint(conv["account_id"])}, "contact_id": {fmt.Sprint(conv["contact_id"])},
			"deal_name": {"Mine now"}})
		if status != 403 || !strings.Contains(html, "another sales user") {
			t.Errorf("form: sue opened a deal with sam's contact: %d", status)
		}
		if _, list := f.call(t, "admin", "GET", "/api/v1/opportunities", ""); list["total"] != 0.0 {
			t.Errorf("%v deals after two refused ones", list["total"])
		}
	})
}

// A deal's amount is bounded (10^15), by the API and the form alike; and
// deals whose amounts sum past what 64 bits hold, as rows stored before
// the bound may, still show on the board with their exact total.
func TestDealAmountsAreBoundedAndBoardTotalsDoNotOverflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		path := sqlLead(t, f, "sales", `{"email":"cfo@vast.example","company":"Vast Inc"}`)
		status, conv := f.call(t, "sales", "POST", path+"/convert", `{}`)
		if status != 201 {
			t.Fatalf("convert: %d %v", status, conv)
		}
		for _, amount := range []string{"9223372036854775807", "1000000000000001"} {
			status, body := f.call(t, "sales", "POST", "/api/v1/opportunities",
				fmt.Sprintf(`{"account_id":%v,"name":"Huge","amount":%s,"currency":"EUR"}`, conv["account_id"], amount))
			if status != 422 || errorFields(body)["amount"] == nil {
				t.Errorf("API amount %s: %d %v", amount, status, body)
			}
		}
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		status, _, html := b.post("/deals", url.Values{"account_id": {fmt.Sprint(conv["account_id"])}, "deal_name": {"Huge"},
			"amount": {"9223372036854775807"}, "currency": {"EUR"}})
		if status != 422 || !strings.Contains(html, "1,000,000,000,000,000") {
			t.Errorf("form: a huge amount gives %d", status)
		}
		var ids []any
		for range 2 {
			status, o := f.call(t, "sales", "POST", "/api/v1/opportunities",
				fmt.Sprintf(`{"account_id":%v,"name":"Largest","amount":1000000000000000,"currency":"EUR"}`, conv["account_id"]))
			if status != 201 {
				t.Fatalf("the largest amount: %d %v", status, o)
			}
			ids = append(ids, o["id"])
		}
		// Rows from before the bound.
		if _, err := db.W.Exec(t.Context(), `UPDATE opportunities SET amount = 9223372036854775807 WHERE id IN (?, ?)`, ids...); err != nil {
			t.Fatal(err)
		}
		status, _, html = b.get("/deals")
		if status != 200 || !strings.Contains(html, "18,446,744,073,709,551,614 EUR") {
			t.Errorf("board: %d, exact total missing", status)
		}
	})
}

// An open deal whose expected close date has passed is flagged overdue on
// the board and in the list; a won one, or one closing later, is not.
func TestBoardFlagsOverdueOpenDeals(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Orbit"}`)
	past, future := time.Now().AddDate(0, 0, -3).Format(time.DateOnly), time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	for _, d := range []struct{ name, close, stage string }{{"Late deal", past, ""}, {"Won deal", past, "won"}, {"Next month", future, ""}} {
		body := fmt.Sprintf(`{"account_id":%v,"name":%q,"amount":1000,"currency":"EUR","close_date":%q}`, acc["id"], d.name, d.close)
		status, o := f.call(t, "sales", "POST", "/api/v1/opportunities", body)
		if status != 201 {
			t.Fatalf("deal %s: %d %v", d.name, status, o)
		}
		if d.stage != "" {
			if status, o := f.call(t, "sales", "PATCH", fmt.Sprintf("/api/v1/opportunities/%v", o["id"]), `{"stage":"won"}`); status != 200 {
				t.Fatalf("win: %d %v", status, o)
			}
		}
	}
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	for _, path := range []string{"/deals", "/deals?view=list"} {
		_, _, html := b.get(path)
		flagged := regexp.MustCompile(`(?s)(Late deal|Won deal|Next month).{0,600}?(badge overdue|</li>|</tr>)`).FindAllStringSubmatch(html, -1)
		got := map[string]bool{}
		for _, m := range flagged {
			if _, seen := got[m[1]]; !seen { // the deal's name, not a later mention of it
				got[m[1]] = m[2] == "badge overdue"
			}
		}
		if !got["Late deal"] || got["Won deal"] || got["Next month"] {
			t.Errorf("%s flags %v; want only the late open deal", path, got)
		}
	}
}

// A move to "lost" without its reason is refused, and the deal's page
// shown again keeps its edit form filled with the deal (it came back
// empty: name, amount, currency, close date, owner).
func TestRefusedMoveLeavesTheDealsFormFilled(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
	_, deal := f.call(t, "sales", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Renewal","amount":5000,"currency":"EUR","close_date":"2027-01-15"}`, acc["id"]))
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	status, _, page := b.post(fmt.Sprint("/deals/", deal["id"], "/move"), url.Values{"stage": {"lost"}, "lost_reason": {""}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("lost without a reason: %d", status)
	}
	got := formFields(page)
	for name, want := range map[string]string{"deal_name": "Renewal", "amount": "5000", "currency": "EUR", "close_date": "2027-01-15", "stage": "lost"} {
		if got.Get(name) != want {
			t.Errorf("after the refused move, %s shows %q, want %q", name, got.Get(name), want)
		}
	}
}

// A deal lost for one of the reasons the move form offers, stored as its
// code (as the API and the demo store it), reads in the reader's language
// on the deal's page and on the board ("Persa: price" showed).
func TestLostReasonReadsInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
	_, deal := f.call(t, "sales", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Renewal","amount":5000,"currency":"EUR"}`, acc["id"]))
	b := browserIn(t, f, "sam@example.com", "it")
	if status, _, page := b.post(fmt.Sprint("/deals/", deal["id"], "/move"), url.Values{"stage": {"lost"}, "lost_reason": {"price"}}); status != http.StatusSeeOther {
		t.Fatalf("lost for its price: %d %.300s", status, page)
	}
	it := i18n.For("it")
	want := html.EscapeString(it.T("deals.lost_reason", "Reason", it.T("lostr.price")))
	for _, path := range []string{fmt.Sprint("/deals/", deal["id"]), "/deals"} {
		if _, _, page := b.get(path); !strings.Contains(page, want) {
			t.Errorf("%s does not say %q", path, want)
		}
	}
}

// A deal's name emptied in its edit form is refused with the reason and
// what was typed, rather than saved as "saved" with the old name kept.
func TestDealFormRefusesAnEmptiedName(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
	status, deal := f.call(t, "sales", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Renewal","amount":5000,"currency":"EUR"}`, acc["id"]))
	if status != http.StatusCreated {
		t.Fatalf("deal: %d %v", status, deal)
	}
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	path := fmt.Sprint("/deals/", deal["id"])
	status, _, page := b.post(path, url.Values{"deal_name": {" "}, "amount": {"7000"}, "currency": {"EUR"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "is required") || !strings.Contains(page, `value="7000"`) {
		t.Errorf("an emptied name: %d, not refused with what was typed", status)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1/opportunities/"+fmt.Sprint(deal["id"]), ""); got["name"] != "Renewal" || got["amount"] != 5000.0 {
		t.Errorf("after the refused edit: %v", got)
	}
	// The API tells a name sent empty from one left out.
	api := "/api/v1/opportunities/" + fmt.Sprint(deal["id"])
	if status, body := f.call(t, "sales", "PATCH", api, `{"name":""}`); status != http.StatusUnprocessableEntity || errorFields(body)["name"] == nil {
		t.Errorf("PATCH with an empty name: %d %v", status, body)
	}
	if status, body := f.call(t, "sales", "PATCH", api, `{"amount":5500}`); status != http.StatusOK || body["name"] != "Renewal" || body["amount"] != 5500.0 {
		t.Errorf("PATCH of the amount alone: %d %v", status, body)
	}
}

// TestDealFormFromAStalePageKeepsWhatWasTyped edits a deal from a page
// drawn before someone else changed it: the edit is refused, in the
// reader's language, with the values typed, and the other change stays.
func TestDealFormFromAStalePageKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
	_, deal := f.call(t, "sales", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Renewal","amount":5000,"currency":"EUR"}`, acc["id"]))
	path := fmt.Sprint("/deals/", deal["id"])
	b := browserIn(t, f, "sam@example.com", "it")
	_, _, page := b.get(path)
	form := formFields(page)
	if form.Get("version") == "" {
		t.Fatalf("the edit form carries no version: %v", form)
	}
	if status, body := f.call(t, "admin", "PATCH", "/api/v1"+strings.Replace(path, "deals", "opportunities", 1), `{"amount":6000}`); status != http.StatusOK {
		t.Fatalf("the other change: %d %v", status, body)
	}
	form.Set("deal_name", "Rinnovo 2027")
	form.Set("amount", "7000")
	status, _, page := b.post(path, form)
	expectPage(t, "the stale edit", page, []string{"Qualcuno ha modificato questa trattativa", `value="Rinnovo 2027"`, `value="7000"`},
		[]string{"Someone changed"})
	if status != http.StatusConflict {
		t.Errorf("the stale edit: %d, want 409", status)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1/opportunities/"+fmt.Sprint(deal["id"]), ""); got["name"] != "Renewal" || got["amount"] != 6000.0 {
		t.Errorf("after the stale edit: %v", got)
	}
	// Saved again from the refused page, the values kept replace the
	// other change knowingly.
	if status, _, _ := b.post(path, formFields(page)); status != http.StatusSeeOther {
		t.Errorf("the kept values saved again: %d", status)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1/opportunities/"+fmt.Sprint(deal["id"]), ""); got["name"] != "Rinnovo 2027" || got["amount"] != 7000.0 {
		t.Errorf("after the kept values were saved again: %v", got)
	}
}

// TestConcurrentDealPatchesBothLand sends PATCHes of different members
// of one deal at once, on both databases: each lands, none undoes the
// other with the value it read before.
func TestConcurrentDealPatchesBothLand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Lumen"}`)
		for round := range 10 {
			_, deal := f.call(t, "admin", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Deal","amount":100,"currency":"EUR"}`, acc["id"]))
			api := fmt.Sprint("/api/v1/opportunities/", deal["id"])
			name := fmt.Sprint("Deal ", round)
			var statuses [3]int
			dbtest.Together(
				func() error {
					statuses[0], _ = f.call(t, "admin", "PATCH", api, fmt.Sprintf(`{"name":%q}`, name))
					return nil
				},
				func() error { statuses[1], _ = f.call(t, "admin", "PATCH", api, `{"amount":900}`); return nil },
				func() error {
					statuses[2], _ = f.call(t, "admin", "PATCH", api, `{"close_date":"2027-03-31"}`)
					return nil
				},
			)
			if statuses != [3]int{200, 200, 200} {
				t.Fatalf("round %d: %v", round, statuses)
			}
			_, got := f.call(t, "admin", "GET", api, "")
			if got["name"] != name || got["amount"] != 900.0 || got["close_date"] != "2027-03-31" {
				t.Fatalf("round %d: a change was lost: %v", round, got)
			}
		}
	})
}

// A lead disqualified through BANT (spam, no budget) is not asked for a
// need or a purchase date it does not have; a date given is still read.
func TestDisqualifyingNeedsNoPurchaseDate(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"bot@spam.example","stage":"mql"}`)
	path := fmt.Sprint("/api/v1/leads/", l["id"], "/qualify")
	if status, body := f.call(t, "sales", "POST", path, `{"authority":"unknown","timing":"later","outcome":"disqualified","reason":"spam"}`); status != 422 ||
		errorFields(body)["timing"] == nil || errorFields(body)["need"] != nil {
		t.Errorf("a date that is none: %d %v, want 422 naming timing only", status, body)
	}
	if status, body := f.call(t, "sales", "POST", path, `{"authority":"unknown","outcome":"disqualified","reason":"spam"}`); status != 200 {
		t.Errorf("disqualified without need or date: %d %v", status, body)
	}
	if _, got := f.call(t, "sales", "GET", fmt.Sprint("/api/v1/leads/", l["id"]), ""); got["stage"] != "disqualified" {
		t.Errorf("the lead is %v", got["stage"])
	}
}

package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// matchCatalog adds three CRMs and an accounting product through the
// API: Carpa fits a Romanian retailer best, Kite is cheap but lacks the
// Romanian language, Fjord is desktop only, Ledger is the wrong category.
func matchCatalog(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	seedVocabulary(t, f, "contacts", "pipeline", "e-invoicing", "mobile-app", "invoices")
	ids := map[string]string{}
	for _, body := range []string{
		`{"vendor":"Carpathia","product":"Carpa CRM","category":"crm","industries":["retail"],"deployments":["cloud","mobile"],"features":["contacts","pipeline","e-invoicing","mobile-app"],"integrations":["outlook"],"languages":["ro","en"],"price":"14.50","price_period":"month","currency":"EUR","min_licences":5,"max_licences":250,"contact_email":"sales@carpa.example"}`,
		`{"vendor":"Kite","product":"Kite CRM","category":"crm","industries":["retail"],"deployments":["cloud"],"features":["contacts","pipeline","mobile-app"],"integrations":["outlook"],"languages":["en","it"],"price":"9","price_period":"month","currency":"EUR","max_licences":20}`,
		`{"vendor":"Fjordline","product":"Fjord Sales","category":"crm","deployments":["desktop"],"features":["contacts","pipeline"],"integrations":["outlook"],"languages":["nb"],"price":"300","price_period":"year","currency":"EUR"}`,
		`{"vendor":"Ledgerly","product":"Ledger Books","category":"accounting","deployments":["cloud"],"features":["invoices"],"languages":["en"],"price":"15","price_period":"month","currency":"EUR"}`,
	} {
		status, sol := f.call(t, "marketing", "POST", "/api/v1/solutions", body)
		if status != http.StatusCreated {
			t.Fatalf("solution: %d %v", status, sol)
		}
		ids[sol["product"].(string)] = fmt.Sprint(sol["id"])
	}
	return ids
}

const retailRequest = `{"industry":"retail","category":"crm","deployments":["cloud"],"licences":10,"budget":"2500","currency":"EUR",
	"budget_period":"year","must_have":["contacts","pipeline"],"nice_to_have":["e-invoicing","mobile-app"],"integrations":["outlook"],"languages":["ro"]}`

// The matches of a request come ranked with a score and every cell
// explained; the excluded ones name the filter that excluded them; a
// change to the catalog is seen by the very next call.
func TestMatchesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ids := matchCatalog(t, f)
		id := salesLead(t, f)
		if status, got := f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", retailRequest); status != http.StatusOK {
			t.Fatalf("request: %d %v", status, got)
		}
		status, got := f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/matches", "")
		if status != http.StatusOK {
			t.Fatalf("matches: %d %v", status, got)
		}
		ranked := got["matches"].([]any)
		names := func(list []any) string {
			var out []string
			for _, m := range list {
				m := m.(map[string]any)
				out = append(out, fmt.Sprintf("%s:%v", m["solution"].(map[string]any)["product"], m["score"]))
			}
			return strings.Join(out, ",")
		}
		// Carpa: all 35 nice points, retail 15, Romanian 10, 10 in 5–250
		// 10, 1,740 EUR within 2,500: 100. Kite: mobile only (17.5),
		// retail, no Romanian, 10 in 1–20, 1,080 EUR: 72.5/100 → 73.
		if got := names(ranked); got != "Carpa CRM:100,Kite CRM:73" {
			t.Errorf("ranked %s", got)
		}
		kite := ranked[1].(map[string]any)
		if kite["cost"] != "1080" {
			t.Errorf("Kite's cost over 12 months: %v", kite["cost"])
		}
		for _, c := range kite["cells"].([]any) {
			c := c.(map[string]any)
			if c["criterion"] == "language" && (c["pass"] != false || c["note"] != "in none of ro") {
				t.Errorf("Kite's language cell: %v", c)
			}
		}
		reasons := map[string]string{}
		for _, m := range got["excluded"].([]any) {
			m := m.(map[string]any)
			reasons[m["solution"].(map[string]any)["product"].(string)] = fmt.Sprint(m["excluded_by"], ": ", m["reason"])
		}
		if reasons["Fjord Sales"] != "deployment: Deployment: not available as cloud" || reasons["Ledger Books"] != "category: Category: another category" {
			t.Errorf("excluded: %v", reasons)
		}
		if got["needs_custom"] != false {
			t.Errorf("needs_custom with a perfect match")
		}

		// Carpa's price goes up past the budget and its tolerance: the next
		// answer ranks Kite first.
		if status, _ := f.call(t, "marketing", "PATCH", "/api/v1/solutions/"+ids["Carpa CRM"], `{"price":"40"}`); status != http.StatusOK {
			t.Fatalf("patch: %d", status)
		}
		_, got = f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/matches", "")
		if r := names(got["matches"].([]any)); !strings.HasPrefix(r, "Kite CRM:73,Carpa CRM:") {
			t.Errorf("after Carpa's price rise: %s", r)
		}
		if status, _ := f.call(t, "sales2", "GET", "/api/v1/leads/"+id+"/matches", ""); status != http.StatusForbidden {
			t.Errorf("another sales user saw the matches: %d", status)
		}
	})
}

// A sales user opens a lead, fills in its software request in the
// browser and sees the ranked matrix, best first, with the excluded
// product's reason.
func TestBrowserRequestShowsRankedMatches(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	matchCatalog(t, f)
	id := salesLead(t, f)

	var first, second, rows, excluded, score string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads/"+id, "sam@example.com"),
		chromedp.WaitVisible(`#software a`),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#software a`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#software-form`, chromedp.ByID),
		chromedp.SetValue(`#r-category`, "crm", chromedp.ByID),
		chromedp.Click(`input[name=deployments][value=cloud]`),
		chromedp.SendKeys(`#r-licences`, "10", chromedp.ByID),
		chromedp.SendKeys(`#r-budget`, "2500", chromedp.ByID),
		chromedp.SetValue(`#r-currency`, "EUR", chromedp.ByID),
		chromedp.SetValue(`#r-period`, "year", chromedp.ByID),
		chromedp.Click(`input[name="f.contacts"][value=must]`),
		chromedp.Click(`input[name="f.pipeline"][value=must]`),
		chromedp.Click(`input[name="f.e-invoicing"][value=nice]`),
		chromedp.Click(`input[name="f.mobile-app"][value=nice]`),
		chromedp.SendKeys(`#r-integrations`, "outlook", chromedp.ByID),
		chromedp.SendKeys(`#r-languages`, "ro", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#software-form button[type=submit]`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#match-matrix`, chromedp.ByID),
		chromedp.Text(`#match-matrix tbody tr:nth-child(1) th`, &first),
		chromedp.Text(`#match-matrix tbody tr:nth-child(2) th`, &second),
		chromedp.Text(`#match-matrix tbody tr:nth-child(1) td.score`, &score),
		chromedp.Text(`#match-matrix tbody`, &rows),
		chromedp.Click(`#excluded summary`),
		chromedp.Text(`#excluded`, &excluded, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "matches")
	if !strings.Contains(strings.ToLower(first), "carpa crm") || !strings.Contains(strings.ToLower(second), "kite crm") || score != "100" {
		t.Errorf("ranked %q then %q, top score %q", first, second, score)
	}
	if !strings.Contains(rows, "in none of ro") || !strings.Contains(rows, "within the budget of 2,500") {
		t.Errorf("cells do not explain themselves: %q", rows)
	}
	if !strings.Contains(excluded, "Fjord Sales (Fjordline): Deployment: not available as cloud") {
		t.Errorf("excluded: %q", excluded)
	}
}

// An admin changes the weights on the settings page, per industry too;
// a bad line is named and kept; marketing may only look.
func TestMatchingSettingsPage(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	b := newBrowser(t, f.srv.URL)
	b.login("admin@example.com")
	form := map[string][]string{"nice_to_have": {"30"}, "industry": {"20"}, "language": {"10"}, "licences": {"10"}, "budget": {"30"},
		"threshold": {"55"}, "tolerance": {"15"}, "industries": {"Healthcare: language=50, budget=20\nretail budget"}}
	status, _, body := b.post("/settings/matching", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "line 2 must read like") || !strings.Contains(body, "retail budget") {
		t.Errorf("bad line: %d", status)
	}
	form["industries"] = []string{"Healthcare: language=50, budget=20"}
	if status, _, _ := b.post("/settings/matching", form); status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, got := f.call(t, "sales", "GET", "/api/v1/matching/config", "")
	if got["threshold"] != 55.0 || got["tolerance"] != 0.15 || fmt.Sprint(got["industries"]) != "map[healthcare:map[budget:20 language:50]]" {
		t.Errorf("saved %v", got)
	}
	m := newBrowser(t, f.srv.URL)
	m.login("mia@example.com")
	if status, _, _ := m.post("/settings/matching", form); status != http.StatusForbidden {
		t.Errorf("marketing saved weights: %d", status)
	}
}

// A sales-ready lead's brief goes to a chosen match's vendor from the
// software page; the vendor's acceptance is recorded on the timeline, and
// converting with the match proposes its product and cost as the deal.
func TestHandoffFlow(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	ids := matchCatalog(t, f)
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@shop.example","company":"Lumen Retail","industry":"Retail","owner":"sam@example.com","stage":"mql"}`)
	if status != http.StatusCreated {
		t.Fatal(status, l)
	}
	id := fmt.Sprint(l["id"])
	if status, got := f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", retailRequest); status != http.StatusOK {
		t.Fatal(status, got)
	}
	b := newBrowserAs(t, f, "sam@example.com")
	_, _, page := b.get("/leads/" + id + "/software")
	if !strings.Contains(page, "once the lead is sales-ready (SQL); it is MQL") {
		t.Errorf("an MQL's page offers the hand-off")
	}
	if status, got := f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/handoffs", `{"solution_ids":[`+ids["Carpa CRM"]+`]}`); status != 422 || errorFields(got)["stage"] == nil {
		t.Errorf("an MQL's brief sent: %d %v", status, got)
	}
	if status, got := f.call(t, "admin", "PATCH", "/api/v1/leads/"+id, `{"stage":"sql","stage_reason":"qualified on the phone"}`); status != http.StatusOK {
		t.Fatal(status, got)
	}
	_, _, page = b.get("/leads/" + id + "/software")
	if !strings.Contains(page, `name="solution" value="`+ids["Carpa CRM"]+`"`) || !strings.Contains(page, "Kite CRM (Kite, 73) — no vendor contact") {
		t.Fatalf("the hand-off form does not offer the matches:\n%s", page)
	}
	status, loc, _ := b.post("/leads/"+id+"/handoffs", url.Values{"solution": {ids["Carpa CRM"]}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "#handoffs") {
		t.Fatalf("send: %d %q", status, loc)
	}
	_, hs := f.call(t, "sales", "GET", "/api/v1/leads/"+id+"/handoffs", "")
	data := hs["data"].([]any)
	h := data[0].(map[string]any)
	if len(data) != 1 || h["contact_email"] != "sales@carpa.example" || h["status"] != "awaiting" || h["cost"] != "1740" || h["emailed"] != false {
		t.Fatalf("hand-offs: %v", hs)
	}
	answer := fmt.Sprintf("/handoffs/%v/answer", h["id"])
	long := strings.Repeat("Offer on Monday. ", 120)
	status, _, page = b.post(answer, url.Values{"seen": {"awaiting"}, "status": {"accepted"}, "note": {long}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `value="`+long+`"`) ||
		!strings.Contains(page, "Note must be at most 2000 characters") {
		t.Errorf("a note too long: %d, the software page is not shown again with it and why", status)
	}
	if status, _, _ := b.post(answer, url.Values{"seen": {"awaiting"}, "status": {"accepted"}, "note": {"Offer on Monday"}}); status != http.StatusSeeOther {
		t.Fatalf("answer: %d", status)
	}
	// A second answer from a page drawn before the first keeps its note.
	status, _, page = b.post(answer, url.Values{"seen": {"awaiting"}, "status": {"declined"}, "note": {"Too dear"}})
	if status != http.StatusConflict || !strings.Contains(html.UnescapeString(page), "Someone recorded this vendor's answer meanwhile") ||
		!strings.Contains(page, "<q>Too dear</q>") {
		t.Errorf("an answer from a stale page: %d, not told or its note lost", status)
	}
	_, _, page = b.get("/leads/" + id + "/software")
	if !strings.Contains(page, "<strong>Accepted</strong> — Offer on Monday") ||
		!strings.Contains(page, "/leads/"+id+"/convert?amount=1740&amp;currency=EUR&amp;deal_name=Carpathia&#43;Carpa&#43;CRM") {
		t.Errorf("the accepted hand-off offers no conversion:\n%s", page)
	}
	_, _, page = b.get("/leads/" + id + "/convert?amount=1740&currency=EUR&deal_name=Carpathia+Carpa+CRM")
	if !strings.Contains(page, `value="Carpathia Carpa CRM"`) || !strings.Contains(page, `value="1740"`) {
		t.Errorf("the conversion does not propose the match as the deal")
	}
	_, _, page = b.get("/leads/" + id)
	for _, want := range []string{"brief sent to Carpathia (Carpa CRM)", "Carpathia accepted the brief (Carpa CRM): Offer on Monday"} {
		if !strings.Contains(page, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
}

// With email on, the brief goes to the vendor contact by email: its
// subject is the brief's title and its text the brief, letters intact.
func TestHandoffEmailsTheBrief(t *testing.T) {
	db := dbtest.SQLite(t)
	f, smtp := mailFixture(t, db)
	ids := matchCatalog(t, f)
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@shop.example","first_name":"Ana","last_name":"Țurcanu","company":"Florăria Iași","owner":"sam@example.com","stage":"sql"}`)
	if status != http.StatusCreated {
		t.Fatal(status, l)
	}
	id := fmt.Sprint(l["id"])
	if status, got := f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", retailRequest); status != http.StatusOK {
		t.Fatal(status, got)
	}
	status, got := f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/handoffs", `{"solution_ids":[`+ids["Carpa CRM"]+`]}`)
	if status != http.StatusCreated || got["emailed"] != true {
		t.Fatalf("send: %d %v", status, got)
	}
	msgs := smtp.Wait(t, 1, 10*time.Second)
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "sales@carpa.example" || m.Header.Get("Subject") == "" {
		t.Fatalf("message to %v, subject %q", m.To, m.Header.Get("Subject"))
	}
	for _, want := range []string{"Brief: crm for Florăria Iași", "Ana Țurcanu", "- contacts", "Hello Carpathia"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the email lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "ana@shop.example") {
		t.Errorf("the email gives away the client's address")
	}
}

// The per-industry report, on its page and through the API, counts a
// retailer's request that went to a vendor and a public form's answers.
func TestSoftwareKPIs(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	ids := matchCatalog(t, f)
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ana@shop.example","company":"Lumen","industry":"Retail","owner":"sam@example.com","stage":"sql"}`)
	if status != http.StatusCreated {
		t.Fatal(status, l)
	}
	id := fmt.Sprint(l["id"])
	f.call(t, "sales", "PUT", "/api/v1/leads/"+id+"/request", retailRequest)
	if status, got := f.call(t, "sales", "POST", "/api/v1/leads/"+id+"/handoffs", `{"solution_ids":[`+ids["Carpa CRM"]+`]}`); status != http.StatusCreated {
		t.Fatal(status, got)
	}
	createForm(t, f, requestFormJSON)
	post(t, f.srv.URL, "/f/software-request", "application/json", `{"email":"vera@kite.example","industry":"Retail","app_category":"erp","licences":"3"}`)

	status, got := f.call(t, "sales", "GET", "/api/v1/kpis/software?period=7d", "")
	if status != http.StatusOK {
		t.Fatal(status, got)
	}
	var lines []string
	for _, r := range got["data"].([]any) {
		r := r.(map[string]any)
		lines = append(lines, fmt.Sprintf("%v/%v %v %v %v %v", r["industry"], r["category"], r["requests"], r["validated"], r["matched"], r["avg_budget"]))
	}
	if want := "retail/<nil> 2 1 1 map[EUR:2500],retail/crm 1 1 1 map[EUR:2500],retail/erp 1 0 0 map[]"; strings.Join(lines, ",") != want {
		t.Errorf("got %s\nwant %s", strings.Join(lines, ","), want)
	}
	_, _, page := newBrowserAs(t, f, "sam@example.com").get("/reports/software")
	if !strings.Contains(page, `id="software-kpis"`) || !strings.Contains(page, "2,500 EUR") {
		t.Errorf("the report page lacks the figures:\n%s", textOf(page))
	}
	if status, _ := f.call(t, "sales", "GET", "/api/v1/kpis/software?from=2026-13-01", ""); status != http.StatusUnprocessableEntity {
		t.Errorf("a bad date: %d", status)
	}
}

// solutionForm is the catalog page's form for a valid product named name.
func solutionForm(name string) url.Values {
	return url.Values{"vendor": {"Walk"}, "product": {name}, "category": {"crm"}, "deployments": {"cloud"}, "price": {"3"},
		"price_period": {"month"}, "currency": {"EUR"}}
}

// matchingRecords adds to the page matrix's records what the matching
// pages name: a solution, a feature no solution has, a software request
// on each of the role's leads, a custom project and a hand-off on the
// sales user's own lead.
func matchingRecords(t *testing.T, f *fixture, recs records, role string) {
	t.Helper()
	for _, k := range []string{"walk", "unused-" + role} {
		if status, got := f.call(t, "admin", "PUT", "/api/v1/features/"+k, `{"name":"`+k+`"}`); status != http.StatusOK {
			t.Fatalf("feature %s: %d %v", k, status, got)
		}
	}
	status, sol := f.call(t, "admin", "POST", "/api/v1/solutions", `{"vendor":"Walk","product":"Walk `+role+`","category":"crm","deployments":["cloud"],"price":3,"price_period":"month","currency":"EUR"}`)
	if status != http.StatusCreated {
		t.Fatalf("solution: %d %v", status, sol)
	}
	recs["solution"] = fmt.Sprint(sol["id"])
	status, vendor := f.call(t, "admin", "POST", "/api/v1/solutions", `{"vendor":"Hand","product":"Hand `+role+`","category":"crm","deployments":["cloud"],"price":3,"price_period":"month","currency":"EUR","contact_email":"v@hand.example"}`)
	if status != http.StatusCreated {
		t.Fatalf("solution: %d %v", status, vendor)
	}
	for _, kind := range ownerKinds {
		if status, got := f.call(t, "admin", "PUT", "/api/v1/leads/"+recs["lead:"+kind]+"/request", `{"category":"crm","licences":2}`); status != http.StatusOK {
			t.Fatalf("request: %d %v", status, got)
		}
	}
	own := recs["lead:own"]
	status, p := f.call(t, "admin", "POST", "/api/v1/leads/"+own+"/projects", `{"title":"Matrix project"}`)
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	recs["project"] = fmt.Sprint(p["id"])
	status, sent := f.call(t, "admin", "POST", "/api/v1/leads/"+own+"/handoffs", fmt.Sprintf(`{"solution_ids":[%v]}`, vendor["id"]))
	if s, _ := sent["sent"].([]any); status != http.StatusCreated || len(s) != 1 {
		t.Fatalf("hand-off: %d %v", status, sent)
	}
	recs["handoff"] = fmt.Sprint(sent["sent"].([]any)[0].(map[string]any)["id"])
}

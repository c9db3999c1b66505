package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// wonDeal makes an SQL lead of Sam's from source, converts it with a
// deal of amount EUR, wins the deal, and returns the deal's id.
func wonDealFrom(t *testing.T, f *fixture, email, company, source string, amount int) string {
	t.Helper()
	path := sqlLead(t, f, "sales", fmt.Sprintf(`{"email":%q,"company":%q,"source":%q,"industry":"Logistics"}`, email, company, source))
	status, conv := f.call(t, "sales", "POST", path+"/convert", fmt.Sprintf(`{"opportunity":{"name":"%s rollout","amount":%d,"currency":"EUR"}}`, company, amount))
	if status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	deal := fmt.Sprint(conv["opportunity_id"])
	if status, o := f.call(t, "sales", "PATCH", "/api/v1/opportunities/"+deal, `{"stage":"won"}`); status != http.StatusOK {
		t.Fatalf("win: %d %v", status, o)
	}
	return deal
}

// Through the API as a team would: a won deal becomes a project that
// carries its account, contact and amount and starts with its template's
// tasks; it moves through stages; time is logged at the admin's rates
// until the budget warning shows; it is delivered, and the channel
// report names the lead's source with its margin. Lists filter and page
// by cursor; another sales user sees none of it; a pre-sale member is
// refused by name on a project in delivery; the client's status link
// shows the stage but no cost, and stops working when revoked.
func TestProjectsAPIStory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		deal := wonDealFrom(t, f, "ops@haul.example", "Haul Nord", "webinar", 12000)
		status, p := f.call(t, "sales", "POST", "/api/v1/projects", `{"opportunity_id":`+deal+`}`)
		if status != http.StatusCreated {
			t.Fatalf("project: %d %v", status, p)
		}
		id := fmt.Sprint(p["id"])
		_, d := f.call(t, "sales", "GET", "/api/v1/opportunities/"+deal, "")
		if p["account_id"] != d["account_id"] || p["contact_id"] != d["contact_id"] || p["budget"] != "12000" || p["currency"] != "EUR" ||
			p["owner"] != "sam@example.com" || p["type"] != "implementation" || p["stage"] != "Kickoff" || p["delivery_status"] != "active" || p["status"] != nil {
			t.Errorf("project from the deal: %v\ndeal %v", p, d)
		}
		if status, again := f.call(t, "sales", "POST", "/api/v1/projects", `{"opportunity_id":`+deal+`}`); status != http.StatusOK || fmt.Sprint(again["id"]) != id {
			t.Errorf("second click: %d %v", status, again["id"])
		}
		_, tasks := f.call(t, "sales", "GET", "/api/v1/projects/"+id+"/tasks", "")
		if n := len(tasks["data"].([]any)); n != 5 {
			t.Errorf("%d template tasks, want 5: %v", n, tasks)
		}
		if status, _ := f.call(t, "sales2", "GET", "/api/v1/projects/"+id, ""); status != http.StatusForbidden {
			t.Errorf("Sue read Sam's project: %d", status)
		}
		// Bad input is named; nothing changes.
		status, bad := f.call(t, "sales", "PATCH", "/api/v1/projects/"+id, `{"due_on":"2027-02-30","budget":"lots","features":[]}`)
		fields, _ := bad["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["features"] == nil {
			t.Errorf("pre-sale member in delivery: %d %v", status, bad)
		}
		status, bad = f.call(t, "sales", "PATCH", "/api/v1/projects/"+id, `{"due_on":"2027-02-30","budget":"lots"}`)
		fields, _ = bad["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["due_on"] == nil || fields["budget"] == nil {
			t.Errorf("bad dates and budget: %d %v", status, bad)
		}
		_, stages := f.call(t, "sales", "GET", "/api/v1/project-stages?type=implementation", "")
		second := stages["stages"].([]any)[1].(map[string]any)["id"]
		if status, moved := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/stage", fmt.Sprintf(`{"stage_id":%v}`, second)); status != http.StatusOK || moved["stage"] != "Requirements" {
			t.Errorf("move: %d %v", status, moved)
		}
		_, hist := f.call(t, "sales", "GET", "/api/v1/projects/"+id+"/stages", "")
		if h := hist["history"].([]any); len(h) != 2 || h[0].(map[string]any)["left_at"] == nil {
			t.Errorf("history %v", hist)
		}
		if status, s := f.call(t, "admin", "PUT", "/api/v1/settings/projects", `{"warn_at_percent":50,"rates":{"role:sales":"100"}}`); status != http.StatusOK || s["rates"].(map[string]any)["role:sales"] != "100" {
			t.Fatalf("settings: %d %v", status, s)
		}
		for range 2 {
			if status, e := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/time-entries", `{"hours":20,"note":"configuration"}`); status != http.StatusCreated || e["cost"] != "2000" {
				t.Errorf("20 h at 100: %d %v", status, e)
			}
		}
		if status, e := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/time-entries", `{"hours":25}`); status != http.StatusUnprocessableEntity {
			t.Errorf("25 h in a day: %d %v", status, e)
		}
		_, tm := f.call(t, "sales", "GET", "/api/v1/projects/"+id+"/time-entries", "")
		costs := tm["costs"].(map[string]any)
		if costs["cost"] != "4000" || costs["warning"] != false || costs["share_percent"] != 33.3 {
			t.Errorf("a third of the budget: %v", costs)
		}
		f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/time-entries", `{"hours":"21"}`)
		_, tm = f.call(t, "sales", "GET", "/api/v1/projects/"+id+"/time-entries", "")
		if costs := tm["costs"].(map[string]any); costs["warning"] != true {
			t.Errorf("past half the budget, no warning: %v", costs)
		}
		status, ms := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/milestones", `{"name":"Data signed off","due_on":"2020-01-01"}`)
		if status != http.StatusCreated || ms["overdue"] != true {
			t.Errorf("a past milestone: %d %v", status, ms)
		}
		// The client's page.
		status, link := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/status-link", "")
		if status != http.StatusCreated {
			t.Fatalf("link: %d %v", status, link)
		}
		statusURL := link["url"].(string)
		anon := newBrowser(t, f.srv.URL)
		code, _, page := anon.get(strings.TrimPrefix(statusURL, f.srv.URL))
		if code != http.StatusOK || !strings.Contains(page, "<strong>Requirements</strong>") || !strings.Contains(page, "Data signed off") ||
			strings.Contains(page, "4,000") || strings.Contains(page, "4000") || strings.Contains(page, "12,000") {
			t.Errorf("status page %d:\n%s", code, textOf(page))
		}
		// In the client's language, whatever the browser asks for.
		if status, got := f.call(t, "sales", "PATCH", "/api/v1/projects/"+id, `{"client_language":"ro"}`); status != http.StatusOK {
			t.Fatalf("client language: %d %v", status, got)
		}
		code, _, page = anon.get(strings.TrimPrefix(statusURL, f.srv.URL))
		for _, want := range []string{`lang="ro"`, "Unde a ajuns proiectul", "Acum la etapa:", "<strong>Requirements</strong>", "Următorul reper"} {
			if code != http.StatusOK || !strings.Contains(page, want) {
				t.Errorf("the Romanian client's page lacks %q:\n%s", want, textOf(page))
			}
		}
		if status, _ := f.call(t, "sales", "DELETE", "/api/v1/projects/"+id+"/status-link", ""); status != http.StatusNoContent {
			t.Errorf("revoke: %d", status)
		}
		if code, _, _ := anon.get(strings.TrimPrefix(statusURL, f.srv.URL)); code != http.StatusNotFound {
			t.Errorf("a revoked link answers %d", code)
		}
		// Delivered: the report joins the lead's source to the margin.
		if status, done := f.call(t, "sales", "PATCH", "/api/v1/projects/"+id, `{"delivery_status":"done","due_on":"2099-12-31"}`); status != http.StatusOK || done["delivered_at"] == nil {
			t.Errorf("done: %d %v", status, done)
		}
		wonDealFrom(t, f, "it@kite.example", "Kite", "ads", 5000) // won, no project
		_, rep := f.call(t, "marketing", "GET", "/api/v1/kpis/projects?by=channel", "")
		rows := rep["rows"].([]any)
		if len(rows) != 2 {
			t.Fatalf("report rows %v", rep)
		}
		web := rows[0].(map[string]any)
		if web["value"] != "webinar" || web["won_deals"] != 1.0 || web["started"] != 1.0 || web["delivered"] != 1.0 || web["margin"] != "5900" ||
			web["profitable"] != 1.0 || web["on_time_share"] != 1.0 {
			t.Errorf("webinar row %v", web)
		}
		if rep["formulas"].(map[string]any)["margin"] == nil {
			t.Errorf("no formulas: %v", rep)
		}
		// Lists filter and page by cursor.
		for i := range 2 {
			f.call(t, "admin", "POST", "/api/v1/projects", fmt.Sprintf(`{"title":"Hand %d","type":"custom_development","account_id":%v}`, i, p["account_id"]))
		}
		status, page1 := f.call(t, "admin", "GET", "/api/v1/projects?limit=2", "")
		next, _ := page1["next_cursor"].(string)
		if status != http.StatusOK || len(page1["data"].([]any)) != 2 || next == "" {
			t.Fatalf("page 1: %d %v", status, page1)
		}
		_, page2 := f.call(t, "admin", "GET", "/api/v1/projects?limit=2&cursor="+url.QueryEscape(next), "")
		if d := page2["data"].([]any); len(d) != 1 || fmt.Sprint(d[0].(map[string]any)["id"]) != id || page2["next_cursor"] != nil {
			t.Errorf("page 2: %v", page2)
		}
		_, custom := f.call(t, "admin", "GET", "/api/v1/projects?type=custom_development&status=active", "")
		if len(custom["data"].([]any)) != 2 {
			t.Errorf("filtered: %v", custom)
		}
		if status, _ := f.call(t, "admin", "GET", "/api/v1/projects?status=finished&limit=0", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("bad filters: %d", status)
		}
		var n int
		db.R.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE subject_type = 'project' AND subject_id = ?`, id).Scan(&n)
		if n < 8 {
			t.Errorf("%d audit entries on the project", n)
		}
	})
}

// The board and the project's page in Chromium: at 1280 px a card
// dragged to another stage moves the project; at 390 px the board and
// the project's page do not scroll sideways and the card's own form
// moves it; the client's status page reads at both widths.
func TestBrowserProjectBoardAndStatusPage(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	deal := wonDealFrom(t, f, "cto@fjord.example", "Fjord Cargo", "partner", 30000)
	status, p := f.call(t, "sales", "POST", "/api/v1/projects", `{"opportunity_id":`+deal+`}`)
	if status != http.StatusCreated {
		t.Fatalf("project: %d %v", status, p)
	}
	id := fmt.Sprint(p["id"])
	_, link := f.call(t, "sales", "POST", "/api/v1/projects/"+id+"/status-link", "")
	drop := `(() => {
		const card = document.querySelector("#board .deal");
		const col = document.querySelectorAll("#board .column")[2];
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		return col.querySelector("h2").textContent;
	})()`
	var target, column string
	var overflow bool
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/projects", "sam@example.com"),
		chromedp.WaitVisible(`#board .deal`),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
		chromedp.Evaluate(drop, &target),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#board .deal").closest(".column").querySelector("h2").textContent`, &column),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the project board scrolls sideways at 1280 px")
	}
	if !strings.HasPrefix(target, "Configuration") || !strings.HasPrefix(column, "Configuration") {
		t.Errorf("dropped on %q, the card is now in %q", target, column)
	}
	screenshot(t, ctx, "projects-board")
	for _, width := range []int64{1280, 390} {
		for _, path := range []string{"/projects", "/projects/" + id, strings.TrimPrefix(link["url"].(string), f.srv.URL)} {
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(1)),
				chromedp.Navigate(f.srv.URL+path),
				chromedp.WaitVisible(`main`, chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
			)
			if err != nil {
				t.Fatal(err)
			}
			if overflow {
				t.Errorf("%s scrolls sideways at %d px", path, width)
			}
			screenshot(t, ctx, fmt.Sprintf("project-%d-%s", width, strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")[:8]))
		}
	}
	// On a phone, the card's own form moves the project.
	var stage string
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(f.srv.URL+"/projects"),
		chromedp.WaitVisible(`#board .deal`),
		chromedp.Evaluate(`(() => { const s = document.querySelector("#board .deal select"); s.selectedIndex = 4; return true; })()`, &overflow),
		chromedp.Click(`#board .deal button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#board .deal").closest(".column").querySelector("h2").textContent`, &stage),
		chromedp.Navigate(link["url"].(string)),
		chromedp.WaitVisible(`#client-stage`, chromedp.ByID),
		chromedp.Text(`#client-stage`, &column, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stage, "Training") || !strings.Contains(column, "Training") {
		t.Errorf("after the phone's Move the board shows %q and the client page %q", stage, column)
	}
	screenshot(t, ctx, "project-status-phone")
}

// One click on a won deal's page opens its project, which the deal page
// then links to; the project page's forms refuse bad input by name and
// keep what was typed.
func TestProjectPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		deal := wonDealFrom(t, f, "cfo@birch.example", "Birch Timber", "paid_search", 8000)
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		_, _, page := b.get("/deals/" + deal)
		if !strings.Contains(page, `id="create-project"`) {
			t.Fatalf("a won deal offers no project")
		}
		status, loc, _ := b.post("/deals/"+deal+"/project", url.Values{"type": {"custom_development"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/projects/") {
			t.Fatalf("create project: %d %q", status, loc)
		}
		_, _, page = b.get(loc)
		for _, want := range []string{"Business analysis workshop", "Specification signed", `id="project-stage">Business analysis`, "of a budget of 8,000 EUR"} {
			if !strings.Contains(page, want) {
				t.Errorf("project page lacks %q", want)
			}
		}
		if _, _, page = b.get("/deals/" + deal); !strings.Contains(page, `id="deal-project"`) {
			t.Errorf("the deal does not link its project")
		}
		status, _, page = b.post(loc+"/time", url.Values{"hours": {"30"}, "note": {"kept note"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "kept note") || !strings.Contains(page, "Hours must be hours worked") {
			t.Errorf("30 hours: %d\n%s", status, textOf(page))
		}
		status, _, page = b.post(loc+"/tasks", url.Values{"subject": {"Plan the sprint"}, "due_on": {"soon"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, `value="Plan the sprint"`) {
			t.Errorf("bad due date: %d", status)
		}
		if status, _, _ := b.post(loc+"/tasks", url.Values{"subject": {"Plan the sprint"}, "due_on": {"2026-12-07"}}); status != http.StatusSeeOther {
			t.Errorf("task: %d", status)
		}
		_, _, page = b.get(loc)
		if !strings.Contains(page, "Plan the sprint") {
			t.Errorf("the task is not listed")
		}
		other := newBrowser(t, f.srv.URL)
		other.login("sue@example.com")
		if status, _, _ := other.get(loc); status != http.StatusForbidden {
			t.Errorf("Sue opened Sam's project: %d", status)
		}
		if _, _, page = b.get("/reports"); !strings.Contains(page, `id="channel-projects"`) || !strings.Contains(page, ">Paid search<") || strings.Contains(visibleText(page), "paid_search") {
			t.Errorf("the dashboard lacks the channels' projects, or shows the channel's code")
		}
		_, _, page = b.get("/reports/projects?by=channel")
		if !strings.Contains(page, ">Paid search<") || strings.Contains(visibleText(page), "paid_search") || !strings.Contains(page, "How each figure is computed") {
			t.Errorf("report page:\n%s", textOf(page))
		}
	})
}

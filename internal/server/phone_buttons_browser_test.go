package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/invoice"
)

// splitButtons lists the buttons of selector whose words do not fit on
// one line (the board's "Flytt" broke into "Fly" and "tt").
const splitButtons = `((selector) => [...document.querySelectorAll(selector)].filter((b) => {
	const r = document.createRange();
	r.selectNodeContents(b);
	const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
	return tops.size > 1;
}).map((b) => b.textContent.trim()))`

// headGap is the space, in px, between the page's head (title and
// actions) and what follows it.
const headGap = `(() => {
	const head = document.querySelector(".page-head");
	let next = head.nextElementSibling;
	while (next && (next.tagName === "LINK" || next.getBoundingClientRect().height === 0)) next = next.nextElementSibling;
	return next.getBoundingClientRect().top - head.getBoundingClientRect().bottom;
})()`

// On a 390 px phone in Norwegian, the deals board's move buttons keep
// their word whole, and a lead's page leaves room between the actions
// under its title and the first card.
func TestBrowserPhoneButtonsKeepTheirWords(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Fjordlys Håndverk og Eiendomsforvaltning AS"}`)
	if status, d := f.call(t, "admin", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Fornyelse av lisenser for hele konsernet","amount":125000,"currency":"NOK"}`, acc["id"])); status != 201 {
		t.Fatalf("deal: %d %v", status, d)
	}
	lead := strings.TrimPrefix(sqlLead(t, f, "admin", `{"email":"kari@fjordlys.example","first_name":"Kari","last_name":"Nordmann","company":"Fjordlys"}`), "/api/v1")
	var split []string
	var button string
	var gap float64
	err := chromedp.Run(ctx,
		onPhoneIn(f.srv.URL, "admin@example.com", "nb"),
		chromedp.Navigate(f.srv.URL+"/deals"),
		chromedp.WaitVisible(`.move-card button`),
		chromedp.Evaluate(splitButtons+`(".move-card button")`, &split),
		chromedp.Text(`.move-card button`, &button),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-board-nb")
	if strings.TrimSpace(button) != "Flytt" {
		t.Fatalf("the board's move button reads %q, not Norwegian", button)
	}
	if len(split) > 0 {
		t.Errorf("on a 390 px phone the board's buttons break their words: %q", split)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+lead), chromedp.WaitVisible(`.page-head`), chromedp.Evaluate(headGap, &gap)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-lead-nb")
	if gap < 8 {
		t.Errorf("on a 390 px phone the lead's first card is %.0f px under the actions, want room between them", gap)
	}
}

// wider is how far, in px, the page runs past the screen's width.
const wider = `document.documentElement.scrollWidth - document.documentElement.clientWidth`

// On a 390 px phone in Romanian, a deal's amount keeps its currency code
// whole ("105.000 GB" over "P" read as nonsense), My day's Done button
// keeps its word, and a job title of one long word wraps rather than
// widen the lead's page.
func TestBrowserPhoneKeepsWordsWhole(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Carpați Logistică"}`)
	_, deal := f.call(t, "admin", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Licențe","amount":1250000,"currency":"GBP"}`, acc["id"]))
	if status, a := f.call(t, "admin", "POST", "/api/v1/activities", `{"kind":"call","subject":"Sună clientul","due_at":"`+
		time.Now().UTC().Format("2006-01-02")+`T09:00:00Z"}`); status != 201 {
		t.Fatalf("activity: %d %v", status, a)
	}
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ion@carpati.example","company":"Carpați","job_title":"`+strings.Repeat("Inginer", 27)+`"}`)
	var amount, done []string
	var overLead float64
	err := chromedp.Run(ctx,
		onPhoneIn(f.srv.URL, "admin@example.com", "ro"),
		chromedp.Navigate(fmt.Sprint(f.srv.URL, "/deals/", deal["id"])),
		chromedp.WaitVisible(`.summary .score`),
		chromedp.Evaluate(splitButtons+`(".summary .score")`, &amount),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-deal-ro")
	if len(amount) > 0 {
		t.Errorf("on a 390 px phone the deal's amount breaks: %q", amount)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+"/today"), chromedp.WaitVisible(`.act-done button`),
		chromedp.Evaluate(splitButtons+`(".act-done button")`, &done)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-today-ro")
	if len(done) > 0 {
		t.Errorf("on a 390 px phone My day's buttons break their words: %q", done)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(fmt.Sprint(f.srv.URL, "/leads/", l["id"])), chromedp.WaitVisible(`.page-head`),
		chromedp.Evaluate(wider, &overLead)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-lead-ro")
	if overLead > 0 {
		t.Errorf("on a 390 px phone a long job title widens the lead's page by %.0f px", overLead)
	}
}

// On a phone the builders' tables (scoring rules, account scoring, a
// form's fields, an import's mapping) stack each row's cells; each cell
// still names its column, which the hidden heading row named.
func TestBrowserPhoneBuilderTablesNameTheirColumns(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "admin@example.com", "en")
	status, mapping, page := b.upload("crm.csv", "Email,Prenume\nana@carpat.ro,Ana\n")
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.300s", status, page)
	}
	unlabelled := `[...document.querySelectorAll("table.builder-table td[data-label]")]
		.filter((td) => td.offsetParent !== null && getComputedStyle(td, "::before").content !== JSON.stringify(td.dataset.label))
		.map((td) => td.dataset.label)`
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/account", "admin@example.com"), chromedp.WaitVisible(`#main`, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/scoring", "/accounts/scoring", "/forms/new", mapping} {
		var missing []string
		var cells int
		if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(`table.builder-table`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll("table.builder-table td[data-label]").length`, &cells),
			chromedp.Evaluate(unlabelled, &missing)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		screenshot(t, ctx, "phone-builder"+strings.ReplaceAll(path, "/", "-"))
		if cells == 0 || len(missing) > 0 {
			t.Errorf("on a 390 px phone %s's table shows %d cells without their column's name: %q...", path, len(missing), missing[:min(len(missing), 6)])
		}
	}
}

// On a phone an invoice's amounts keep their currency beside them: the
// amount owed split "29 488,20" from "£" in Norwegian, as the list's
// overdue total could.
func TestBrowserPhoneKeepsInvoiceAmountsWhole(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	// 137,275.36 and its VAT: 171,594.20 GBP, which Romanian writes with
	// the currency's code ("GB/P" broke on a 390 px phone).
	d := overdueInvoice(t, f, db, "Fjordlys Håndverk AS", "GBP", invoice.LineInput{Name: "Lisenser", Quantity: "1", UnitPrice: "137275.36", Category: "S", Rate: "25"})
	var split []string
	if err := chromedp.Run(ctx, onPhoneIn(f.srv.URL, "admin@example.com", "nb")); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"nb", "ro"} {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`fetch("/account/language", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "language=`+lang+`"}).then(() => true)`, nil, awaitPromise)); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{fmt.Sprint("/invoices/", d.ID), "/invoices"} {
			if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(`.summary .score`),
				chromedp.Evaluate(splitButtons+`(".summary .score")`, &split)); err != nil {
				t.Fatal(err)
			}
			screenshot(t, ctx, "phone-invoice-"+lang)
			if len(split) > 0 {
				t.Errorf("on a 390 px phone %s in %s breaks its amounts: %q", path, lang, split)
			}
		}
	}
}

// On a phone the lead list's filters stay inside their card's padding,
// in Norwegian (the search box and the right-hand fields ran 11 px past
// it, to the card's edge).
func TestBrowserPhoneKeepsFiltersInTheirCard(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	// The source filter offers every source the leads have.
	f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ola@fjord.example","source":"partner_webinar_nordic_autumn_series"}`)
	var over []string
	err := chromedp.Run(ctx,
		onPhoneIn(f.srv.URL, "admin@example.com", "nb"),
		chromedp.Navigate(f.srv.URL+"/leads"),
		chromedp.WaitVisible(`form.filters`, chromedp.ByQuery),
		chromedp.Evaluate(`(() => {
			const form = document.querySelector("form.filters"), style = getComputedStyle(form);
			const inner = form.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
			return [...form.querySelectorAll("input, select, button")]
				.filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > inner + 0.5)
				.map((e) => (e.name || e.textContent.trim()) + " by " + Math.round(e.getBoundingClientRect().right - inner) + " px");
		})()`, &over),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-leads-nb")
	if len(over) > 0 {
		t.Errorf("on a 390 px phone the list's filters run out of their card: %q", over)
	}
}

// A qualification refused at the foot of a lead's long page brings its
// first fault into view with the keyboard on it: the page opened at its
// top, the faults several screens below.
func TestBrowserRefusedFormShowsItsFirstFault(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"ola@fjord.example","stage":"mql","owner":"sam@example.com"}`)
	var focused string
	var inView bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/account", "sam@example.com"),
		chromedp.WaitVisible(`#main`, chromedp.ByID),
		chromedp.Navigate(fmt.Sprint(f.srv.URL, "/leads/", l["id"])),
		chromedp.WaitVisible(`#b-budget`, chromedp.ByID),
		chromedp.SetValue(`#b-budget`, "lots", chromedp.ByID),
		chromedp.SetValue(`#b-need`, "A CRM", chromedp.ByID),
		chromedp.Click(`form[action$="/qualify"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#b-budget[aria-invalid="true"]`, chromedp.ByQuery),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Evaluate(`document.activeElement.id`, &focused),
		chromedp.Evaluate(`(() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`, &inView),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-refused-bant")
	if focused != "b-budget" || !inView {
		t.Errorf("after the refused qualification the keyboard is on %q (in view: %v), want the budget in view", focused, inView)
	}
}

// onPhoneIn signs email in on a 390 px phone, reading in lang.
func onPhoneIn(base, email, lang string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(base+"/account", email),
		chromedp.WaitVisible(`#main`, chromedp.ByID),
		chromedp.Evaluate(`fetch("/account/language", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "language=`+lang+`"}).then(() => true)`, nil, awaitPromise),
	}
}

// On a wide screen the board's columns are narrow: each card's stage
// select still shows its stage's whole name in Italian ("Qualificazi"
// showed, cut by the Move button beside it).
func TestBrowserBoardShowsWholeStageNames(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Alpi SpA"}`)
	for _, stage := range []string{"qualification", "negotiation", "proposal"} {
		if status, d := f.call(t, "admin", "POST", "/api/v1/opportunities", fmt.Sprintf(`{"account_id":%v,"name":"Licenze","amount":1000,"currency":"EUR","stage":%q}`, acc["id"], stage)); status != http.StatusCreated {
			t.Fatalf("deal in %s: %d %v", stage, status, d)
		}
	}
	var cut []string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		signIn(f.srv.URL+"/account", "admin@example.com"),
		chromedp.WaitVisible(`#main`, chromedp.ByID),
		chromedp.Evaluate(`fetch("/account/language", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "language=it"}).then(() => true)`, nil, awaitPromise),
		chromedp.Navigate(f.srv.URL+"/deals"),
		chromedp.WaitVisible(`.move-card select`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".move-card select")].filter((s) => {
			const cs = getComputedStyle(s), span = document.createElement("span");
			span.style.font = cs.font; span.style.position = "absolute"; span.style.whiteSpace = "nowrap";
			span.textContent = s.options[s.selectedIndex].text;
			document.body.append(span);
			const need = span.getBoundingClientRect().width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 16;
			span.remove();
			return need > s.clientWidth;
		}).map((s) => s.options[s.selectedIndex].text)`, &cut),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "board-it")
	if len(cut) > 0 {
		t.Errorf("at 1280 px the board cuts stage names: %q", cut)
	}
}

// On a phone the merge page's table scrolls sideways instead of breaking
// its words letter by letter ("Tele fon o", "Em ail" with three leads).
func TestBrowserPhoneMergeKeepsWordsWhole(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	var ids []string
	for _, body := range []string{
		`{"email":"jonas.weber@orbit-software.example","first_name":"Jonas","last_name":"Weber","company":"Orbit Software GmbH","phone":"+49 151 23456789"}`,
		`{"email":"j.weber@mailbox-provider.example","first_name":"Jonas","last_name":"Weber","city":"München"}`,
		`{"email":"weber.jonas@orbit-software.example","first_name":"Jonas","last_name":"Webers","company":"Orbit"}`,
	} {
		_, l := f.call(t, "marketing", "POST", "/api/v1/leads", body)
		ids = append(ids, fmt.Sprint(l["id"]))
	}
	var split []string
	err := chromedp.Run(ctx,
		onPhoneIn(f.srv.URL, "admin@example.com", "it"),
		chromedp.Navigate(f.srv.URL+"/duplicates/merge?keep="+ids[0]+"&other="+ids[1]+"&other="+ids[2]),
		chromedp.WaitVisible(`form.merge table`),
		chromedp.Evaluate(splitButtons+`("form.merge th[scope=row]")`, &split),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "phone-merge-it")
	if len(split) > 0 {
		t.Errorf("on a 390 px phone the merge page breaks %q", split)
	}
}

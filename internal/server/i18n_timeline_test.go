package server_test

import (
	"fmt"
	"html"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	testdata "leadflow/internal/fixture"
	"leadflow/internal/i18n"
)

var englishDate = regexp.MustCompile(`\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b`)

// A reader who chose Romanian reads a lead's page in Romanian where
// leadflow wrote the words: the reasons scoring gives on the timeline
// ("new activity: reached the MQL threshold of 60"), the lead's source,
// and an activity's day and kind.
func TestLeadTimelineSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ana@carpat.ro","first_name":"Ana","source":"referral"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	id := fmt.Sprint(l["id"])
	for range 3 {
		if status, body := f.call(t, "sales", "POST", "/api/v1/events", `{"events":[{"lead_id":`+id+`,"type":"quote_request"}]}`); status >= 300 {
			t.Fatalf("event: %d %v", status, body)
		}
	}
	status, call := f.call(t, "sales", "POST", "/api/v1/activities",
		`{"kind":"call","subject":"Discovery call","due_at":"2026-12-01T10:00:00Z","duration":30,"link_type":"lead","link_id":`+id+`}`)
	if status != http.StatusCreated {
		t.Fatalf("activity: %d %v", status, call)
	}
	b := browserIn(t, f, "sam@example.com", "ro")
	status, _, page := b.get("/leads/" + id)
	if status != http.StatusOK {
		t.Fatalf("lead page: %d", status)
	}
	ro := i18n.For("ro")
	for _, want := range []string{
		"activitate nouă: a atins pragul MQL de 60",
		"<dd>Recomandare</dd>",
		`<span class="badge kind">Apel</span>`,
		ro.T("weekday_short.tuesday") + " 01.12",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the lead's page in Romanian lacks %q", want)
		}
	}
	for _, english := range []string{"new activity", "<dd>referral</dd>", ">call</span>", "Tue 1 Dec"} {
		if strings.Contains(page, english) {
			t.Errorf("the lead's page in Romanian shows %q", english)
		}
	}
	// The score chart's points and caption: dates as Romanian writes them.
	if !strings.Contains(page, "<title>") {
		t.Error("the lead's page has no score chart")
	}
	if m := englishDate.FindString(page); m != "" {
		t.Errorf("the lead's page in Romanian writes a date in English: %q", m)
	}
}

// The import's mapping names every field it offers in the reader's
// language, the date of creation, the lead status and the outcome
// included, which were offered as their codes (created_at, status).
func TestImportMappingSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "it")
	status, loc, page := b.upload("crm.csv", "Email,Lead Status,Created Date\nana@carpat.ro,Open - Not Contacted,2026-01-05\n")
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", status, page)
	}
	if status, _, page = b.get(loc); status != http.StatusOK {
		t.Fatalf("mapping page: %d", status)
	}
	it := i18n.For("it")
	// The list of imports names its status in words too.
	if _, _, list := b.get("/imports"); !strings.Contains(list, ">"+it.T("code.mapping")+"</td>") {
		t.Errorf("the list of imports does not say %q", it.T("code.mapping"))
	}
	for _, target := range []string{"created_at", "status", "outcome", "consent_at", "custom"} {
		want := `<option value="` + target + `"`
		i := strings.Index(page, want)
		if i < 0 {
			t.Errorf("the mapping offers no %s", target)
			continue
		}
		option := page[i : i+strings.Index(page[i:], "</option>")]
		if label := option[strings.LastIndex(option, ">")+1:]; label == target || label != it.T("imptarget."+target) {
			t.Errorf("the mapping offers %s as %q", target, label)
		}
	}
}

// A segment's conditions read in the reader's language on its page: the
// field, the operator, the stages and event chosen, and the words
// between them, which were written in English whatever the language.
func TestSegmentConditionsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, seg := f.call(t, "marketing", "POST", "/api/v1/segments", `{"name":"Varme","conditions":[
		{"field":"stage","op":"in","values":["mql","sql"]},
		{"field":"score","op":"between","min":10,"max":90},
		{"field":"event","op":"at_least","event_type":"page_view","count":2,"days":30,"url_contains":"pris"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("segment: %d %v", status, seg)
	}
	_, _, page := browserIn(t, f, "mia@example.com", "nb").get(fmt.Sprint("/segments/", seg["id"]))
	nb := i18n.For("nb")
	for _, want := range []string{
		nb.T("field.stage") + " " + nb.T("op.in") + " MQL, SQL",
		nb.T("segd.from_to", "Field", nb.T("segfield.score"), "Min", 10, "Max", 90),
		nb.T("segd.events", "Event", nb.T("code.page_view"), "Op", nb.T("op.at_least"), "Count", 2, "Days", 30),
		nb.T("segd.address_contains", "Text", `&#34;pris&#34;`),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the segment's page in Norwegian lacks %q", want)
		}
	}
	for _, english := range []string{"is one of", "from 10 to 90", "times in the last", "address contains", "page_view"} {
		if strings.Contains(page, english) {
			t.Errorf("the segment's page in Norwegian shows %q", english)
		}
	}
}

// What the live pages write without a reload is in the reader's language
// too: the lead list's count of new leads and the bell's spoken count.
func TestBrowserLiveTextSpeaksTheReadersLanguage(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ola@fjord.example"}`)
	var banner, spoken string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "sam@example.com"),
		chromedp.WaitVisible(`body[data-live-open]`, chromedp.ByQuery),
		chromedp.Evaluate(`fetch("/account/language", {method: "POST", body: new URLSearchParams({language: "ro"})}).then((r) => r.status)`, nil,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Navigate(f.srv.URL+"/leads"),
		chromedp.WaitVisible(`body[data-live-open]`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"kari@fjord.example"}`)
	f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"owner":"sam@example.com"}`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#new-leads`, chromedp.ByID), chromedp.Text(`#new-leads`, &banner, chromedp.ByID),
		chromedp.WaitVisible(`#bell .count`, chromedp.ByQuery),
		chromedp.AttributeValue(`#bell .count`, "aria-label", &spoken, nil, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	ro := i18n.For("ro")
	if want := ro.T("leads.n_new_show", "Count", 1); banner != want {
		t.Errorf("the list's banner reads %q, want %q", banner, want)
	}
	if want := ro.T("nav.unread", "Count", 1); spoken != want {
		t.Errorf("the bell's count is read as %q, want %q", spoken, want)
	}
}

// A file with a header and no rows (Salesforce's header-only Data Loader
// export) ends saying that there was nothing to import, not only "0".
func TestImportOfAnEmptyFileSaysSo(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "nb")
	header, err := os.ReadFile(testdata.Path(t, "salesforce_sample/Lead_dataloader_export_header_only.csv", "testdata/salesforce_Lead_dataloader_header.csv"))
	if err != nil {
		t.Fatal(err)
	}
	status, loc, page := b.upload("leads.csv", string(header))
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d %.500s", status, page)
	}
	mapping := url.Values{}
	for i, col := range strings.Split(strings.TrimSpace(string(header)), ",") {
		if strings.Trim(col, `"`) == "Email" {
			mapping.Set(fmt.Sprint("col", i), "email")
		}
	}
	if status, _, page := b.post(loc+"/start", mapping); status != http.StatusSeeOther {
		t.Fatalf("start %v: %d %.1000s", mapping, status, page)
	}
	nb := i18n.For("nb")
	done := b.importDone(loc, "nb", time.Minute)
	if !strings.Contains(done, nb.T("imp.no_rows")) {
		t.Errorf("the empty import's page does not say it was empty:\n%s", done)
	}
}

// The probable duplicates explain each pair in the reader's language:
// how each field compared (same, partial...) and why; and a lead's line
// leaves out what it lacks instead of writing "· ·".
func TestDuplicatesExplainInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, body := range []string{
		`{"first_name":"Ion","last_name":"Popescu","phone":"+40721234567","email":"ion@carpat.ro","city":"Brasov"}`,
		`{"first_name":"I.","last_name":"Popescu","phone":"+40721234567","email":"ipopescu@gmail.com","city":"Brasov"}`,
	} {
		if status, l := f.call(t, "marketing", "POST", "/api/v1/leads", body); status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
	}
	_, _, page := browserIn(t, f, "admin@example.com", "it").get("/duplicates")
	if !strings.Contains(page, `class="card pair"`) {
		t.Fatalf("no pair to review:\n%s", page)
	}
	it := i18n.For("it")
	for _, want := range []string{": " + it.T("dup.level_same"), "(" + it.T("dup.note_initial_only") + ")"} {
		if !strings.Contains(page, html.EscapeString(want)) {
			t.Errorf("the pair's explanation in Italian lacks %q", want)
		}
	}
	for _, english := range []string{": same", ": partial", ": different", "initial only", "· ·"} {
		if strings.Contains(page, english) {
			t.Errorf("the duplicates page in Italian shows %q", english)
		}
	}
}

// A form answer's field reads as an answer in the reader's language on
// the lead's page, in the segment editor and among the scoring rules'
// fields: "(form answer)" was English, and the scoring rules showed the
// stored name ("custom.budget"); the editors name it by the form's
// question.
func TestFormAnswersAreNamedInTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ana@carpat.ro","custom":{"app_category":"accounting"}}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	if status, fm := f.call(t, "admin", "POST", "/api/v1/forms", `{"slug":"crm","name":"CRM","fields":[{"name":"email"},{"name":"app_category","label":"Category","type":"text"}]}`); status != http.StatusCreated {
		t.Fatalf("form: %d %v", status, fm)
	}
	b := browserIn(t, f, "admin@example.com", "ro")
	ro := i18n.For("ro")
	answer := ro.T("field.form_answer", "Name", "app category")
	// The segment editor and the scoring rules name it by the question
	// the form asks ("Category"), not by its key.
	asked := ro.T("field.form_answer", "Name", "Category")
	for _, c := range []struct{ path, want string }{{fmt.Sprint("/leads/", l["id"]), answer}, {"/segments/new", asked}} {
		_, _, page := b.get(c.path)
		if !strings.Contains(page, c.want) || strings.Contains(page, "(form answer)") {
			t.Errorf("%s in Romanian does not name the answer %q", c.path, c.want)
		}
	}
	_, _, page := b.get("/scoring")
	if !strings.Contains(page, ">"+ro.T("sc.form_question", "Name", "Category")+"<") || strings.Contains(page, "(form question)") {
		t.Errorf("the scoring rules do not name the form question by what it asks")
	}
}

// The channels' spend on the reports reads in the reader's language and
// number format: the channels' names (they were codes) and the amounts
// ("2,500 EUR" in every language).
func TestChannelSpendSpeaksTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := browserIn(t, f, "mia@example.com", "ro")
	status, _, page := b.post("/reports/spend", url.Values{"source": {"paid_search"}, "month": {"2026-11"}, "amount": {"2500"}, "currency": {"EUR"}})
	if status != http.StatusSeeOther {
		t.Fatalf("spend: %d %.500s", status, page)
	}
	_, _, page = b.get("/reports")
	i := strings.Index(page, `class="spend-table"`)
	if i < 0 {
		t.Fatal("no spend table on the reports")
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	ro := i18n.For("ro")
	for _, want := range []string{"<th>" + ro.T("code.paid_search") + "</th>", "<td>" + ro.Money(big.NewInt(2500), "EUR") + "</td>"} {
		if !strings.Contains(table, want) {
			t.Errorf("the spend table in Romanian lacks %q:\n%s", want, table)
		}
	}
}

// Prices and the catalog's amounts are written in the reader's number
// format: they read "1,250.00 USD" in every language.
func TestPricesAreWrittenInTheReadersFormat(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, p := f.call(t, "admin", "POST", "/api/v1/products", `{"name":"Onboarding","unit_price":"1250.00","unit_cost":"987.65","currency":"USD"}`); status != http.StatusCreated {
		t.Fatalf("product: %d %v", status, p)
	}
	if status, s := f.call(t, "admin", "POST", "/api/v1/solutions", `{"vendor":"Carpa","product":"Carpa CRM","category":"crm","deployments":["cloud"],"price":"966000","price_period":"year","currency":"EUR"}`); status != http.StatusCreated {
		t.Fatalf("solution: %d %v", status, s)
	}
	b := browserIn(t, f, "admin@example.com", "ro")
	ro := i18n.For("ro")
	for path, want := range map[string]string{
		"/products":  ro.MoneyMinor(big.NewInt(125000), "USD", 2) + "</td>",
		"/products ": "20,99%", // the margin, (1250 - 987.65) / 1250
		"/solutions": ro.Money(big.NewInt(966000), "EUR"),
	} {
		_, _, page := b.get(strings.TrimSpace(path))
		if !strings.Contains(page, want) {
			t.Errorf("%s in Romanian lacks %q", path, want)
		}
		if m := regexp.MustCompile(`\d,\d\d\d`).FindString(page); m != "" {
			t.Errorf("%s in Romanian writes %q, grouped as English", path, m)
		}
	}
}

// An invoice's dates read as the reader's language writes dates, on the
// list and on the invoice: they were "2026-11-30" in every language.
func TestInvoiceDatesAreWrittenInTheReadersFormat(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("invoicing settings: %d %v", status, body)
	}
	_, acc := f.call(t, "admin", "POST", "/api/v1/accounts", `{"name":"Buyer SRL","country":"RO","owner":"sam@example.com"}`)
	var account int64
	fmt.Sscan(fmt.Sprint(acc["id"]), &account)
	_, _, issued := invoiceFor(t, f.db, "sam@example.com", account)
	b := browserIn(t, f, "sam@example.com", "ro")
	want := i18n.For("ro").Day("2026-11-30")
	for _, path := range []string{"/invoices", fmt.Sprint("/invoices/", issued)} {
		_, _, page := b.get(path)
		if !strings.Contains(page, want) || strings.Contains(page, ">2026-11-30<") {
			t.Errorf("%s in Romanian does not write the issue date as %q", path, want)
		}
	}
}

// The deal list's expected close date reads as the reader's language
// writes dates (it was 2027-03-01 in every language).
func TestDealListDatesAreWrittenInTheReadersFormat(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"cto@fjordsoft.no","company":"Fjordsoft AS"}`)
	if status, conv := f.call(t, "sales", "POST", path+"/convert",
		`{"opportunity":{"name":"Fjordsoft CRM","amount":12000,"currency":"NOK","close_date":"2027-03-01"}}`); status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	_, _, page := browserIn(t, f, "sam@example.com", "nb").get("/deals?view=list")
	if want := i18n.For("nb").Day("2027-03-01"); !strings.Contains(page, want) || strings.Contains(page, "2027-03-01<") {
		t.Errorf("the deal list in Norwegian does not write the close date as %q", want)
	}
}

// The deal stages leadflow named read in the reader's language wherever
// a deal's stage shows (the board, a deal, its contact, the move list),
// and a stage the team named keeps its name.
func TestDealStagesSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"cto@fjordsoft.no","company":"Fjordsoft AS","first_name":"Kari"}`)
	status, conv := f.call(t, "sales", "POST", path+"/convert", `{"opportunity":{"name":"Fjordsoft CRM","amount":12000,"currency":"NOK"}}`)
	if status != http.StatusCreated {
		t.Fatalf("convert: %d %v", status, conv)
	}
	admin := browserIn(t, f, "admin@example.com", "nb")
	if status, _, page := admin.post("/settings/pipeline", url.Values{"stages": {"Qualification\nFørste tilbud\nNegotiation"}}); status != http.StatusSeeOther {
		t.Fatalf("pipeline settings: %d %.300s", status, page)
	}
	b := browserIn(t, f, "sam@example.com", "nb")
	nb := i18n.For("nb")
	for _, p := range []string{"/deals", fmt.Sprint("/deals/", conv["opportunity_id"]), fmt.Sprint("/contacts/", conv["contact_id"])} {
		_, _, page := b.get(p)
		// The contact's page shows its deal's stage; the others every stage.
		if !strings.Contains(page, nb.T("dstage.qualification")) || !strings.Contains(p, "/contacts/") && !strings.Contains(page, nb.T("dstage.won")) {
			t.Errorf("%s in Norwegian does not name the stages %q and %q", p, nb.T("dstage.won"), nb.T("dstage.qualification"))
		}
		if p == "/deals" && !strings.Contains(page, ">Første tilbud") {
			t.Errorf("the board lost the stage the team named")
		}
		for _, english := range []string{">Won<", ">Lost<", ">Qualification<", ">qualification<", ">Proposal<"} {
			if strings.Contains(page, english) {
				t.Errorf("%s in Norwegian shows %q", p, english)
			}
		}
	}
}

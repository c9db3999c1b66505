package server_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// channelLeads makes leads by API: n from each source.
func channelLeads(t *testing.T, f *fixture, n map[string]int) {
	t.Helper()
	for source, count := range n {
		for i := range count {
			domain := strings.ReplaceAll(source, "_", "-") + ".example"
			body := fmt.Sprintf(`{"email":"p%d@%s","company":"%s %d","source":%q}`, i, domain, source, i, source)
			if status, out := f.call(t, "marketing", "POST", "/api/v1/leads", body); status != http.StatusCreated {
				t.Fatalf("lead: %d %v", status, out)
			}
		}
	}
}

func TestReportsThroughAPIAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		channelLeads(t, f, map[string]int{"ads": 4, "web": 2})
		month := time.Now().UTC().Format("2006-01")

		// Spend: refused by field, refused for sales, then recorded.
		status, body := f.call(t, "marketing", "PUT", "/api/v1/channel-spend", `{"source":"ads","month":"May","amount":-1,"currency":"EUR"}`)
		if fields := errorFields(body); status != http.StatusUnprocessableEntity || fields["month"] == nil || fields["amount"] == nil {
			t.Errorf("bad spend: %d %v", status, body)
		}
		if status, _ := f.call(t, "sales", "PUT", "/api/v1/channel-spend", `{"source":"ads","month":"`+month+`","amount":1,"currency":"EUR"}`); status != http.StatusForbidden {
			t.Errorf("sales recorded spend: %d", status)
		}
		if status, body := f.call(t, "marketing", "PUT", "/api/v1/channel-spend", `{"source":"ads","month":"`+month+`","amount":400,"currency":"eur"}`); status != http.StatusOK || body["currency"] != "EUR" {
			t.Fatalf("spend: %d %v", status, body)
		}
		from := time.Now().UTC().Format("2006-01") + "-01"
		to := time.Now().UTC().AddDate(0, 1, -time.Now().UTC().Day()).Format(time.DateOnly) // the month's last day
		status, body = f.call(t, "sales", "GET", "/api/v1/kpis?from="+from+"&to="+to+"&currency=EUR", "")
		if status != http.StatusOK {
			t.Fatalf("kpis: %d %v", status, body)
		}
		total := body["total"].(map[string]any)
		channels := body["channels"].([]any)
		ads := channels[0].(map[string]any)
		if total["leads"] != 6.0 || len(channels) != 2 || ads["source"] != "ads" || ads["spend"] != 400.0 || ads["cost_per_lead"] != 100.0 || ads["roi"] != -1.0 {
			t.Errorf("kpis: total %v, ads %v", total, ads)
		}
		if d, s := keysOf(openAPISchema(t, f, "KPIRow")), keysOf(ads); !reflect.DeepEqual(d, s) {
			t.Errorf("KPIRow schema lists %v\nbut the API answers with %v", d, s)
		}
		if d, s := keysOf(openAPISchema(t, f, "KPIs")), keysOf(body); !reflect.DeepEqual(d, s) {
			t.Errorf("KPIs schema lists %v\nbut the API answers with %v", d, s)
		}
		if web := channels[1].(map[string]any); web["cost_per_lead"] != nil || web["roi"] != nil {
			t.Errorf("web has ratios without spend: %v", web)
		}
		if status, body := f.call(t, "admin", "GET", "/api/v1/kpis?period=forever", ""); status != http.StatusUnprocessableEntity || errorFields(body)["period"] == nil {
			t.Errorf("bad period: %d %v", status, body)
		}

		// The page: figures, a bad date named beside the form, and the
		// spend form keeping what was typed when refused.
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		status, _, page := b.get("/reports?from=" + from + "&to=" + to)
		if status != http.StatusOK || !strings.Contains(page, "400 EUR") || !strings.Contains(page, ">100 EUR<") || !strings.Contains(page, `href="/leads?source=ads"`) {
			t.Errorf("reports page: %d\n%s", status, page)
		}
		if status, _, page := b.get("/reports?from=2026-02-30&to=2026-01-01"); status != http.StatusUnprocessableEntity || !strings.Contains(page, "From: must be a date") {
			t.Errorf("bad dates: %d", status)
		}
		status, _, page = b.post("/reports/spend", url.Values{"source": {"web"}, "month": {month}, "amount": {"lots"}, "currency": {"EUR"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, `value="lots"`) || !strings.Contains(page, "must be a whole amount") {
			t.Errorf("refused spend form: %d", status)
		}
		// A month left out is asked for; the currency typed stays.
		status, _, page = b.post("/reports/spend", url.Values{"source": {"web"}, "month": {""}, "amount": {"100"}, "currency": {"lei"}})
		if got := formFields(page); status != http.StatusUnprocessableEntity || got.Get("currency") != "lei" || got.Get("month") != "" {
			t.Errorf("a spend without its month: %d, came back as %v", status, got)
		}
		if status, loc, _ := b.post("/reports/spend", url.Values{"source": {"web"}, "month": {month}, "amount": {"1,000"}, "currency": {"EUR"}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/reports") {
			t.Errorf("spend form: %d %s", status, loc)
		}
		sales := newBrowser(t, f.srv.URL)
		sales.login("sam@example.com")
		if _, _, page := sales.get("/reports"); strings.Contains(page, `id="spend"`) || !strings.Contains(page, "By channel") {
			t.Error("sales should see the figures but not the spend form")
		}
		if status, _, _ := sales.post("/reports/spend", url.Values{"source": {"web"}, "month": {month}, "amount": {"1"}, "currency": {"EUR"}}); status != http.StatusForbidden {
			t.Errorf("sales posted spend: %d", status)
		}
	})
}

// openAPISchema is the properties of a schema the served document names.
func openAPISchema(t *testing.T, f *fixture, name string) map[string]any {
	t.Helper()
	_, doc := f.call(t, "", "GET", "/api/v1/openapi.json", "")
	schema, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	props, ok := schema["properties"].(map[string]any)
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	return props
}

func TestBrowserReportsOnPhone(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	channelLeads(t, f, map[string]int{"paid_search": 3, "web": 1})
	var overflow bool
	var leads, cpl string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/reports", "mia@example.com"),
		chromedp.WaitVisible(`#totals`, chromedp.ByID),
		chromedp.SendKeys(`#spend input[name=source]`, "paid_search", chromedp.ByQuery),
		chromedp.SendKeys(`#spend input[name=amount]`, "900\n", chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Text(`#totals div:first-child .score`, &leads, chromedp.ByQuery),
		chromedp.Text(`#channels tbody tr:first-child td[data-label="Cost per lead"]`, &cpl, chromedp.ByQuery),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "reports-phone")
	// The month's spend counts for its days among the 30 shown.
	now := time.Now().UTC()
	inMonth := time.Date(now.Year(), now.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	spend := math.Round(900 * float64(min(now.Day(), 30)) / float64(inMonth))
	want := fmt.Sprintf("%.0f EUR", math.Round(spend/3))
	if leads != "4" || cpl != want {
		t.Errorf("leads %q, cost per lead %q, want 4 and %q", leads, cpl, want)
	}
	if overflow {
		t.Error("the reports page scrolls sideways on a 390px-wide phone")
	}

	// On a laptop the channels' fourteen columns scroll within their
	// table, not the whole page.
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1024, 768),
		chromedp.Navigate(f.srv.URL+"/reports"),
		chromedp.WaitVisible(`#channels`, chromedp.ByID),
		chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the reports page scrolls sideways at 1024px")
	}
}

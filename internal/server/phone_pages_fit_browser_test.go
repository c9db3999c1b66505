package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/invoice"
	"leadflow/internal/sqldb"
)

// Pages whose KPI cards, long buttons, wide tables and forms made a
// phone scroll sideways in Romanian and Bokmål, whose words run longer
// than English: each fits a 390 px screen, read by an admin, who sees
// every button.
func TestBrowserPhonePagesFitInLongerLanguages(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	recs := matrixRecords(t, f, db, "phonefit")
	var paths []string
	for _, pattern := range []string{
		"GET /invoices", "GET /invoices/{id}", "GET /scoring", "GET /nurture",
		"GET /nurture/sequences/{id}", "GET /accounts/{id}", "GET /reports/accounts",
		"GET /account", "GET /forms/{id}/landing/{lid}", "GET /solutions",
	} {
		rule, ok := pageMatrix[pattern]
		if !ok {
			t.Fatalf("%s is not a page the matrix knows", pattern)
		}
		_, path, _ := recs.request(pattern, rule, kindOf(rule), "admin")
		if strings.Contains(path, "{") {
			t.Fatalf("%s: no record for %s", pattern, path)
		}
		paths = append(paths, path)
	}
	// An invoice long overdue, for an amount as long as the demo's: the
	// list's KPI cards and the invoice's summary carry it.
	paths = append(paths, "/invoices/"+fmt.Sprint(bigOverdueInvoice(t, db, recs["account:own"])))

	ctx := chromiumWithin(t, 5*time.Minute)
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/home", "admin@example.com"),
		chromedp.WaitVisible(`header.top`))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ro", "nb"} {
		var status int
		var htmlLang string
		err := chromedp.Run(ctx,
			chromedp.Evaluate(fmt.Sprintf(`fetch("/account/language", {method: "POST", body: new URLSearchParams({language: %q})}).then((r) => r.status)`, lang), &status,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			chromedp.Navigate(f.srv.URL+"/home"), chromedp.WaitVisible(`main`),
			chromedp.AttributeValue(`html`, "lang", &htmlLang, nil))
		if err != nil {
			t.Fatal(err)
		}
		if htmlLang != lang {
			t.Fatalf("after choosing %s the page reads %q (%d)", lang, htmlLang, status)
		}
		for _, path := range paths {
			var wide bool
			var width int
			err := chromedp.Run(ctx,
				chromedp.Navigate(f.srv.URL+path), chromedp.WaitReady(`main`),
				chromedp.Evaluate(widerThanScreen, &wide),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
			if err != nil {
				t.Fatalf("%s in %s: %v", path, lang, err)
			}
			if wide {
				t.Errorf("%s in %s scrolls sideways on a 390 px phone: the page is %d px wide", path, lang, width)
				screenshot(t, ctx, "phonefit-"+lang+"-"+strings.NewReplacer("/", "-", "?", "-").Replace(strings.Trim(path, "/")))
			}
			// A breadcrumb is a tap target at least 24 px high.
			var small []string
			if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("main .crumbs a")].filter(a => a.getBoundingClientRect().height < 24).map(a => a.textContent + " (" + a.getBoundingClientRect().height + " px)")`, &small)); err != nil {
				t.Fatal(err)
			}
			if len(small) > 0 {
				t.Errorf("%s in %s: breadcrumbs under 24 px high on a phone: %v", path, lang, small)
			}
			// On a desktop the same page fits the window and its tables
			// stay tables, with their column headers.
			var desk string
			err = chromedp.Run(ctx,
				chromedp.EmulateViewport(1280, 844),
				chromedp.Evaluate(`(document.documentElement.scrollWidth > innerWidth ? "wider than the window; " : "") + [...document.querySelectorAll("main table")].filter(t => getComputedStyle(t).display !== "table" || (t.tHead && t.tHead.getBoundingClientRect().left < 0)).map(t => "table." + t.className + " is not a table").join("; ")`, &desk),
				chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile))
			if err != nil {
				t.Fatalf("%s in %s at 1280 px: %v", path, lang, err)
			}
			if desk != "" {
				t.Errorf("%s in %s at 1280 px: %s", path, lang, desk)
			}
		}
	}
}

// bigOverdueInvoice issues, as sam, an invoice of 166,219.20 EUR (VAT
// included) for account, due long ago, and answers its id.
func bigOverdueInvoice(t *testing.T, db *sqldb.DB, account string) int64 {
	t.Helper()
	ctx := context.Background()
	var acc, sam int64
	fmt.Sscan(account, &acc)
	if err := db.R.QueryRow(ctx, `SELECT id FROM users WHERE email = ?`, "sam@example.com").Scan(&sam); err != nil {
		t.Fatal(err)
	}
	who := access.Actor{ID: sam, Email: "sam@example.com", Role: access.Sales}
	svc := invoice.NewService(db)
	d, err := svc.Create(ctx, who, invoice.New{AccountID: acc, Currency: "EUR"})
	if err == nil {
		_, err = svc.AddLine(ctx, who, d.ID, invoice.LineInput{Name: "Implementare platformă", Quantity: "1000", UnitPrice: "139.68", Category: "S", Rate: "19"})
	}
	if err == nil {
		d, err = svc.Issue(ctx, who, d.ID, "2026-01-05")
	}
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

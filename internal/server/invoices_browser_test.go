package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/product"
)

// A sales user bills a won deal in Chromium as they would: "Invoice
// this deal" on the deal, a line added by hand, "Issue…" refused until
// the customer's billing details are filled in on the account page,
// issued with the first number of the year, a part payment recorded;
// the PDF and e-invoice links answer their files; and the invoice, the
// list and My day read at phone width without scrolling sideways.
func TestBrowserInvoiceADeal(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	bg := context.Background()
	admin := access.Actor{Role: access.Admin}
	deals := crm.NewService(db, lead.NewService(db))
	products := product.NewService(db)
	acc, err := deals.CreateAccount(bg, admin, crm.AccountInput{Name: "Fjordlys"})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := deals.CreateOpportunity(bg, admin, crm.OpportunityInput{AccountID: acc.ID, Name: "Seats for Tromsø", Owner: "sam@example.com", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	seat, err := products.Create(bg, admin, product.Input{Name: "CRM seat (year)", UnitPrice: "480", Currency: "EUR", UnitCost: "96", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := products.AddLine(bg, admin, deal.ID, seat.ID, "10"); err != nil {
		t.Fatal(err)
	}
	if _, err := deals.Move(bg, admin, deal.ID, "won", ""); err != nil {
		t.Fatal(err)
	}
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", `{"legal_name":"Aurora Soft SRL","vat_id":"RO18547290",
		"street":"Strada Ștefan cel Mare 12","city":"București","postal_code":"020121","country":"RO","iban":"RO49 AAAA 1B31 0075 9384 0000","invoice_prefix":"AUR"}`); status != http.StatusOK {
		t.Fatalf("settings: %d %v", status, body)
	}
	year := time.Now().UTC().Format("2006")
	var text, issueErrors string
	err = chromedp.Run(ctx,
		signIn(f.srv.URL+fmt.Sprintf("/deals/%d", deal.ID), "sam@example.com"),
		chromedp.WaitVisible(`#invoices`, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#invoices button[type=submit]`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#add-line`, chromedp.ByID),
		chromedp.SendKeys(`#l-name`, "Onboarding day", chromedp.ByID),
		chromedp.SetValue(`#l-qty`, "2", chromedp.ByID),
		chromedp.SendKeys(`#l-price`, "1150", chromedp.ByID),
		chromedp.SendKeys(`#l-discount`, "10", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#add-line button[type=submit]`)
	// 10 × 480 + 2 × 1,150 less 10% = 6,870.00 at 19% = 1,305.30.
	if err := chromedp.Run(ctx, chromedp.Text(`#invoice-total`, &text, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "8,175.30 EUR") {
		t.Errorf("the draft's total reads %q", text)
	}
	clickToNavigate(t, ctx, `a[href$="/issue"]`)
	// The draft comes back with what is missing, as a form does (422).
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(`.confirm button.danger`)); err != nil || resp == nil || resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("issue without the buyer's country: %v, %v", resp, err)
	}
	if err := chromedp.Run(ctx, chromedp.Text(`#errors`, &issueErrors, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(issueErrors, "The buyer's country") {
		t.Errorf("issuing for an account without a country says %q", issueErrors)
	}
	clickToNavigate(t, ctx, `#errors a[href*="#billing"]`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#b-legal_name`, chromedp.ByID),
		chromedp.SendKeys(`#b-legal_name`, "Fjordlys Håndverk AS", chromedp.ByID),
		chromedp.SendKeys(`#b-vat_id`, "NO999888777MVA", chromedp.ByID),
		chromedp.SendKeys(`#b-country`, "NO", chromedp.ByID),
		chromedp.SendKeys(`#b-city`, "Tromsø", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#billing button[type=submit]`)
	err = chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+"/invoices"), chromedp.WaitVisible(`table.invoices`, chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `table.invoices a[href^="/invoices/"]`)
	clickToNavigate(t, ctx, `a[href$="/issue"]`)
	clickToNavigate(t, ctx, `.confirm button.danger`)
	var title, status string
	if err := chromedp.Run(ctx, chromedp.Text(`h1`, &title, chromedp.ByQuery), chromedp.Text(`#invoice-status`, &status, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Invoice AUR-"+year+"-0001") || status != "Issued" {
		t.Errorf("after issuing: %q, %q", title, status)
	}
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#p-amount`, "5000", chromedp.ByID),
		chromedp.SendKeys(`#p-ref`, "Bank statement 42", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#payments button[type=submit]`)
	var owed, pdfType, xmlType string
	err = chromedp.Run(ctx,
		chromedp.Text(`#invoice-owed`, &owed, chromedp.ByID),
		chromedp.Evaluate(`fetch(document.querySelector('a[href$="/pdf"]').href).then(r => r.headers.get("content-type"))`, &pdfType, awaitPromise),
		chromedp.Evaluate(`fetch(document.querySelector('a[href$="e-invoice.xml"]').href).then(r => r.text()).then(t => t.includes("<cbc:ID>AUR-`+year+`-0001</cbc:ID>") ? "ubl" : t.slice(0, 200))`, &xmlType, awaitPromise),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(owed, "3,175.30 EUR") || pdfType != "application/pdf" || xmlType != "ubl" {
		t.Errorf("after a payment of 5,000: owed %q; PDF %q; e-invoice %q", owed, pdfType, xmlType)
	}
	var path string
	chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &path))
	for _, width := range []int64{1280, 390} {
		var opts []chromedp.EmulateViewportOption
		if width == 390 {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		for _, p := range []struct{ path, ready string }{{path, "#payments"}, {"/invoices", "table.invoices"}, {"/today", "#today"}} {
			var overflow bool
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(width, 844, opts...),
				chromedp.Navigate(f.srv.URL+p.path),
				chromedp.WaitVisible(p.ready),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
			)
			if err != nil {
				t.Fatalf("%s at %d px: %v", p.path, width, err)
			}
			if overflow {
				t.Errorf("%s scrolls sideways at %d px", p.path, width)
			}
			screenshot(t, ctx, fmt.Sprintf("invoice-%s-%d", strings.NewReplacer("/", "-").Replace(strings.Trim(p.path, "/")), width))
		}
	}
}

// awaitPromise makes Evaluate wait for the promise the script returns.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

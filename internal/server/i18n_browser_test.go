package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// A salesperson who sets Romanian on their account page reads the menu,
// the lead list and their deals' amounts in Romanian from the next page
// on, whatever their browser asks for.
func TestBrowserUserReadsRomanian(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"ioana@carpathia.ro","company":"Carpathia"}`)
	if status, body := f.call(t, "sales", "POST", path+"/convert", `{"opportunity":{"name":"Carpathia CRM","amount":1234567,"currency":"EUR"}}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	var before, flash, nav, htmlLang, count, amount string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/account", "sam@example.com"),
		chromedp.WaitVisible(`#me-language`, chromedp.ByID),
		chromedp.Text(`nav[aria-label] a[href="/leads"]`, &before, chromedp.ByQuery),
		chromedp.SetValue(`#me-language`, "ro", chromedp.ByID),
		chromedp.Click(`#language button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Text(`.flash`, &flash, chromedp.ByQuery),
		chromedp.Navigate(f.srv.URL+"/leads"),
		chromedp.WaitVisible(`table.leads`, chromedp.ByQuery),
		chromedp.Text(`header nav a[href="/leads"]`, &nav, chromedp.ByQuery),
		chromedp.AttributeValue(`html`, "lang", &htmlLang, nil, chromedp.ByQuery),
		chromedp.Text(`#count`, &count, chromedp.ByID),
		chromedp.Navigate(f.srv.URL+"/deals"),
		chromedp.WaitVisible(`#board .deal`, chromedp.ByQuery),
		chromedp.Text(`#board .deal`, &amount, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if before != "Leads" {
		t.Errorf("before the setting the menu says %q, want English", before)
	}
	if flash != "Limba a fost salvată." {
		t.Errorf("after saving the flash says %q", flash)
	}
	if nav != "Lead-uri" || htmlLang != "ro" {
		t.Errorf("in Romanian the menu says %q and the page's lang is %q", nav, htmlLang)
	}
	if count != "1–1 din 1 lead" {
		t.Errorf("the list's count reads %q", count)
	}
	// CLDR's Romanian: "." groups thousands, a no-break space before the
	// currency.
	if !strings.Contains(amount, "1.234.567\u00a0EUR") {
		t.Errorf("the deal card shows %q, want 1.234.567 EUR as Romanian writes it", amount)
	}
	screenshot(t, ctx, "deals-ro")
}

package server_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/invoice"
	"leadflow/internal/sqldb"
)

// An invoice through the API as a client would make it: a draft for an
// account with its lines, issued, part paid, read back with its VAT
// breakdown, and downloaded as a PDF and a UBL e-invoice; bad input is
// refused naming the field, the line's included.
func TestInvoiceThroughTheAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
			t.Fatalf("settings: %d %v", status, body)
		}
		status, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Fjordlys","country":"NO"}`)
		if status != http.StatusCreated {
			t.Fatalf("account: %d %v", status, acc)
		}
		accID := fmt.Sprint(acc["id"])
		if status, body := f.call(t, "sales", "PUT", "/api/v1/accounts/"+accID+"/billing", `{"legal_name":"Fjordlys Håndverk AS","vat_id":"no999888777mva"}`); status != http.StatusOK || body["vat_id"] != "NO999888777MVA" || body["country"] != "NO" {
			t.Fatalf("billing: %d %v", status, body)
		}
		status, bad := f.call(t, "sales", "POST", "/api/v1/invoices", `{"account_id":`+accID+`,"currency":"EUR","lines":[{"name":"Seat","quantity":"1","unit_price":"10"},{"name":"Day","quantity":"0","unit_price":"-1"}]}`)
		fields, _ := bad["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["lines[1].quantity"] == nil || fields["lines[1].unit_price"] == nil {
			t.Errorf("a bad second line: %d %v", status, bad)
		}
		status, d := f.call(t, "sales", "POST", "/api/v1/invoices", `{"account_id":`+accID+`,"currency":"EUR","lines":[
			{"name":"CRM seat (year)","quantity":"10","unit_price":"480","vat_rate":"25"},
			{"name":"Onboarding day","quantity":"1.5","unit_price":"1150","discount_percent":"10","vat_rate":"25"}]}`)
		if status != http.StatusCreated || d["status"] != "draft" || d["number"] != nil {
			t.Fatalf("draft: %d %v", status, d)
		}
		id := fmt.Sprint(d["id"])
		// 4,800 + 1,725 less 172.50 = 6,352.50; 25% = 1,588.125, 1,588.13.
		if d["tax_exclusive"] != "6352.50" || d["vat_total"] != "1588.13" || d["total"] != "7940.63" {
			t.Errorf("draft totals: %v %v %v", d["tax_exclusive"], d["vat_total"], d["total"])
		}
		status, i := f.call(t, "sales", "POST", "/api/v1/invoices/"+id+"/issue", "")
		if status != http.StatusOK || i["status"] != "issued" || !strings.HasPrefix(fmt.Sprint(i["number"]), "MX-") {
			t.Fatalf("issue: %d %v", status, i)
		}
		if status, body := f.call(t, "sales", "POST", "/api/v1/invoices/"+id+"/lines", `{"name":"Late","quantity":"1","unit_price":"1"}`); status != http.StatusConflict {
			t.Errorf("a line on an issued invoice: %d %v", status, body)
		}
		status, paid := f.call(t, "sales", "POST", "/api/v1/invoices/"+id+"/payments", `{"amount":"940.63","method":"card"}`)
		if status != http.StatusCreated || paid["balance"] != "7000.00" || len(paid["payments"].([]any)) != 1 {
			t.Errorf("payment: %d %v", status, paid)
		}
		status, list := f.call(t, "sales", "GET", "/api/v1/invoices?status=issued", "")
		if data, _ := list["data"].([]any); status != http.StatusOK || len(data) != 1 {
			t.Errorf("issued invoices: %d %v", status, list)
		}
		if status, list := f.call(t, "sales2", "GET", "/api/v1/invoices", ""); status != http.StatusOK || len(list["data"].([]any)) != 0 {
			t.Errorf("another sales user's list: %d %v", status, list)
		}
		for _, c := range []struct{ path, ctype, has string }{
			{"/api/v1/invoices/" + id + "/pdf", "application/pdf", "%PDF-"},
			{"/api/v1/invoices/" + id + "/ubl", "application/xml; charset=utf-8", "<cbc:PayableAmount currencyID=\"EUR\">7940.63</cbc:PayableAmount>"},
		} {
			req, _ := http.NewRequest("GET", f.srv.URL+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens["sales"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.ctype || !strings.Contains(string(body), c.has) {
				t.Errorf("%s: %d %s %.200s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		}
	})
}

// An invoice past its due date shows on the sales user's My day and
// overdue list, and on the dashboard for every role, linked only for
// those who invoice.
// overdueInvoice is an invoice of one line in currency to a new
// Norwegian account named account, issued by Sam (sales) on 5 January
// 2026 and so long overdue, the seller's details set.
func overdueInvoice(t *testing.T, f *fixture, db *sqldb.DB, account, currency string, line invoice.LineInput) invoice.Invoice {
	t.Helper()
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("settings: %d %v", status, body)
	}
	status, acc := f.call(t, "admin", "POST", "/api/v1/accounts", fmt.Sprintf(`{"name":%q,"country":"NO"}`, account))
	if status != http.StatusCreated {
		t.Fatalf("account: %d %v", status, acc)
	}
	var accID, samID int64
	fmt.Sscan(fmt.Sprint(acc["id"]), &accID)
	if err := db.R.QueryRow(context.Background(), `SELECT id FROM users WHERE email = 'sam@example.com'`).Scan(&samID); err != nil {
		t.Fatal(err)
	}
	sam := access.Actor{ID: samID, Role: access.Sales}
	svc := invoice.NewService(db)
	d, err := svc.Create(context.Background(), sam, invoice.New{AccountID: accID, Currency: currency})
	if err == nil {
		d, err = svc.AddLine(context.Background(), sam, d.ID, line)
	}
	if err == nil {
		d, err = svc.Issue(context.Background(), sam, d.ID, "2026-01-05")
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOverdueInvoicesShow(t *testing.T) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	d := overdueInvoice(t, f, db, "Late Payer AS", "EUR", invoice.LineInput{Name: "Seat", Quantity: "1", UnitPrice: "480", Category: "S", Rate: "25"})
	sales := newBrowser(t, f.srv.URL)
	sales.login("sam@example.com")
	for _, p := range []string{"/today", "/invoices?status=overdue", "/reports"} {
		status, _, body := sales.get(p)
		text := textOf(body)
		if status != http.StatusOK || !strings.Contains(text, d.Number) && p != "/reports" || !strings.Contains(text, "600.00 EUR") {
			t.Errorf("%s as sales: %d, does not show %s owing 600.00 EUR:\n%.600s", p, status, d.Number, text)
		}
	}
	if _, _, body := sales.get("/reports"); !strings.Contains(body, `href="/invoices?status=overdue"`) {
		t.Error("the dashboard does not link a sales user to the overdue invoices")
	}
	mkt := newBrowser(t, f.srv.URL)
	mkt.login("mia@example.com")
	status, _, body := mkt.get("/reports")
	if status != http.StatusOK || !strings.Contains(textOf(body), "600.00 EUR overdue on 1") || strings.Contains(body, `href="/invoices`) {
		t.Errorf("the dashboard as marketing: %d\n%.600s", status, textOf(body))
	}
	if status, _, _ := mkt.get("/invoices"); status != http.StatusForbidden {
		t.Errorf("marketing opens the invoices: %d", status)
	}
}

// Sam starts an invoice from the account's page with a currency he
// mistyped: the page comes back with what he typed and the reason beside
// it, and the corrected currency starts the draft.
func TestNewInvoiceFormKeepsTheCurrencyTyped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	status, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Fjordlys","country":"NO"}`)
	if status != http.StatusCreated {
		t.Fatalf("account: %d %v", status, acc)
	}
	accID := fmt.Sprint(acc["id"])
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	if _, _, page := b.get("/accounts/" + accID); !strings.Contains(page, `action="/invoices"`) {
		t.Fatal("the account page offers no new invoice")
	}
	status, _, body := b.post("/invoices", url.Values{"account_id": {accID}, "currency": {"KR"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `<h1>Fjordlys</h1>`) ||
		!strings.Contains(body, `value="KR"`) || !strings.Contains(textOf(body), "Currency must be a three-letter currency code") {
		t.Fatalf("a mistyped currency: %d, the account page is not shown again with it and its reason:\n%.800s", status, textOf(body))
	}
	status, loc, _ := b.post("/invoices", url.Values{"account_id": {accID}, "currency": {"NOK"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/invoices/") {
		t.Errorf("the corrected currency: %d → %q", status, loc)
	}
}

// Ana keeps a draft open in two tabs and issues it in one: a line added
// from the other, the draft deleted from it, or the invoice issued again
// is refused with the invoice shown as it now is and why, in her
// language.
func TestInvoiceChangedInAnotherTabSpeaksRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("settings: %d %v", status, body)
	}
	status, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Fjordlys","country":"NO"}`)
	if status != http.StatusCreated {
		t.Fatalf("account: %d %v", status, acc)
	}
	status, d := f.call(t, "sales", "POST", "/api/v1/invoices", `{"account_id":`+fmt.Sprint(acc["id"])+`,"currency":"EUR","lines":[{"name":"Seat","quantity":"1","unit_price":"10"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("draft: %d %v", status, d)
	}
	path := fmt.Sprint("/invoices/", d["id"])
	b := browserIn(t, f, "sam@example.com", "ro")
	if status, _, _ := b.post(path+"/issue", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("issue: %d", status)
	}
	_, got := f.call(t, "sales", "GET", "/api/v1"+path, "")
	title := "Factura " + fmt.Sprint(got["number"])
	for _, c := range []struct {
		action string
		form   url.Values
		want   string
	}{
		{"/lines", url.Values{"name": {"Onboarding day"}, "quantity": {"2"}, "unit_price": {"800"}, "category": {"S"}, "vat_rate": {"19"}},
			title + " este emisă și nu se mai poate modifica; corecteaz-o cu o factură de stornare."},
		{"/delete", url.Values{}, title + " este emisă și se păstrează; anuleaz-o sau corecteaz-o cu o factură de stornare."},
		{"/issue", url.Values{}, title + " este deja emisă."},
	} {
		status, _, page := b.post(path+c.action, c.form)
		text := html.UnescapeString(page)
		if status != http.StatusConflict || !strings.Contains(text, `<div class="error-summary" role="alert" id="refused" tabindex="-1"><p>`+c.want+`</p>`) ||
			!strings.Contains(text, "<h1>"+title) {
			t.Errorf("%s from a stale tab: %d, the invoice is not shown with why in Romanian:\n%.900s", c.action, status, textOf(text))
		}
	}
}

// Ana saves a draft's header from a page drawn before someone else changed
// the draft: the page comes back with the draft as it now is, why, and
// her order number still in the form; saving it again replaces the other
// change knowingly.
func TestDraftChangedMeanwhileKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("settings: %d %v", status, body)
	}
	_, acc := f.call(t, "sales", "POST", "/api/v1/accounts", `{"name":"Fjordlys","country":"NO"}`)
	status, d := f.call(t, "sales", "POST", "/api/v1/invoices", `{"account_id":`+fmt.Sprint(acc["id"])+`,"currency":"EUR","lines":[{"name":"Seat","quantity":"1","unit_price":"10"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("draft: %d %v", status, d)
	}
	path := fmt.Sprint("/invoices/", d["id"])
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	_, _, page := b.get(path)
	form := formFields(page)
	if form.Get("version") == "" {
		t.Fatal("the draft's header form carries no version")
	}
	if status, body := f.call(t, "sales", "PATCH", "/api/v1"+path, `{"note":"Paid by card"}`); status != http.StatusOK {
		t.Fatalf("the other change: %d %v", status, body)
	}
	form.Set("buyer_reference", "PO-778")
	status, _, page = b.post(path, form)
	if status != http.StatusConflict || !strings.Contains(html.UnescapeString(page), "This draft was changed by someone else since you opened it") ||
		!strings.Contains(page, `value="PO-778"`) {
		t.Fatalf("a header saved from a stale page: %d, not shown again with why and what was typed", status)
	}
	if status, _, _ := b.post(path, formFields(page)); status != http.StatusSeeOther {
		t.Fatalf("saving again knowingly: %d", status)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1"+path, ""); got["buyer_reference"] != "PO-778" {
		t.Errorf("after the second save: %v", got)
	}
}

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/invoice"
	"leadflow/internal/sqldb"
)

// Invoices are for admins and sales users ("billing"), and a sales user
// works on their own and those whose owner has left, as with leads. The
// invoicing settings are the admins'; an account's billing details are
// shared, as the account is.
var invoiceMatrix = map[string]allowed{
	"GET /api/v1/invoices":                   {"billing", false},
	"POST /api/v1/invoices":                  {"billing", false},
	"GET /api/v1/invoices/{id}":              {"billing", true},
	"PATCH /api/v1/invoices/{id}":            {"billing", true},
	"DELETE /api/v1/invoices/{id}":           {"billing", true},
	"POST /api/v1/invoices/{id}/lines":       {"billing", true},
	"POST /api/v1/invoices/{id}/allowances":  {"billing", true},
	"DELETE /api/v1/invoice-lines/{id}":      {"billing", true},
	"POST /api/v1/invoices/{id}/issue":       {"billing", true},
	"POST /api/v1/invoices/{id}/payments":    {"billing", true},
	"POST /api/v1/invoices/{id}/credit-note": {"billing", true},
	"POST /api/v1/invoices/{id}/void":        {"billing", true},
	"GET /api/v1/invoices/{id}/pdf":          {"billing", true},
	"GET /api/v1/invoices/{id}/ubl":          {"billing", true},
	"GET /api/v1/settings/invoicing":         {"admin", false},
	"PUT /api/v1/settings/invoicing":         {"admin", false},
	"GET /api/v1/accounts/{id}/billing":      {"billing", false},
	"PUT /api/v1/accounts/{id}/billing":      {"billing", false},
}

var invoicePageMatrix = map[string]pageRule{
	"GET /invoices":                    {who: "billing"},
	"POST /invoices":                   {who: "billing", form: url.Values{"account_id": {"{invaccount}"}, "currency": {"EUR"}}},
	"GET /invoices/{id}":               {who: "billing", record: "invoice"},
	"POST /invoices/{id}":              {who: "billing", record: "invoice", form: url.Values{"note": {"Matrix"}}},
	"POST /invoices/{id}/lines":        {who: "billing", record: "invoice", form: url.Values{"name": {"Matrix line"}, "quantity": {"1"}, "unit_price": {"10"}, "category": {"S"}, "vat_rate": {"19"}}},
	"POST /invoices/{id}/allowances":   {who: "billing", record: "invoice", form: url.Values{"reason": {"Matrix"}, "amount": {"1"}, "category": {"S"}, "vat_rate": {"19"}}},
	"POST /invoice-lines/{id}/delete":  {who: "billing", record: "invoice-line", form: url.Values{}},
	"GET /invoices/{id}/issue":         {who: "billing", record: "invoice"},
	"POST /invoices/{id}/issue":        {who: "billing", record: "invoice", form: url.Values{}},
	"POST /invoices/{id}/payments":     {who: "billing", record: "invoice-issued", form: url.Values{"amount": {"1"}}},
	"POST /invoices/{id}/credit-note":  {who: "billing", record: "invoice-issued", form: url.Values{}},
	"GET /invoices/{id}/void":          {who: "billing", record: "invoice-issued"},
	"POST /invoices/{id}/void":         {who: "billing", record: "invoice-issued", form: url.Values{}},
	"GET /invoices/{id}/delete":        {who: "billing", record: "invoice"},
	"POST /invoices/{id}/delete":       {who: "billing", record: "invoice", form: url.Values{}},
	"GET /invoices/{id}/pdf":           {who: "billing", record: "invoice-issued"},
	"GET /invoices/{id}/e-invoice.xml": {who: "billing", record: "invoice-issued"},
	"POST /deals/{id}/invoice":         {who: "billing", record: "deal", form: url.Values{}},
	"POST /accounts/{id}/billing":      {who: "billing", record: "account", form: url.Values{"legal_name": {"Matrix SRL"}, "country": {"RO"}}},
	"GET /settings/invoicing":          {who: "admin"},
	"POST /settings/invoicing":         {who: "admin", form: url.Values{"legal_name": {"Matrix SRL"}, "country": {"RO"}, "vat_id": {"RO18547290"}, "invoice_prefix": {"INV"}, "credit_note_prefix": {"CN"}, "payment_days": {"14"}, "default_vat_rate": {"19"}}},
}

func init() {
	for rt, who := range invoiceMatrix {
		matrix[rt] = who
	}
	for rt, rule := range invoicePageMatrix {
		pageMatrix[rt] = rule
	}
	ownerScoped["invoice"], ownerScoped["invoice-issued"], ownerScoped["invoice-line"] = true, true, true
}

// sellerForMatrix is enough of the seller for documents to be issued.
const sellerForMatrix = `{"legal_name":"Matrix Soft SRL","vat_id":"RO18547290","country":"RO","invoice_prefix":"MX","credit_note_prefix":"MXC"}`

// invoiceFor makes, as owner (an email), a draft with one line and an
// issued invoice for account, and returns the draft, its line and the
// issued one.
func invoiceFor(t *testing.T, db *sqldb.DB, owner string, account int64) (draft, line, issued int64) {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := db.R.QueryRow(ctx, `SELECT id FROM users WHERE email = ?`, owner).Scan(&id); err != nil {
		t.Fatal(err)
	}
	who := access.Actor{ID: id, Email: owner, Role: access.Sales}
	svc := invoice.NewService(db)
	if _, err := svc.SaveBilling(ctx, access.Actor{Role: access.Admin}, account, invoice.Party{LegalName: "Buyer SRL", Country: "RO"}); err != nil {
		t.Fatal(err)
	}
	mk := func() invoice.Invoice {
		d, err := svc.Create(ctx, who, invoice.New{AccountID: account, Currency: "EUR"})
		if err == nil {
			d, err = svc.AddLine(ctx, who, d.ID, invoice.LineInput{Name: "Seat", Quantity: "1", UnitPrice: "100", Category: "S", Rate: "19"})
		}
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := mk()
	i, err := svc.Issue(ctx, who, mk().ID, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	return d.ID, d.Lines[0].ID, i.ID
}

// invoicePageRecords adds, for the own, other and unassigned owners (the
// last still leo, deleted after), a draft with a line and an issued
// invoice on their account.
func invoicePageRecords(t *testing.T, f *fixture, db *sqldb.DB, recs records, leo string) {
	t.Helper()
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("invoicing settings: %d %v", status, body)
	}
	for kind, owner := range map[string]string{"own": "sam@example.com", "other": "sue@example.com", "unassigned": leo} {
		var account int64
		fmt.Sscan(recs["account:"+kind], &account)
		d, l, i := invoiceFor(t, db, owner, account)
		recs["invoice:"+kind], recs["invoice-line:"+kind], recs["invoice-issued:"+kind] = fmt.Sprint(d), fmt.Sprint(l), fmt.Sprint(i)
	}
	recs["{invaccount}"] = recs["account:own"]
}

// invoiceRecords adds Sue's draft, its line and an issued invoice of
// hers to the API matrix's records.
func invoiceRecords(t *testing.T, f *fixture, db *sqldb.DB, account string, ids map[string]string) {
	t.Helper()
	if status, body := f.call(t, "admin", "PUT", "/api/v1/settings/invoicing", sellerForMatrix); status != http.StatusOK {
		t.Fatalf("invoicing settings: %d %v", status, body)
	}
	var acc int64
	fmt.Sscan(account, &acc)
	d, l, i := invoiceFor(t, db, "sue@example.com", acc)
	for _, p := range []string{"", "/lines", "/allowances", "/issue"} {
		ids["/api/v1/invoices/{id}"+p] = fmt.Sprint(d)
	}
	for _, p := range []string{"/payments", "/credit-note", "/void", "/pdf", "/ubl"} {
		ids["/api/v1/invoices/{id}"+p] = fmt.Sprint(i)
	}
	ids["/api/v1/invoice-lines/{id}"] = fmt.Sprint(l)
	ids["/api/v1/accounts/{id}/billing"] = account
}

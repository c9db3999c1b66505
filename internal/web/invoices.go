package web

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/invoice"
	"leadflow/internal/product"
)

func init() {
	funcs["iban"] = invoice.SpacedIBAN
	funcs["vatCategories"] = func() any { return invoice.Categories }
	funcs["billing"] = invoice.MayBill
}

// groupedDecimal writes a plain decimal with its thousands grouped, as the
// amounts beside it are: "1150.00" reads "1,150.00".
func groupedDecimal(d string) string {
	whole, frac, hasFrac := strings.Cut(d, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for k, r := range whole {
		if k > 0 && (len(whole)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// invoiceLabels name the fields of invoices, lines and legal details.
var invoiceLabels = map[string]string{
	"name": "Name", "legal_name": "Legal name", "vat_id": "VAT ID", "registration_no": "Registration number",
	"street": "Street and number", "city": "City", "postal_code": "Postal code", "country": "Country (two letters)",
	"email": "Invoice email", "iban": "IBAN", "bic": "BIC", "payment_days": "Days to pay", "default_vat_rate": "Default VAT rate %",
	"invoice_prefix": "Invoice prefix", "credit_note_prefix": "Credit note prefix", "quantity": "Quantity", "unit_price": "Unit price",
	"discount": "Discount %", "category": "VAT category", "vat_rate": "VAT rate %", "reason": "Reason", "amount": "Amount",
	"paid_on": "Paid on", "method": "Method", "reference": "Reference", "due_date": "Due date", "buyer_reference": "Buyer reference",
	"note": "Note", "lines": "Lines", "product_id": "Product", "account_id": "Account", "currency": "Currency",
}

// invoiceLabel names field f; "seller.vat_id" is the seller's VAT ID.
func invoiceLabel(f string) string {
	for _, side := range []string{"seller", "buyer"} {
		if k, ok := strings.CutPrefix(f, side+"."); ok {
			return map[string]string{"seller": "Your ", "buyer": "The buyer's "}[side] + strings.ToLower(invoiceLabel(k))
		}
	}
	if l, ok := invoiceLabels[f]; ok {
		return l
	}
	return f
}

// invoiceRoutes adds invoices, credit notes and the invoicing settings.
func (h *Web) invoiceRoutes(mux routeMux) {
	mux.HandleFunc("GET /invoices", h.listInvoices)
	mux.HandleFunc("POST /invoices", h.createInvoice)
	mux.HandleFunc("GET /invoices/{id}", h.showInvoice)
	mux.HandleFunc("POST /invoices/{id}", h.updateInvoice)
	mux.HandleFunc("POST /invoices/{id}/lines", h.addInvoiceLine)
	mux.HandleFunc("POST /invoices/{id}/allowances", h.addInvoiceAllowance)
	mux.HandleFunc("POST /invoice-lines/{id}/delete", h.removeInvoiceLine)
	mux.HandleFunc("GET /invoices/{id}/issue", h.confirmIssue)
	mux.HandleFunc("POST /invoices/{id}/issue", h.issueInvoice)
	mux.HandleFunc("POST /invoices/{id}/payments", h.recordPayment)
	mux.HandleFunc("POST /invoices/{id}/credit-note", h.creditNote)
	mux.HandleFunc("GET /invoices/{id}/void", h.confirmVoid)
	mux.HandleFunc("POST /invoices/{id}/void", h.voidInvoice)
	mux.HandleFunc("GET /invoices/{id}/delete", h.confirmDeleteInvoice)
	mux.HandleFunc("POST /invoices/{id}/delete", h.deleteInvoice)
	mux.HandleFunc("GET /invoices/{id}/pdf", h.invoicePDF)
	mux.HandleFunc("GET /invoices/{id}/e-invoice.xml", h.invoiceUBL)
	mux.HandleFunc("POST /deals/{id}/invoice", h.invoiceDeal)
	mux.HandleFunc("POST /accounts/{id}/billing", h.saveBilling)
	mux.HandleFunc("GET /settings/invoicing", h.invoiceSettings)
	mux.HandleFunc("POST /settings/invoicing", h.saveInvoiceSettings)
}

// invoicesData is the list of invoices.
type invoicesData struct {
	Items  []invoice.Invoice
	Status string
	Next   int64
	Today  string
	Owed   []invoice.Due
}

// invoiceStatuses are the list's tabs.
var invoiceStatuses = []struct{ Key, Label string }{
	{"", "All"}, {"draft", "Drafts"}, {"issued", "Issued"}, {"overdue", "Overdue"}, {"paid", "Paid"}, {"void", "Void"},
}

func init() { funcs["invoiceStatuses"] = func() any { return invoiceStatuses } }

func (h *Web) listInvoices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := invoicesData{Status: q.Get("status"), Today: h.Invoices.Today(h.zone(r))}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	var err error
	d.Items, d.Next, err = h.Invoices.List(r.Context(), actor(r), invoice.Filter{Status: d.Status, Before: before, Today: d.Today})
	if err == nil {
		d.Owed, err = h.Invoices.Owed(r.Context(), actor(r), d.Today)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "invoices", page{Title: "Invoices", Nav: "invoices", Data: d})
}

// invoiceData is an invoice's page and the forms on it.
type invoiceData struct {
	invoice.Invoice
	Today    string
	Catalog  any
	Form     string // the form the errors belong to
	Errors   map[string]string
	Values   map[string]string
	Defaults map[string]string
	// Refused is why a change made from a page drawn before the invoice
	// changed was refused, as a sentence in the reader's language.
	Refused string
}

func (h *Web) invoiceInPath(w http.ResponseWriter, r *http.Request) (invoice.Invoice, bool) {
	id, err := invoice.ParseID(r.PathValue("id"))
	if err == nil {
		var i invoice.Invoice
		if i, err = h.Invoices.Get(r.Context(), actor(r), id); err == nil {
			return i, true
		}
	}
	h.fail(w, r, err)
	return invoice.Invoice{}, false
}

func (h *Web) showInvoice(w http.ResponseWriter, r *http.Request) {
	if i, ok := h.invoiceInPath(w, r); ok {
		h.renderInvoice(w, r, i, "", nil, nil, 0)
	}
}

func (h *Web) renderInvoice(w http.ResponseWriter, r *http.Request, i invoice.Invoice, form string, errs, values map[string]string, status int) {
	h.renderInvoicePage(w, r, invoiceData{Invoice: i, Form: form, Errors: errs, Values: values}, status)
}

func (h *Web) renderInvoicePage(w http.ResponseWriter, r *http.Request, d invoiceData, status int) {
	i := d.Invoice
	d.Today = h.Invoices.Today(h.zone(r))
	if i.Status == invoice.Draft {
		catalog, err := h.Products.List(r.Context(), false)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Catalog = catalog
	}
	rate := invoice.Percent(i.Seller.DefaultRateBP)
	d.Defaults = map[string]string{"quantity": "1", "category": invoice.Standard, "vat_rate": rate, "paid_on": d.Today,
		"amount": invoice.Amount(i.Balance(), i.Currency), "due_date": i.DueDate, "buyer_reference": i.BuyerReference, "note": i.Note}
	if d.Values == nil {
		d.Values = d.Defaults
	}
	h.render(w, r, "invoice", page{Title: i.TitleIn(i18n.From(r.Context())), Nav: "invoices", Data: d, Status: status})
}

// invoiceFormError shows the invoice again with the form's field errors,
// or as it now is with why a change from an older page was refused (a
// conflict), or fails the page for any other error; it says whether it
// did any.
func (h *Web) invoiceFormError(w http.ResponseWriter, r *http.Request, id int64, form string, err error) bool {
	if err == nil {
		return false
	}
	e := fault.As(err)
	if e == nil || e.Fields == nil && e.Code != fault.Conflict {
		h.fail(w, r, err)
		return true
	}
	i, gerr := h.Invoices.Get(r.Context(), actor(r), id)
	if gerr != nil {
		h.fail(w, r, gerr)
		return true
	}
	r.ParseForm()
	values := map[string]string{}
	for k := range r.PostForm {
		values[k] = r.PostForm.Get(k)
	}
	if e.Fields == nil {
		// The invoice changed since the page was drawn (issued, paid,
		// voided in another tab): it is shown as it now is, with why,
		// and a form it still has keeps what was typed.
		why := sentence(i18n.From(r.Context()).Reason(e.Message))
		h.renderInvoicePage(w, r, invoiceData{Invoice: i, Form: form, Values: values, Refused: why}, http.StatusConflict)
		return true
	}
	h.renderInvoice(w, r, i, form, e.Fields, values, formStatus(e))
	return true
}

func invoicePath(id int64) string { return "/invoices/" + strconv.FormatInt(id, 10) }

func (h *Web) createInvoice(w http.ResponseWriter, r *http.Request) {
	account, _ := strconv.ParseInt(r.PostFormValue("account_id"), 10, 64)
	i, err := h.Invoices.Create(r.Context(), actor(r), invoice.New{AccountID: account, Currency: r.PostFormValue("currency")})
	if e := fault.As(err); e != nil && e.Fields != nil && account > 0 && e.Fields["account_id"] == "" {
		// The form is on the account's page: show it there again.
		r.SetPathValue("id", strconv.FormatInt(account, 10))
		h.renderAccount(w, r, "invoice", e.Fields, map[string]string{"currency": r.PostFormValue("currency")}, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Draft invoice started. Add its lines, then issue it.")
	http.Redirect(w, r, invoicePath(i.ID), http.StatusSeeOther)
}

func (h *Web) invoiceDeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	i, err := h.Invoices.FromDeal(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Draft invoice made from the deal. Check it, then issue it.")
	http.Redirect(w, r, invoicePath(i.ID), http.StatusSeeOther)
}

func (h *Web) updateInvoice(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err := h.Invoices.UpdateDraft(r.Context(), actor(r), i.ID, invoice.DraftInput{DueDate: r.PostFormValue("due_date"),
		BuyerReference: r.PostFormValue("buyer_reference"), Note: r.PostFormValue("note"), Version: version})
	if h.invoiceFormError(w, r, i.ID, "header", err) {
		return
	}
	h.flash(w, "Draft saved.")
	http.Redirect(w, r, invoicePath(i.ID), http.StatusSeeOther)
}

func (h *Web) addInvoiceLine(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	productID, _ := strconv.ParseInt(r.PostFormValue("product_id"), 10, 64)
	_, err := h.Invoices.AddLine(r.Context(), actor(r), i.ID, invoice.LineInput{ProductID: productID, Name: r.PostFormValue("name"),
		Quantity: r.PostFormValue("quantity"), UnitPrice: r.PostFormValue("unit_price"), Discount: r.PostFormValue("discount"),
		Category: r.PostFormValue("category"), Rate: r.PostFormValue("vat_rate"), Reason: r.PostFormValue("reason")})
	if h.invoiceFormError(w, r, i.ID, "line", err) {
		return
	}
	h.flash(w, "Line added.")
	http.Redirect(w, r, invoicePath(i.ID)+"#lines", http.StatusSeeOther)
}

func (h *Web) addInvoiceAllowance(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	_, err := h.Invoices.AddAllowance(r.Context(), actor(r), i.ID, invoice.AllowanceInput{Reason: r.PostFormValue("reason"),
		Amount: r.PostFormValue("amount"), Category: r.PostFormValue("category"), Rate: r.PostFormValue("vat_rate")})
	if h.invoiceFormError(w, r, i.ID, "allowance", err) {
		return
	}
	h.flash(w, "Discount added.")
	http.Redirect(w, r, invoicePath(i.ID)+"#lines", http.StatusSeeOther)
}

// removeInvoiceLine takes the line the {id} path names off its draft;
// the form names the draft.
func (h *Web) removeInvoiceLine(w http.ResponseWriter, r *http.Request) {
	line, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no invoice line %q.", r.PathValue("id")))
		return
	}
	i, err := h.Invoices.RemoveLineByID(r.Context(), actor(r), line)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Line removed.")
	http.Redirect(w, r, invoicePath(i.ID)+"#lines", http.StatusSeeOther)
}

func (h *Web) confirmIssue(w http.ResponseWriter, r *http.Request) {
	if i, ok := h.invoiceInPath(w, r); ok {
		what := "invoice"
		if i.Kind == invoice.KindCreditNote {
			what = "credit_note"
		}
		amount := i18n.From(r.Context()).MoneyMinor(big.NewInt(i.Totals.TaxInclusive), i.Currency, product.Decimals(i.Currency))
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.issue_"+what), Nav: "invoices", Data: confirmData{
			Question: tr(r, "confirm.issue_"+what+"_q", "Amount", amount, "Account", i.AccountName),
			Detail:   tr(r, "confirm.issue_detail"),
			Action:   invoicePath(i.ID) + "/issue", Button: tr(r, "confirm.issue_"+what), Cancel: invoicePath(i.ID)}})
	}
}

func (h *Web) issueInvoice(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	issued, err := h.Invoices.Issue(r.Context(), actor(r), i.ID, h.Invoices.Today(h.zone(r)))
	if h.invoiceFormError(w, r, i.ID, "issue", err) {
		return
	}
	h.flash(w, tr(r, "flash.invoice_issued", "Title", issued.TitleIn(i18n.From(r.Context()))))
	http.Redirect(w, r, invoicePath(i.ID), http.StatusSeeOther)
}

func (h *Web) recordPayment(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	_, err := h.Invoices.RecordPayment(r.Context(), actor(r), i.ID, invoice.PaymentInput{Amount: r.PostFormValue("amount"),
		PaidOn: r.PostFormValue("paid_on"), Method: r.PostFormValue("method"), Reference: r.PostFormValue("reference")}, h.Invoices.Today(h.zone(r)))
	if h.invoiceFormError(w, r, i.ID, "payment", err) {
		return
	}
	h.flash(w, "Payment recorded.")
	http.Redirect(w, r, invoicePath(i.ID)+"#payments", http.StatusSeeOther)
}

func (h *Web) creditNote(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	cn, err := h.Invoices.CreditNote(r.Context(), actor(r), i.ID)
	if h.invoiceFormError(w, r, i.ID, "", err) {
		return
	}
	h.flash(w, tr(r, "flash.credit_note_started", "Number", i.Number))
	http.Redirect(w, r, invoicePath(cn.ID), http.StatusSeeOther)
}

func (h *Web) confirmVoid(w http.ResponseWriter, r *http.Request) {
	if i, ok := h.invoiceInPath(w, r); ok {
		// An invoice that cannot be voided says why before anyone confirms.
		if h.invoiceFormError(w, r, i.ID, "", i.VoidRefusal()) {
			return
		}
		amount := i18n.From(r.Context()).MoneyMinor(big.NewInt(i.Totals.TaxInclusive), i.Currency, product.Decimals(i.Currency))
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.void_invoice"), Nav: "invoices", Data: confirmData{
			Question: tr(r, "confirm.void_invoice_q", "Number", i.Number),
			Detail:   tr(r, "confirm.void_invoice_detail", "Amount", amount),
			Action:   invoicePath(i.ID) + "/void", Button: tr(r, "confirm.void_invoice"), Cancel: invoicePath(i.ID)}})
	}
}

func (h *Web) voidInvoice(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	cn, err := h.Invoices.Void(r.Context(), actor(r), i.ID, h.Invoices.Today(h.zone(r)))
	if h.invoiceFormError(w, r, i.ID, "", err) {
		return
	}
	h.flash(w, tr(r, "flash.invoice_void", "Number", i.Number, "CreditNote", cn.TitleIn(i18n.From(r.Context()))))
	http.Redirect(w, r, invoicePath(i.ID), http.StatusSeeOther)
}

func (h *Web) confirmDeleteInvoice(w http.ResponseWriter, r *http.Request) {
	if i, ok := h.invoiceInPath(w, r); ok {
		if h.invoiceFormError(w, r, i.ID, "", i.DeleteRefusal()) {
			return
		}
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_draft"), Nav: "invoices", Data: confirmData{
			Question: tr(r, "confirm.delete_draft_q", "Title", i.TitleIn(i18n.From(r.Context()))),
			Detail:   tr(r, "confirm.delete_draft_detail"),
			Action:   invoicePath(i.ID) + "/delete", Button: tr(r, "confirm.delete_draft"), Cancel: invoicePath(i.ID)}})
	}
}

func (h *Web) deleteInvoice(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	if h.invoiceFormError(w, r, i.ID, "", h.Invoices.Delete(r.Context(), actor(r), i.ID)) {
		return
	}
	h.flash(w, "Draft deleted.")
	http.Redirect(w, r, "/invoices", http.StatusSeeOther)
}

// downloadName is the file name of a document, its number or its id.
func downloadName(i invoice.Invoice, ext string) string {
	name := i.Number
	if name == "" {
		name = "draft-" + strconv.FormatInt(i.ID, 10)
	}
	return fmt.Sprintf("%s.%s", sanitizeFileName(name), ext)
}

func sanitizeFileName(s string) string {
	b := []byte(s)
	for k, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[k] = '-'
		}
	}
	return string(b)
}

func (h *Web) invoicePDF(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	body, err := invoice.PDFIn(i, i18n.From(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+downloadName(i, "pdf")+`"`)
	w.Write(body)
}

func (h *Web) invoiceUBL(w http.ResponseWriter, r *http.Request) {
	i, ok := h.invoiceInPath(w, r)
	if !ok {
		return
	}
	if i.Status == invoice.Draft {
		h.fail(w, r, fault.Errorf(fault.Conflict, "A draft is not an e-invoice yet: issue it first."))
		return
	}
	body, err := invoice.UBL(i)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName(i, "xml")+`"`)
	w.Write(body)
}

// recordInvoices is the invoices card of an account's or deal's page.
type recordInvoices struct {
	Items     []invoice.Invoice
	Today     string
	AccountID int64 // the account page's; 0 on a deal's
	DealID    int64 // the deal page's
	DealWon   bool
	Currency  string
	Billing   invoice.Party
	Errors    map[string]string
	Values    map[string]string
	Open      bool // the billing form is open: a link asked for it
	// NewErrors are the new-invoice form's refused fields, shown beside
	// the currency typed (Currency).
	NewErrors map[string]string
}

// invoicesOf makes the invoices card for an account (dealID 0) or a
// deal, for users who invoice; nil for the others, or on a failure,
// which leaves the card out rather than the page.
func (h *Web) invoicesOf(r *http.Request, accountID, dealID int64, dealWon bool, currency string, errs, values map[string]string) *recordInvoices {
	a := actor(r)
	if !invoice.MayBill(a) {
		return nil
	}
	ri := &recordInvoices{Today: h.Invoices.Today(h.zone(r)), DealID: dealID, DealWon: dealWon, Currency: currency, Errors: errs, Values: values,
		Open: r.URL.Query().Get("edit") == "billing"}
	if dealID == 0 {
		ri.AccountID = accountID
	}
	list, _, err := h.Invoices.List(r.Context(), a, invoice.Filter{AccountID: accountID, Limit: 200})
	if err == nil && dealID == 0 {
		ri.Billing, err = h.Invoices.Billing(r.Context(), accountID)
	}
	if err != nil {
		h.Log.Error("web: invoices of a record", "account", accountID, "deal", dealID, "err", err)
		return nil
	}
	for _, i := range list {
		if dealID == 0 || i.OpportunityID == dealID {
			ri.Items = append(ri.Items, i)
		}
	}
	if ri.Currency == "" {
		ri.Currency = "EUR"
	}
	if ri.Values == nil {
		b := ri.Billing
		ri.Values = map[string]string{"legal_name": b.LegalName, "vat_id": b.VATID, "registration_no": b.RegistrationNo,
			"street": b.Street, "city": b.City, "postal_code": b.PostalCode, "country": b.Country, "email": b.Email}
	}
	return ri
}

func billingForm(r *http.Request) (invoice.Party, map[string]string) {
	r.ParseForm()
	v := map[string]string{}
	for _, k := range []string{"legal_name", "vat_id", "registration_no", "street", "city", "postal_code", "country", "email"} {
		v[k] = r.PostForm.Get(k)
	}
	return invoice.Party{LegalName: v["legal_name"], VATID: v["vat_id"], RegistrationNo: v["registration_no"], Street: v["street"],
		City: v["city"], PostalCode: v["postal_code"], Country: v["country"], Email: v["email"]}, v
}

func (h *Web) saveBilling(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, v := billingForm(r)
	_, err = h.Invoices.SaveBilling(r.Context(), actor(r), id, p)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccount(w, r, "billing", e.Fields, v, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Billing details saved.")
	http.Redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"#invoices", http.StatusSeeOther)
}

// settingsData is the invoicing settings page.
type settingsData struct {
	Values map[string]string
	Errors map[string]string
}

func sellerValues(in invoice.SellerInput) map[string]string {
	return map[string]string{"name": in.Name, "legal_name": in.LegalName, "vat_id": in.VATID, "registration_no": in.RegistrationNo,
		"street": in.Street, "city": in.City, "postal_code": in.PostalCode, "country": in.Country, "email": in.Email,
		"iban": in.IBAN, "bic": in.BIC, "invoice_prefix": in.InvoicePrefix, "credit_note_prefix": in.CreditPrefix,
		"payment_days": in.PaymentDays, "default_vat_rate": in.DefaultRate}
}

func (h *Web) invoiceSettings(w http.ResponseWriter, r *http.Request) {
	if err := invoice.MayConfigure(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.Invoices.Seller(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "invoice_settings", page{Title: "Invoicing settings", Nav: "invoices", Data: settingsData{Values: sellerValues(s.Input())}})
}

func (h *Web) saveInvoiceSettings(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm.Get
	in := invoice.SellerInput{Party: invoice.Party{Name: f("name"), LegalName: f("legal_name"), VATID: f("vat_id"), RegistrationNo: f("registration_no"),
		Street: f("street"), City: f("city"), PostalCode: f("postal_code"), Country: f("country"), Email: f("email")},
		IBAN: f("iban"), BIC: f("bic"), InvoicePrefix: f("invoice_prefix"), CreditPrefix: f("credit_note_prefix"),
		PaymentDays: f("payment_days"), DefaultRate: f("default_vat_rate")}
	_, err := h.Invoices.SaveSeller(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.render(w, r, "invoice_settings", page{Title: "Invoicing settings", Nav: "invoices", Status: formStatus(e),
			Data: settingsData{Values: sellerValues(in), Errors: e.Fields}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Invoicing settings saved.")
	http.Redirect(w, r, "/settings/invoicing", http.StatusSeeOther)
}

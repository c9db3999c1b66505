package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/invoice"
)

// Invoice money in the API is a decimal string in the currency's unit
// ("1234.50"), quantities and prices decimal strings too: all exact.
type invoiceJSON struct {
	ID             int64             `json:"id"`
	Kind           string            `json:"kind"`
	Number         *string           `json:"number"`
	Status         string            `json:"status"`
	Overdue        bool              `json:"overdue"`
	AccountID      int64             `json:"account_id"`
	OpportunityID  *int64            `json:"opportunity_id"`
	CreditOf       *int64            `json:"credit_of"`
	Currency       string            `json:"currency"`
	IssueDate      *string           `json:"issue_date"`
	DueDate        *string           `json:"due_date"`
	BuyerReference string            `json:"buyer_reference"`
	Note           string            `json:"note"`
	Seller         invoice.Party     `json:"seller"`
	Buyer          invoice.Party     `json:"buyer"`
	Lines          []invoiceLineJSON `json:"lines"`
	Allowances     []allowanceJSON   `json:"allowances"`
	VAT            []vatGroupJSON    `json:"vat_breakdown"`
	LineTotal      string            `json:"line_total"`
	AllowanceTotal string            `json:"allowance_total"`
	TaxExclusive   string            `json:"tax_exclusive"`
	VATTotal       string            `json:"vat_total"`
	Total          string            `json:"total"`
	Paid           string            `json:"paid"`
	Credited       string            `json:"credited"`
	Balance        string            `json:"balance"`
	Payments       []paymentJSON     `json:"payments"`
	CreditNotes    []invoiceRefJSON  `json:"credit_notes"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	IssuedAt       *time.Time        `json:"issued_at"`
	Version        int64             `json:"version"`
}

type invoiceLineJSON struct {
	ID        int64  `json:"id"`
	ProductID *int64 `json:"product_id"`
	Name      string `json:"name"`
	Quantity  string `json:"quantity"`
	UnitPrice string `json:"unit_price"`
	Discount  string `json:"discount_percent"`
	Category  string `json:"vat_category"`
	Rate      string `json:"vat_rate"`
	Reason    string `json:"exemption_reason"`
	Net       string `json:"amount"`
}

type allowanceJSON struct {
	ID       int64  `json:"id"`
	Reason   string `json:"reason"`
	Amount   string `json:"amount"`
	Category string `json:"vat_category"`
	Rate     string `json:"vat_rate"`
}

type vatGroupJSON struct {
	Category string `json:"vat_category"`
	Rate     string `json:"vat_rate"`
	Reason   string `json:"exemption_reason"`
	Taxable  string `json:"taxable"`
	Tax      string `json:"tax"`
}

type paymentJSON struct {
	ID        int64  `json:"id"`
	Amount    string `json:"amount"`
	PaidOn    string `json:"paid_on"`
	Method    string `json:"method"`
	Reference string `json:"reference"`
}

type invoiceRefJSON struct {
	ID     int64   `json:"id"`
	Number *string `json:"number"`
	Status string  `json:"status"`
	Total  string  `json:"total"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func invoiceOut(i invoice.Invoice, today string) invoiceJSON {
	cur := i.Currency
	m := func(n int64) string { return invoice.Amount(n, cur) }
	t := i.Totals
	j := invoiceJSON{ID: i.ID, Kind: i.Kind, Number: optString(i.Number), Status: i.Status, Overdue: i.IsOverdue(today),
		AccountID: i.AccountID, OpportunityID: optID(i.OpportunityID), CreditOf: optID(i.CreditOf), Currency: cur,
		IssueDate: optString(i.IssueDate), DueDate: optString(i.DueDate), BuyerReference: i.BuyerReference, Note: i.Note,
		Seller: i.Seller.Party, Buyer: i.Buyer, LineTotal: m(t.Lines), AllowanceTotal: m(t.Allowances), TaxExclusive: m(t.TaxExclusive),
		VATTotal: m(t.VAT), Total: m(t.TaxInclusive), Paid: m(i.Paid), Credited: m(i.Credited), Balance: m(i.Balance()),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, IssuedAt: i.IssuedAt, Version: i.Version,
		Lines: []invoiceLineJSON{}, Allowances: []allowanceJSON{}, VAT: []vatGroupJSON{}, Payments: []paymentJSON{}, CreditNotes: []invoiceRefJSON{}}
	for _, l := range i.Lines {
		j.Lines = append(j.Lines, invoiceLineJSON{ID: l.ID, ProductID: optID(l.ProductID), Name: l.Name, Quantity: invoice.Quantity(l.Quantity),
			UnitPrice: invoice.Price(l.UnitPrice, cur), Discount: invoice.Percent(l.DiscountBP), Category: l.Category,
			Rate: invoice.Percent(l.RateBP), Reason: l.Reason, Net: m(l.Net)})
	}
	for _, a := range i.Allowances {
		j.Allowances = append(j.Allowances, allowanceJSON{ID: a.ID, Reason: a.Reason, Amount: m(a.Amount), Category: a.Category, Rate: invoice.Percent(a.RateBP)})
	}
	for _, g := range t.Breakdown {
		j.VAT = append(j.VAT, vatGroupJSON{Category: g.Category, Rate: invoice.Percent(g.RateBP), Reason: g.Reason, Taxable: m(g.Taxable), Tax: m(g.Tax)})
	}
	for _, p := range i.Payments {
		j.Payments = append(j.Payments, paymentJSON{ID: p.ID, Amount: m(p.Amount), PaidOn: p.PaidOn, Method: p.Method, Reference: p.Reference})
	}
	for _, c := range i.Credits {
		j.CreditNotes = append(j.CreditNotes, invoiceRefJSON{ID: c.ID, Number: optString(c.Number), Status: c.Status, Total: m(c.Total)})
	}
	return j
}

// today is the date invoices are dated and judged overdue on: UTC for
// the API, or the zone a client names in the LeadFlow-Time-Zone header.
func (a *API) today(r *http.Request) string {
	loc := time.UTC
	if z := r.Header.Get("LeadFlow-Time-Zone"); z != "" {
		if l, err := time.LoadLocation(z); err == nil {
			loc = l
		}
	}
	return a.Invoices.Today(loc)
}

// onInvoice answers, with status, what do makes of the document the
// path names.
func (a *API) onInvoice(status int, do func(r *http.Request, id int64) (invoice.Invoice, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		var i invoice.Invoice
		if err == nil {
			i, err = do(r, id)
		}
		a.writeInvoice(w, r, status, i, err)
	}
}

// withBody is onInvoice for an action that takes a JSON body: do gets
// the body read into a T.
func withBody[T any](a *API, status int, do func(r *http.Request, id int64, in T) (invoice.Invoice, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		var in T
		if err == nil {
			err = decodeInto(w, r, &in)
		}
		var i invoice.Invoice
		if err == nil {
			i, err = do(r, id, in)
		}
		a.writeInvoice(w, r, status, i, err)
	}
}

// The actions on a document that take no body.
func (a *API) getInvoice(r *http.Request, id int64) (invoice.Invoice, error) {
	return a.Invoices.Get(r.Context(), actor(r), id)
}

func (a *API) issueInvoice(r *http.Request, id int64) (invoice.Invoice, error) {
	return a.Invoices.Issue(r.Context(), actor(r), id, a.today(r))
}

func (a *API) creditInvoice(r *http.Request, id int64) (invoice.Invoice, error) {
	return a.Invoices.CreditNote(r.Context(), actor(r), id)
}

// voidInvoice issues the credit note that voids an invoice, and answers it.
func (a *API) voidInvoice(r *http.Request, id int64) (invoice.Invoice, error) {
	return a.Invoices.Void(r.Context(), actor(r), id, a.today(r))
}

func (a *API) writeInvoice(w http.ResponseWriter, r *http.Request, status int, i invoice.Invoice, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(i.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/invoices/"+strconv.FormatInt(i.ID, 10))
	}
	writeJSON(w, status, invoiceOut(i, a.today(r)))
}

// listInvoices answers documents newest first: filters status (draft,
// issued, overdue, paid, void), kind, account_id; paged by cursor.
func (a *API) listInvoices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := invoice.Filter{Status: q.Get("status"), Kind: q.Get("kind"), Today: a.today(r)}
	bad := fault.Fields{}
	if s := q.Get("account_id"); s != "" {
		var err error
		if f.AccountID, err = strconv.ParseInt(s, 10, 64); err != nil {
			bad.Add("account_id", "must be an account id")
		}
	}
	if s := q.Get("cursor"); s != "" {
		var err error
		if f.Before, err = strconv.ParseInt(s, 10, 64); err != nil || f.Before <= 0 {
			bad.Add("cursor", "must be the next_cursor of a page")
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			bad.Add("limit", "must be from 1 to 200")
		}
		f.Limit = n
	}
	if f.Kind != "" && f.Kind != invoice.KindInvoice && f.Kind != invoice.KindCreditNote {
		bad.Add("kind", "must be invoice or credit_note")
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	list, next, err := a.Invoices.List(r.Context(), actor(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []invoiceJSON `json:"data"`
		NextCursor *string       `json:"next_cursor"`
	}{Data: []invoiceJSON{}}
	for _, i := range list {
		out.Data = append(out.Data, invoiceOut(i, f.Today))
	}
	if next != 0 {
		out.NextCursor = optString(strconv.FormatInt(next, 10))
	}
	writeJSON(w, http.StatusOK, out)
}

// invoiceLineIn is a line as the API takes it. Its numbers are decimal
// strings, so nothing is rounded on the way in.
type invoiceLineIn struct {
	ProductID int64  `json:"product_id"`
	Name      string `json:"name"`
	Quantity  string `json:"quantity"`
	UnitPrice string `json:"unit_price"`
	Discount  string `json:"discount_percent"`
	Category  string `json:"vat_category"`
	Rate      string `json:"vat_rate"`
	Reason    string `json:"exemption_reason"`
}

func (l invoiceLineIn) input() invoice.LineInput {
	if l.Category == "" {
		l.Category = invoice.Standard
	}
	return invoice.LineInput{ProductID: l.ProductID, Name: l.Name, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Discount: l.Discount,
		Category: l.Category, Rate: l.Rate, Reason: l.Reason}
}

// createInvoice starts a draft: from a won opportunity
// ({"opportunity_id"}), or for an account with optional lines.
func (a *API) createInvoice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OpportunityID int64           `json:"opportunity_id"`
		AccountID     int64           `json:"account_id"`
		Currency      string          `json:"currency"`
		Lines         []invoiceLineIn `json:"lines"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.OpportunityID != 0 {
		i, err := a.Invoices.FromDeal(r.Context(), actor(r), in.OpportunityID)
		a.writeInvoice(w, r, http.StatusCreated, i, err)
		return
	}
	if in.Currency == "" {
		in.Currency = "EUR"
	}
	i, err := a.Invoices.Create(r.Context(), actor(r), invoice.New{AccountID: in.AccountID, Currency: in.Currency})
	for k, l := range in.Lines {
		if err != nil {
			break
		}
		if i, err = a.Invoices.AddLine(r.Context(), actor(r), i.ID, l.input()); err != nil {
			err = lineField(err, k)
		}
	}
	a.writeInvoice(w, r, http.StatusCreated, i, err)
}

// lineField names the line of a request a field error belongs to:
// "lines[2].quantity".
func lineField(err error, k int) error {
	e := fault.As(err)
	if e == nil || e.Fields == nil {
		return err
	}
	named := map[string]string{}
	for f, why := range e.Fields {
		named["lines["+strconv.Itoa(k)+"]."+f] = why
	}
	return &fault.Error{Code: e.Code, Message: e.Message, Fields: named}
}

// updateInvoice answers PATCH of a draft's due date, buyer reference and
// note; If-Match refuses a change to a draft changed since.
func (a *API) updateInvoice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cur, err := a.Invoices.Get(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := struct {
		DueDate        *string `json:"due_date"`
		BuyerReference string  `json:"buyer_reference"`
		Note           string  `json:"note"`
	}{DueDate: &cur.DueDate, BuyerReference: cur.BuyerReference, Note: cur.Note}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	due := ""
	if in.DueDate != nil {
		due = *in.DueDate
	}
	if version == 0 {
		version = cur.Version
	}
	i, err := a.Invoices.UpdateDraft(r.Context(), actor(r), id, invoice.DraftInput{DueDate: due, BuyerReference: in.BuyerReference, Note: in.Note, Version: version})
	a.writeInvoice(w, r, http.StatusOK, i, err)
}

func (a *API) deleteInvoice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Invoices.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) addInvoiceLine(r *http.Request, id int64, in invoiceLineIn) (invoice.Invoice, error) {
	return a.Invoices.AddLine(r.Context(), actor(r), id, in.input())
}

func (a *API) addInvoiceAllowance(r *http.Request, id int64, in allowanceJSON) (invoice.Invoice, error) {
	if in.Category == "" {
		in.Category = invoice.Standard
	}
	return a.Invoices.AddAllowance(r.Context(), actor(r), id, invoice.AllowanceInput{Reason: in.Reason, Amount: in.Amount, Category: in.Category, Rate: in.Rate})
}

func (a *API) removeInvoiceLine(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = a.Invoices.RemoveLineByID(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) recordInvoicePayment(r *http.Request, id int64, in paymentJSON) (invoice.Invoice, error) {
	return a.Invoices.RecordPayment(r.Context(), actor(r), id, invoice.PaymentInput{Amount: in.Amount, PaidOn: in.PaidOn, Method: in.Method, Reference: in.Reference}, a.today(r))
}

func (a *API) invoicePDF(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var i invoice.Invoice
	var body []byte
	if err == nil {
		if i, err = a.Invoices.Get(r.Context(), actor(r), id); err == nil {
			body, err = invoice.PDF(i)
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(body)
}

// invoiceUBL answers an issued document as a UBL 2.1 e-invoice.
func (a *API) invoiceUBL(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var i invoice.Invoice
	if err == nil {
		i, err = a.Invoices.Get(r.Context(), actor(r), id)
	}
	if err == nil && i.Status == invoice.Draft {
		err = fault.Errorf(fault.Conflict, "a draft is not an e-invoice yet: issue it first")
	}
	var body []byte
	if err == nil {
		body, err = invoice.UBL(i)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(body)
}

type sellerJSON struct {
	invoice.Party
	IBAN          string `json:"iban"`
	BIC           string `json:"bic"`
	InvoicePrefix string `json:"invoice_prefix"`
	CreditPrefix  string `json:"credit_note_prefix"`
	PaymentDays   string `json:"payment_days"`
	DefaultRate   string `json:"default_vat_rate"`
}

func sellerOut(s invoice.Seller) sellerJSON {
	in := s.Input()
	return sellerJSON{Party: in.Party, IBAN: in.IBAN, BIC: in.BIC, InvoicePrefix: in.InvoicePrefix, CreditPrefix: in.CreditPrefix,
		PaymentDays: in.PaymentDays, DefaultRate: in.DefaultRate}
}

func (a *API) getInvoiceSettings(w http.ResponseWriter, r *http.Request) {
	err := invoice.MayConfigure(actor(r))
	var s invoice.Seller
	if err == nil {
		s, err = a.Invoices.Seller(r.Context())
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sellerOut(s))
}

// putInvoiceSettings replaces the seller's details; absent members keep
// their value.
func (a *API) putInvoiceSettings(w http.ResponseWriter, r *http.Request) {
	if err := invoice.MayConfigure(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	cur, err := a.Invoices.Seller(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := sellerOut(cur)
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Invoices.SaveSeller(r.Context(), actor(r), invoice.SellerInput{Party: in.Party, IBAN: in.IBAN, BIC: in.BIC,
		InvoicePrefix: in.InvoicePrefix, CreditPrefix: in.CreditPrefix, PaymentDays: in.PaymentDays, DefaultRate: in.DefaultRate})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sellerOut(s))
}

func (a *API) getBilling(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p invoice.Party
	if err == nil {
		if err = mayBillErr(r); err == nil {
			p, err = a.Invoices.Billing(r.Context(), id)
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func mayBillErr(r *http.Request) error {
	if !invoice.MayBill(actor(r)) {
		return fault.Errorf(fault.Forbidden, "only admins and sales users work on invoices")
	}
	return nil
}

// putBilling replaces an account's legal details; absent members keep
// their value.
func (a *API) putBilling(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = mayBillErr(r)
	}
	var cur invoice.Party
	if err == nil {
		cur, err = a.Invoices.Billing(r.Context(), id)
	}
	if err == nil {
		err = decodeInto(w, r, &cur)
	}
	if err == nil {
		cur, err = a.Invoices.SaveBilling(r.Context(), actor(r), id, cur)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cur)
}

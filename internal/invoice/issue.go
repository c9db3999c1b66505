package invoice

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/product"
	"leadflow/internal/sqldb"
)

// Issue gives draft id its number and date (today, YYYY-MM-DD, in the
// issuer's zone) and freezes it with the seller's and buyer's details as
// they are now. The number is the next of its series for the year,
// taken in the same transaction, so two documents issued at once get two
// numbers in a row and a failed issue leaves no gap.
func (s *Service) Issue(ctx context.Context, a access.Actor, id int64, today string) (Invoice, error) {
	if _, err := time.Parse(time.DateOnly, today); err != nil {
		return Invoice{}, fault.Errorf(fault.Invalid, "the issue date %q is not a date", today)
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		i, err := load(ctx, tx, id, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if err := maySee(a, i.OwnerID); err != nil {
			return err
		}
		return s.issue(ctx, tx, a, i, today)
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, id, "")
}

// issue does Issue's work on draft i, loaded and locked in tx.
func (s *Service) issue(ctx context.Context, tx *sqldb.Tx, a access.Actor, i Invoice, today string) error {
	if i.Status != Draft {
		return fault.Errorf(fault.Conflict, "%s is already issued", i.Title())
	}
	if err := issuable(i); err != nil {
		return err
	}
	var credited Invoice
	if i.Kind == KindCreditNote {
		var err error
		if credited, err = load(ctx, tx, i.CreditOf, tx.ForUpdate("i")); err != nil {
			return err
		}
		if left := credited.Totals.TaxInclusive - credited.Credited; i.Totals.TaxInclusive > left {
			return fault.Errorf(fault.Conflict, "this credit note is for %s, more than the %s of %s not yet credited",
				Money(i.Totals.TaxInclusive, i.Currency), Money(left, i.Currency), credited.Title())
		}
	}
	prefix := i.Seller.InvoicePrefix
	if i.Kind == KindCreditNote {
		prefix = i.Seller.CreditPrefix
	}
	year := today[:4]
	n, err := nextNumber(ctx, tx, i.Kind, year)
	if err != nil {
		return err
	}
	number := fmt.Sprintf("%s-%s-%04d", prefix, year, n)
	due := i.DueDate
	if due == "" || due < today {
		d, _ := time.Parse(time.DateOnly, today)
		due = d.AddDate(0, 0, i.Seller.PaymentDays).Format(time.DateOnly)
	}
	sellerJSON, _ := json.Marshal(i.Seller)
	buyerJSON, _ := json.Marshal(i.Buyer)
	now := s.stamp().UnixMilli()
	_, err = tx.Exec(ctx, `UPDATE invoices SET number = ?, status = 'issued', issue_date = ?, due_date = ?, seller = ?, buyer = ?,
		issued_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`, number, today, due, string(sellerJSON), string(buyerJSON), now, now, i.ID)
	if sqldb.IsUniqueViolation(err) {
		// Only when a prefix was changed to one the other kind of
		// document used: the series count per kind, not per prefix.
		return &fault.Error{Code: fault.Conflict, Message: "the number " + number + " is already taken",
			Fields: map[string]string{"seller.invoice_prefix": "gives a number another document has; choose a prefix not used before"}}
	}
	if err != nil {
		return fmt.Errorf("invoice: issue %d: %w", i.ID, err)
	}
	if i.Kind == KindCreditNote {
		if err := settle(ctx, tx, credited, 0, i.Totals.TaxInclusive, now); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, a, "invoice.issue", "invoice", i.ID, map[string]string{"number": number})
}

// issuable says what a draft lacks to be issued, naming each field.
func issuable(i Invoice) error {
	bad := fault.Fields{}
	for k, v := range i.Seller.Ready() {
		bad.Add("seller."+k, v)
	}
	for k, v := range buyerReady(i.Buyer) {
		bad.Add("buyer."+k, v)
	}
	if len(i.Lines) == 0 {
		bad.Add("lines", "an invoice needs at least one line")
	}
	if i.Totals.TaxInclusive < 0 {
		bad.Add("lines", "the total is negative; a refund is a credit note of an invoice")
	}
	if !vatCharged(i) && len(i.Lines) > 0 && i.Seller.RegistrationNo == "" {
		bad.Add("seller.registration_no", "is required on a document not subject to VAT, which states no VAT ID")
	}
	if vatCharged(i) && i.Seller.VATID == "" {
		bad.Add("seller.vat_id", "the seller's VAT ID is required when VAT is charged")
	}
	for _, g := range i.Totals.Breakdown {
		if (g.Category == ReverseCharge || g.Category == IntraCommunity) && i.Buyer.VATID == "" {
			bad.Add("buyer.vat_id", "the buyer's VAT ID is required for reverse charge and intra-community supplies")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &fault.Error{Code: fault.Invalid, Message: "this invoice cannot be issued yet", Fields: bad}
}

// vatCharged says whether a document has a line in a category that
// states VAT (all but "not subject to VAT").
func vatCharged(i Invoice) bool {
	for _, g := range i.Totals.Breakdown {
		if g.Category != NotSubject {
			return true
		}
	}
	return false
}

// nextNumber takes the next number of a series, creating the series at
// 1. The UPDATE locks the series row until the transaction ends, so
// concurrent issues queue there on PostgreSQL; SQLite has one writer.
func nextNumber(ctx context.Context, tx *sqldb.Tx, kind, year string) (int64, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO invoice_series (kind, year, next) VALUES (?, ?, 1) ON CONFLICT (kind, year) DO NOTHING`, kind, year); err != nil {
		return 0, fmt.Errorf("invoice: series %s %s: %w", kind, year, err)
	}
	var n int64
	if err := tx.QueryRow(ctx, `UPDATE invoice_series SET next = next + 1 WHERE kind = ? AND year = ? RETURNING next - 1`, kind, year).Scan(&n); err != nil {
		return 0, fmt.Errorf("invoice: series %s %s: %w", kind, year, err)
	}
	return n, nil
}

// settle adds a payment or credit to invoice i, locked in tx, and marks
// it paid once nothing is owed, or void once wholly credited.
func settle(ctx context.Context, tx *sqldb.Tx, i Invoice, paid, credited int64, now int64) error {
	i.Paid += paid
	i.Credited += credited
	status := i.Status
	switch {
	case i.Credited >= i.Totals.TaxInclusive && i.Paid == 0:
		status = Void
	case i.Balance() <= 0:
		status = Paid
	}
	_, err := tx.Exec(ctx, `UPDATE invoices SET paid_total = ?, credited_total = ?, status = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
		i.Paid, i.Credited, status, now, i.ID)
	return err
}

// PaymentInput is a payment as a form or the API sends it, in text.
type PaymentInput struct {
	Amount    string
	PaidOn    string // YYYY-MM-DD; today when empty
	Method    string
	Reference string
}

// RecordPayment adds a payment to issued invoice id; today is the date
// a payment without one is recorded on. A payment above what is owed is
// refused naming amount: the invoice is read and written locked, so two
// payments at once cannot both pass the check.
func (s *Service) RecordPayment(ctx context.Context, a access.Actor, id int64, in PaymentInput, today string) (Invoice, error) {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		i, err := load(ctx, tx, id, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if err := maySee(a, i.OwnerID); err != nil {
			return err
		}
		if i.Kind != KindInvoice || i.Status != Issued {
			return fault.Errorf(fault.Conflict, "payments are recorded against an issued invoice with money owed; %s is %s", i.Title(), i.Status)
		}
		bad := fault.Fields{}
		amount, err := parseFixed(in.Amount, product.Decimals(i.Currency), false)
		switch {
		case err != nil || amount == 0:
			bad.Add("amount", "must be an amount above 0 such as 250.00")
		case amount > i.Balance():
			bad.Add("amount", fmt.Sprintf("is more than the %s still owed", Money(i.Balance(), i.Currency)))
		}
		paidOn := strings.TrimSpace(in.PaidOn)
		if paidOn == "" {
			paidOn = today
		}
		if _, err := time.Parse(time.DateOnly, paidOn); err != nil {
			bad.Add("paid_on", "must be a date, YYYY-MM-DD")
		} else if paidOn > today {
			bad.Add("paid_on", "must not be in the future")
		}
		method, ref := strings.TrimSpace(in.Method), strings.TrimSpace(in.Reference)
		if utf8.RuneCountInString(method) > 50 {
			bad.Add("method", "is at most 50 characters")
		}
		if utf8.RuneCountInString(ref) > 100 {
			bad.Add("reference", "is at most 100 characters")
		}
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp().UnixMilli()
		if _, err := tx.Exec(ctx, `INSERT INTO invoice_payments (invoice_id, amount, paid_on, method, reference, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, amount, paidOn, method, ref, nullID(a.ID), now); err != nil {
			return fmt.Errorf("invoice: payment on %d: %w", id, err)
		}
		if err := settle(ctx, tx, i, amount, 0, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "invoice.payment", "invoice", id, map[string]string{"amount": Amount(amount, i.Currency)})
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, id, "")
}

// CreditNote starts a draft credit note of issued invoice id with a
// copy of its lines and allowances, to be trimmed to what is credited.
func (s *Service) CreditNote(ctx context.Context, a access.Actor, id int64) (Invoice, error) {
	var cn int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		cn, err = s.creditNote(ctx, tx, a, id)
		return err
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, cn, "")
}

func (s *Service) creditNote(ctx context.Context, tx *sqldb.Tx, a access.Actor, id int64) (int64, error) {
	i, err := load(ctx, tx, id, tx.ForUpdate("i"))
	if err != nil {
		return 0, err
	}
	if err := maySee(a, i.OwnerID); err != nil {
		return 0, err
	}
	if i.Kind != KindInvoice || i.Status == Draft || i.Status == Void {
		return 0, fault.Errorf(fault.Conflict, "a credit note corrects an issued invoice; %s is %s", i.Title(), i.Status)
	}
	cn, err := s.insertDraft(ctx, tx, a, i.OwnerID, KindCreditNote, i.AccountID, i.OpportunityID, i.ID, i.Currency, i.BuyerReference)
	if err != nil {
		return 0, err
	}
	for _, l := range i.Lines {
		if err := insertLine(ctx, tx, cn, l); err != nil {
			return 0, err
		}
	}
	for _, al := range i.Allowances {
		if _, err := tx.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, kind, name, amount, category, rate_bp, reason)
			VALUES (?, 'allowance', ?, ?, ?, ?, '')`, cn, al.Reason, al.Amount, al.Category, al.RateBP); err != nil {
			return 0, err
		}
	}
	return cn, refresh(ctx, tx, cn, i.Currency)
}

// Void cancels issued invoice id, on which nothing has been paid or
// credited, by issuing a credit note for the whole of it on day today:
// the law keeps every number issued, so an invoice is never deleted.
// It returns the credit note.
func (s *Service) Void(ctx context.Context, a access.Actor, id int64, today string) (Invoice, error) {
	var cn int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		i, err := load(ctx, tx, id, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if err := maySee(a, i.OwnerID); err != nil {
			return err
		}
		if err := i.VoidRefusal(); err != nil {
			return err
		}
		if cn, err = s.creditNote(ctx, tx, a, id); err != nil {
			return err
		}
		c, err := load(ctx, tx, cn, "")
		if err != nil {
			return err
		}
		return s.issue(ctx, tx, a, c, today)
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, cn, "")
}

// Filter narrows and pages the list of documents.
type Filter struct {
	Status    string // a status, overdue included; "" for all
	AccountID int64
	Kind      string
	Before    int64 // the last id of the previous page; 0 for the first
	Limit     int
	Today     string // the day overdue is judged on
}

// List returns documents a may see, newest first, and the cursor of the
// next page (0 when this is the last).
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Invoice, int64, error) {
	if err := mayBill(a); err != nil {
		return nil, 0, err
	}
	if f.Limit < 1 || f.Limit > 200 {
		f.Limit = 50
	}
	where, args := []string{"1 = 1"}, []any{}
	if !a.SeesAllLeads() {
		where, args = append(where, "(i.owner_id = ? OR i.owner_id IS NULL)"), append(args, a.ID)
	}
	switch f.Status {
	case "":
	case Overdue:
		where = append(where, "i.kind = 'invoice' AND i.status = 'issued' AND i.due_date < ?")
		args = append(args, f.Today)
	case Draft, Issued, Paid, Void:
		where, args = append(where, "i.status = ?"), append(args, f.Status)
	default:
		return nil, 0, &fault.Error{Code: fault.Invalid, Message: "unknown status", Fields: map[string]string{"status": "must be draft, issued, overdue, paid or void"}}
	}
	if f.Kind != "" {
		where, args = append(where, "i.kind = ?"), append(args, f.Kind)
	}
	if f.AccountID != 0 {
		where, args = append(where, "i.account_id = ?"), append(args, f.AccountID)
	}
	if f.Before != 0 {
		where, args = append(where, "i.id < ?"), append(args, f.Before)
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+invColumns+fromInvoices+` WHERE `+strings.Join(where, " AND ")+` ORDER BY i.id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("invoice: list: %w", err)
	}
	defer rows.Close()
	var out []Invoice
	for rows.Next() {
		i, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("invoice: list: %w", err)
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// Due is the money owed on issued invoices, and how much of it is late.
type Due struct {
	Currency     string
	Open, Late   int64
	NOpen, NLate int
}

// Owed sums what is owed on issued invoices a may see, per currency, on
// day today.
func (s *Service) Owed(ctx context.Context, a access.Actor, today string) ([]Due, error) {
	// The sums are for every role, as the dashboard is; a sales user's
	// are of their own invoices.
	where, args := "", []any{today}
	if !a.SeesAllLeads() {
		where, args = " AND (owner_id = ? OR owner_id IS NULL)", append(args, a.ID)
	}
	rows, err := s.db.R.Query(ctx, `SELECT currency, SUM(tax_inclusive - paid_total - credited_total), COUNT(*),
		SUM(CASE WHEN due_date < ? THEN tax_inclusive - paid_total - credited_total ELSE 0 END),
		SUM(CASE WHEN due_date < ? THEN 1 ELSE 0 END)
		FROM invoices WHERE kind = 'invoice' AND status = 'issued'`+where+` GROUP BY currency ORDER BY currency`, append([]any{today}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("invoice: owed: %w", err)
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		if err := rows.Scan(&d.Currency, &d.Open, &d.NOpen, &d.Late, &d.NLate); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

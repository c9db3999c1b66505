// Package invoice bills what the team sold: invoices made from a won
// deal or by hand for an account, numbered without gaps per year,
// issued once and never changed after, paid in one or more payments,
// corrected by credit notes; each printable as a PDF and exportable as
// an EN 16931 e-invoice in UBL 2.1.
//
// Money is integer minor units (see Compute for the rounding rule); the
// seller's details are a setting, the buyer's those of the account, and
// both are frozen into a document when it is issued.
package invoice

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"leadflow/internal/i18n"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Kinds of document.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
)

// Statuses of a document. Overdue is not stored: an issued invoice is
// overdue once its due date has passed with money still owed.
const (
	Draft   = "draft"
	Issued  = "issued"
	Paid    = "paid"
	Void    = "void"
	Overdue = "overdue"
)

// Invoice is an invoice or credit note with its lines and sums.
type Invoice struct {
	ID             int64
	Kind           string
	Number         string // "" until issued
	Status         string
	AccountID      int64
	AccountName    string
	OpportunityID  int64 // 0 when made by hand
	CreditOf       int64 // the invoice a credit note corrects
	CreditOfNumber string
	CreditOfDate   string
	OwnerID        int64
	OwnerName      string
	Currency       string
	IssueDate      string // YYYY-MM-DD; "" for a draft
	DueDate        string
	BuyerReference string
	Note           string
	Seller         Seller // as issued; the current settings for a draft
	Buyer          Party
	Lines          []Line
	Allowances     []Allowance
	Totals         Totals
	Paid           int64
	Credited       int64
	Payments       []Payment
	Credits        []Ref // credit notes of this invoice
	CreatedAt      time.Time
	UpdatedAt      time.Time
	IssuedAt       *time.Time
	Version        int64
}

// Ref names another document.
type Ref struct {
	ID     int64
	Number string
	Status string
	Total  int64
}

// Payment is money received against an invoice.
type Payment struct {
	ID        int64
	Amount    int64
	PaidOn    string
	Method    string
	Reference string
	CreatedAt time.Time
}

// Balance is what is still owed on an issued invoice.
func (i Invoice) Balance() int64 { return i.Totals.TaxInclusive - i.Paid - i.Credited }

// IsOverdue says whether an issued invoice is past its due date on day
// today (YYYY-MM-DD) with money still owed.
func (i Invoice) IsOverdue(today string) bool {
	return i.Kind == KindInvoice && i.Status == Issued && i.DueDate != "" && i.DueDate < today && i.Balance() > 0
}

// Shown is the status a person reads on day today: overdue included.
func (i Invoice) Shown(today string) string {
	if i.IsOverdue(today) {
		return Overdue
	}
	return i.Status
}

// Title is "Invoice INV-2026-0001", or "Draft invoice" before issue.
func (i Invoice) Title() string { return i.TitleIn(i18n.For(i18n.Default)) }

// TitleIn is Title in l's language.
func (i Invoice) TitleIn(l *i18n.Locale) string {
	if i.Number == "" {
		return l.T("invoice.title.draft_" + i.Kind)
	}
	return l.T("invoice.title."+i.Kind, "Number", i.Number)
}

// Service keeps invoices, credit notes and their payments.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Today is the date now in loc, as invoices are dated.
func (s *Service) Today(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return s.now().In(loc).Format(time.DateOnly)
}

// mayBill refuses a user who does not invoice: admins and sales do;
// marketing sees the money only in the dashboard's sums.
func mayBill(a access.Actor) error {
	if a.Role != access.Admin && a.Role != access.Sales {
		return fault.Errorf(fault.Forbidden, "only admins and sales users work on invoices")
	}
	return nil
}

// MayBill says whether a works on invoices, for pages that offer it.
func MayBill(a access.Actor) bool { return mayBill(a) == nil }

// maySee refuses a document a may not see: a sales user sees their own
// and those whose owner has left, as with leads.
func maySee(a access.Actor, owner int64) error {
	if err := mayBill(a); err != nil {
		return err
	}
	if !a.CanSeeLead(owner) {
		return fault.Errorf(fault.Forbidden, "this invoice belongs to another sales user")
	}
	return nil
}

const invColumns = `i.id, i.kind, COALESCE(i.number, ''), i.status, i.account_id, a.name, COALESCE(i.opportunity_id, 0),
	COALESCE(i.credit_of, 0), COALESCE(c.number, ''), COALESCE(c.issue_date, ''), COALESCE(i.owner_id, 0),
	COALESCE(NULLIF(u.name, ''), u.email, ''), i.currency, i.issue_date, i.due_date, i.buyer_reference, i.note,
	i.seller, i.buyer, i.line_total, i.allowance_total, i.tax_exclusive, i.vat_total, i.tax_inclusive, i.cost_total,
	i.paid_total, i.credited_total, i.created_at, i.updated_at, i.issued_at, i.version`

const fromInvoices = ` FROM invoices i JOIN accounts a ON a.id = i.account_id
	LEFT JOIN invoices c ON c.id = i.credit_of LEFT JOIN users u ON u.id = i.owner_id`

func scan(r interface{ Scan(...any) error }) (Invoice, error) {
	var i Invoice
	var seller, buyer string
	var created, updated int64
	var issued sql.NullInt64
	t := &i.Totals
	err := r.Scan(&i.ID, &i.Kind, &i.Number, &i.Status, &i.AccountID, &i.AccountName, &i.OpportunityID, &i.CreditOf,
		&i.CreditOfNumber, &i.CreditOfDate, &i.OwnerID, &i.OwnerName, &i.Currency, &i.IssueDate, &i.DueDate,
		&i.BuyerReference, &i.Note, &seller, &buyer, &t.Lines, &t.Allowances, &t.TaxExclusive, &t.VAT, &t.TaxInclusive,
		&t.Cost, &i.Paid, &i.Credited, &created, &updated, &issued, &i.Version)
	if err != nil {
		return i, err
	}
	i.CreatedAt, i.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if issued.Valid {
		at := time.UnixMilli(issued.Int64).UTC()
		i.IssuedAt = &at
	}
	if seller != "" {
		if err := json.Unmarshal([]byte(seller), &i.Seller); err != nil {
			return i, fmt.Errorf("seller of invoice %d: %w", i.ID, err)
		}
	}
	if buyer != "" {
		if err := json.Unmarshal([]byte(buyer), &i.Buyer); err != nil {
			return i, fmt.Errorf("buyer of invoice %d: %w", i.ID, err)
		}
	}
	return i, nil
}

// Get returns document id with its lines, payments and credit notes.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Invoice, error) {
	i, err := load(ctx, s.db.R, id, "")
	if err != nil {
		return i, err
	}
	if err := maySee(a, i.OwnerID); err != nil {
		return Invoice{}, err
	}
	return i, nil
}

// load reads document id whole, locking its row when lock is a FOR
// UPDATE clause. A draft gets the seller's and buyer's details as they
// are now; an issued document keeps those it was issued with.
func load(ctx context.Context, q sqldb.Querier, id int64, lock string) (Invoice, error) {
	i, err := scan(q.QueryRow(ctx, `SELECT `+invColumns+fromInvoices+` WHERE i.id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, fault.Errorf(fault.NotFound, "there is no invoice %d", id)
	}
	if err != nil {
		return i, fmt.Errorf("invoice: read %d: %w", id, err)
	}
	if i.Status == Draft {
		if i.Seller, err = seller(ctx, q); err != nil {
			return i, err
		}
		if i.Buyer, err = billing(ctx, q, i.AccountID); err != nil {
			return i, err
		}
	}
	if err := readLines(ctx, q, &i); err != nil {
		return i, err
	}
	if err := readPayments(ctx, q, &i); err != nil {
		return i, err
	}
	return i, readCredits(ctx, q, &i)
}

func readLines(ctx context.Context, q sqldb.Querier, i *Invoice) error {
	rows, err := q.Query(ctx, `SELECT id, kind, COALESCE(product_id, 0), name, quantity, unit_price, discount_bp, amount,
		category, rate_bp, reason, unit_cost FROM invoice_lines WHERE invoice_id = ? ORDER BY id`, i.ID)
	if err != nil {
		return fmt.Errorf("invoice: lines of %d: %w", i.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l Line
		var kind string
		var amount int64
		var cost sql.NullInt64
		if err := rows.Scan(&l.ID, &kind, &l.ProductID, &l.Name, &l.Quantity, &l.UnitPrice, &l.DiscountBP, &amount,
			&l.Category, &l.RateBP, &l.Reason, &cost); err != nil {
			return fmt.Errorf("invoice: lines of %d: %w", i.ID, err)
		}
		if kind == "allowance" {
			i.Allowances = append(i.Allowances, Allowance{ID: l.ID, Reason: l.Name, Amount: amount, Category: l.Category, RateBP: l.RateBP})
			continue
		}
		l.UnitCost, l.HasCost = cost.Int64, cost.Valid
		i.Lines = append(i.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The stored totals are the issued truth; the breakdown and each
	// line's amounts are worked out again by the same rule.
	stored := i.Totals
	i.Totals = Compute(i.Lines, i.Allowances, i.Currency)
	if i.Status != Draft && i.Totals.TaxInclusive != stored.TaxInclusive {
		return fmt.Errorf("invoice: %d: the lines add up to %d, the issued total is %d", i.ID, i.Totals.TaxInclusive, stored.TaxInclusive)
	}
	return nil
}

func readPayments(ctx context.Context, q sqldb.Querier, i *Invoice) error {
	rows, err := q.Query(ctx, `SELECT id, amount, paid_on, method, reference, created_at FROM invoice_payments WHERE invoice_id = ? ORDER BY paid_on, id`, i.ID)
	if err != nil {
		return fmt.Errorf("invoice: payments of %d: %w", i.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Payment
		var created int64
		if err := rows.Scan(&p.ID, &p.Amount, &p.PaidOn, &p.Method, &p.Reference, &created); err != nil {
			return err
		}
		p.CreatedAt = time.UnixMilli(created).UTC()
		i.Payments = append(i.Payments, p)
	}
	return rows.Err()
}

func readCredits(ctx context.Context, q sqldb.Querier, i *Invoice) error {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(number, ''), status, tax_inclusive FROM invoices WHERE credit_of = ? ORDER BY id`, i.ID)
	if err != nil {
		return fmt.Errorf("invoice: credit notes of %d: %w", i.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Number, &r.Status, &r.Total); err != nil {
			return err
		}
		i.Credits = append(i.Credits, r)
	}
	return rows.Err()
}

package invoice

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/product"
	"leadflow/internal/sqldb"
)

// New is a draft made by hand for an account.
type New struct {
	AccountID int64
	Currency  string
}

// Create starts a draft invoice for an account, in currency.
func (s *Service) Create(ctx context.Context, a access.Actor, in New) (Invoice, error) {
	if err := mayBill(a); err != nil {
		return Invoice{}, err
	}
	bad := fault.Fields{}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if !product.IsCurrency(in.Currency) {
		bad.Add("currency", "must be a three-letter currency code such as EUR")
	}
	if in.AccountID <= 0 {
		bad.Add("account_id", "is required: the account the invoice is for")
	}
	if err := bad.Err(); err != nil {
		return Invoice{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := accountExists(ctx, tx, in.AccountID); err != nil {
			return err
		}
		var err error
		id, err = s.insertDraft(ctx, tx, a, a.ID, KindInvoice, in.AccountID, 0, 0, in.Currency, "")
		return err
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, id, "")
}

func accountExists(ctx context.Context, q sqldb.Querier, id int64) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Code: fault.Invalid, Message: "there is no such account", Fields: map[string]string{"account_id": "must be an existing account"}}
	}
	return err
}

// insertDraft writes a new draft owned by a and records it.
func (s *Service) insertDraft(ctx context.Context, tx *sqldb.Tx, a access.Actor, owner int64, kind string, account, deal, creditOf int64, currency, ref string) (int64, error) {
	now := s.stamp().UnixMilli()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO invoices (kind, status, account_id, opportunity_id, credit_of, owner_id, currency, buyer_reference, created_at, updated_at)
		VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, kind, account, nullID(deal), nullID(creditOf), nullID(owner), currency, ref, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("invoice: create: %w", err)
	}
	return id, audit.Record(ctx, tx, a, "invoice.create", "invoice", id, map[string]any{"kind": kind, "account_id": account})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// FromDeal starts a draft invoice for won deal id: its products at the
// prices on the deal, or, without products, one line for its amount,
// each at the default VAT rate. The draft belongs to the deal's owner.
func (s *Service) FromDeal(ctx context.Context, a access.Actor, id int64) (Invoice, error) {
	if err := mayBill(a); err != nil {
		return Invoice{}, err
	}
	var inv int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var account, owner int64
		var name, stage, currency string
		var amount sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT account_id, COALESCE(owner_id, 0), name, stage, currency, amount FROM opportunities WHERE id = ?`+tx.ForUpdate(), id).
			Scan(&account, &owner, &name, &stage, &currency, &amount)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "there is no opportunity %d", id)
		}
		if err != nil {
			return fmt.Errorf("invoice: deal %d: %w", id, err)
		}
		if !a.CanSeeLead(owner) {
			return fault.Errorf(fault.Forbidden, "opportunity %d belongs to another sales user", id)
		}
		if stage != "won" {
			return fault.Errorf(fault.Conflict, "only a won opportunity is invoiced; win it first")
		}
		sel, err := seller(ctx, tx)
		if err != nil {
			return err
		}
		lines, err := dealLines(ctx, tx, id, name, amount, sel.DefaultRateBP)
		if err != nil {
			return err
		}
		// The products' currency, which is the deal's when it has one.
		if len(lines) > 0 && lines[0].currency != "" {
			currency = lines[0].currency
		}
		if currency == "" {
			currency = "EUR"
		}
		if owner == 0 {
			owner = a.ID
		}
		if inv, err = s.insertDraft(ctx, tx, a, owner, KindInvoice, account, id, 0, currency, name); err != nil {
			return err
		}
		for _, l := range lines {
			if err := insertLine(ctx, tx, inv, l.Line); err != nil {
				return err
			}
		}
		return refresh(ctx, tx, inv, currency)
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, inv, "")
}

type dealLine struct {
	Line
	currency string
}

// dealLines are the invoice lines of a deal: its products, or its amount.
func dealLines(ctx context.Context, q sqldb.Querier, id int64, name string, amount sql.NullInt64, rate int64) ([]dealLine, error) {
	rows, err := q.Query(ctx, `SELECT l.product_id, p.name, l.quantity, l.unit_price, l.unit_cost, l.currency
		FROM opportunity_lines l JOIN products p ON p.id = l.product_id WHERE l.opportunity_id = ? ORDER BY l.id`, id)
	if err != nil {
		return nil, fmt.Errorf("invoice: products of deal %d: %w", id, err)
	}
	defer rows.Close()
	var out []dealLine
	for rows.Next() {
		var l dealLine
		var qty, price, cost int64
		if err := rows.Scan(&l.ProductID, &l.Name, &qty, &price, &cost, &l.currency); err != nil {
			return nil, err
		}
		// The deal keeps whole units and minor-unit prices; the invoice
		// keeps thousandths and ten-thousandths.
		l.Quantity, l.UnitPrice, l.UnitCost, l.HasCost = qty*1000, price*100, cost*100, true
		l.Category, l.RateBP = Standard, rate
		out = append(out, l)
	}
	if err := rows.Err(); err != nil || len(out) > 0 || !amount.Valid {
		return out, err
	}
	// A deal's amount is in whole units of its currency.
	l := dealLine{Line: Line{Name: name, Quantity: 1000, UnitPrice: amount.Int64 * 10000, Category: Standard, RateBP: rate}}
	return []dealLine{l}, nil
}

// DraftInput is the changeable header of a draft.
type DraftInput struct {
	DueDate        string
	BuyerReference string
	Note           string
	Version        int64 // the version the change was made from; 0 skips the check
}

// UpdateDraft changes a draft's due date, buyer reference and note.
func (s *Service) UpdateDraft(ctx context.Context, a access.Actor, id int64, in DraftInput) (Invoice, error) {
	bad := fault.Fields{}
	in.DueDate = strings.TrimSpace(in.DueDate)
	if in.DueDate != "" {
		if _, err := time.Parse(time.DateOnly, in.DueDate); err != nil {
			bad.Add("due_date", "must be a date, YYYY-MM-DD")
		}
	}
	in.BuyerReference, in.Note = strings.TrimSpace(in.BuyerReference), strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.BuyerReference) > 100 {
		bad.Add("buyer_reference", "is at most 100 characters")
	}
	if utf8.RuneCountInString(in.Note) > 2000 {
		bad.Add("note", "is at most 2000 characters")
	}
	if err := bad.Err(); err != nil {
		return Invoice{}, err
	}
	return s.changeDraft(ctx, a, id, in.Version, "invoice.update", func(tx *sqldb.Tx, i *Invoice) error {
		_, err := tx.Exec(ctx, `UPDATE invoices SET due_date = ?, buyer_reference = ?, note = ? WHERE id = ?`, in.DueDate, in.BuyerReference, in.Note, id)
		return err
	})
}

// changeDraft runs change on draft id with its row locked, then works
// out its totals again and counts the write. version, when not 0, must
// be the draft's current one.
func (s *Service) changeDraft(ctx context.Context, a access.Actor, id, version int64, action string, change func(*sqldb.Tx, *Invoice) error) (Invoice, error) {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		i, err := load(ctx, tx, id, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if err := maySee(a, i.OwnerID); err != nil {
			return err
		}
		if i.Status != Draft {
			return fault.Errorf(fault.Conflict, "%s is issued and cannot change; correct it with a credit note", i.Title())
		}
		if version != 0 && version != i.Version {
			return fault.Errorf(fault.Conflict, "this draft was changed by someone else since you opened it; reload it and apply your change again")
		}
		if err := change(tx, &i); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invoices SET updated_at = ?, version = version + 1 WHERE id = ?`, s.stamp().UnixMilli(), id); err != nil {
			return err
		}
		if err := refresh(ctx, tx, id, i.Currency); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, action, "invoice", id, nil)
	})
	if err != nil {
		return Invoice{}, err
	}
	return load(ctx, s.db.R, id, "")
}

// refresh works the totals of document id out again from its lines.
func refresh(ctx context.Context, tx *sqldb.Tx, id int64, currency string) error {
	i := Invoice{ID: id, Currency: currency, Status: Draft}
	if err := readLines(ctx, tx, &i); err != nil {
		return err
	}
	t := i.Totals
	known := 0
	if t.CostKnown {
		known = 1
	}
	_, err := tx.Exec(ctx, `UPDATE invoices SET line_total = ?, allowance_total = ?, tax_exclusive = ?, vat_total = ?, tax_inclusive = ?, cost_total = ?, cost_known = ? WHERE id = ?`,
		t.Lines, t.Allowances, t.TaxExclusive, t.VAT, t.TaxInclusive, t.Cost, known, id)
	if err != nil {
		return fmt.Errorf("invoice: totals of %d: %w", id, err)
	}
	return nil
}

// LineInput is a line as a form or the API sends it, in text. A line
// of a product takes the product's name and price when those are empty.
type LineInput struct {
	ProductID int64
	Name      string
	Quantity  string
	UnitPrice string
	Discount  string // percent
	Category  string
	Rate      string // percent; the default rate when empty in category S
	Reason    string
}

// parse validates in into a line, naming each bad field.
func (in LineInput) parse() (Line, fault.Fields) {
	bad := fault.Fields{}
	l := Line{ProductID: in.ProductID, Name: strings.TrimSpace(in.Name), Category: strings.ToUpper(strings.TrimSpace(in.Category)), Reason: strings.TrimSpace(in.Reason)}
	if l.Name == "" || utf8.RuneCountInString(l.Name) > 200 {
		bad.Add("name", "is required, at most 200 characters")
	}
	var err error
	if l.Quantity, err = parseFixed(in.Quantity, quantityScale, true); err != nil {
		bad.Add("quantity", err.Error())
	} else if l.Quantity == 0 || l.Quantity > MaxQuantity || l.Quantity < -MaxQuantity {
		bad.Add("quantity", "must not be 0; a return is a negative quantity")
	}
	if l.UnitPrice, err = parseFixed(in.UnitPrice, priceScale, false); err != nil {
		bad.Add("unit_price", err.Error()+" (a price is never negative: a return is a negative quantity)")
	} else if l.UnitPrice > MaxUnitPrice*10000 {
		bad.Add("unit_price", "is too large")
	}
	if strings.TrimSpace(in.Discount) != "" {
		if l.DiscountBP, err = parseFixed(strings.TrimSuffix(strings.TrimSpace(in.Discount), "%"), percentScale, false); err != nil || l.DiscountBP > 10000 {
			bad.Add("discount", "must be a percentage from 0 to 100")
		}
	}
	l.RateBP = checkVAT(bad, l.Category, in.Rate, &l.Reason)
	return l, bad
}

// checkVAT validates a VAT category and rate, naming the field at
// fault: the standard rate is above 0, the categories without VAT are at
// 0 and carry a reason (the default one when none is given).
func checkVAT(bad fault.Fields, category, rate string, reason *string) int64 {
	if categoryOrder(category) == len(Categories) {
		bad.Add("category", "must be one of S, Z, E, AE, K, G, O")
		return 0
	}
	bp, err := parseRate(rate)
	if strings.TrimSpace(rate) == "" && category != Standard {
		bp, err = 0, nil
	}
	switch {
	case err != nil:
		bad.Add("vat_rate", err.Error())
	case category == Standard && bp == 0:
		bad.Add("vat_rate", "must be above 0 at the standard rate; choose another category for no VAT")
	case category != Standard && bp != 0:
		bad.Add("vat_rate", "must be 0 in this category")
	}
	if utf8.RuneCountInString(*reason) > 200 {
		bad.Add("reason", "is at most 200 characters")
	}
	if category == Standard || category == ZeroRated {
		*reason = ""
	} else if *reason == "" {
		*reason = defaultReasons[category]
	}
	return bp
}

// AddLine adds a line to draft id.
func (s *Service) AddLine(ctx context.Context, a access.Actor, id int64, in LineInput) (Invoice, error) {
	if in.ProductID != 0 && (strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.UnitPrice) == "") {
		var name, currency string
		var price int64
		err := s.db.R.QueryRow(ctx, `SELECT name, unit_price, currency FROM products WHERE id = ?`, in.ProductID).Scan(&name, &price, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return Invoice{}, &fault.Error{Code: fault.Invalid, Message: "there is no such product", Fields: map[string]string{"product_id": "must be a product of the catalog"}}
		}
		if err != nil {
			return Invoice{}, err
		}
		if strings.TrimSpace(in.Name) == "" {
			in.Name = name
		}
		if strings.TrimSpace(in.UnitPrice) == "" {
			in.UnitPrice = Price(price*100, currency)
		}
	}
	if err := s.defaultRate(ctx, in.Category, &in.Rate); err != nil {
		return Invoice{}, err
	}
	l, bad := in.parse()
	if err := bad.Err(); err != nil {
		return Invoice{}, err
	}
	return s.changeDraft(ctx, a, id, 0, "invoice.line.add", func(tx *sqldb.Tx, i *Invoice) error {
		if len(i.Lines)+len(i.Allowances) >= MaxLines {
			return &fault.Error{Code: fault.Invalid, Message: "too many lines", Fields: map[string]string{"name": fmt.Sprintf("an invoice holds at most %d lines", MaxLines)}}
		}
		if l.ProductID != 0 {
			if err := productCost(ctx, tx, &l, i.Currency); err != nil {
				return err
			}
		}
		if err := mixesNotSubject(i, l.Category); err != nil {
			return err
		}
		return insertLine(ctx, tx, id, l)
	})
}

// defaultRate fills an empty VAT rate of the standard category (or of
// none given) with the seller's default rate.
func (s *Service) defaultRate(ctx context.Context, category string, rate *string) error {
	c := strings.ToUpper(strings.TrimSpace(category))
	if strings.TrimSpace(*rate) != "" || c != "" && c != Standard {
		return nil
	}
	sel, err := seller(ctx, s.db.R)
	if err != nil {
		return err
	}
	*rate = Percent(sel.DefaultRateBP)
	return nil
}

// mixesNotSubject refuses a category O line beside others: EN 16931
// wants a document outside the scope of VAT to be wholly so.
func mixesNotSubject(i *Invoice, category string) error {
	for _, l := range i.Lines {
		if (l.Category == NotSubject) != (category == NotSubject) {
			return &fault.Error{Code: fault.Invalid, Message: "not subject to VAT mixed with VAT",
				Fields: map[string]string{"category": "a document not subject to VAT (O) has only such lines"}}
		}
	}
	return nil
}

// productCost gives line l its product's unit cost, when the product
// is priced in the invoice's currency and its cost is known.
func productCost(ctx context.Context, q sqldb.Querier, l *Line, currency string) error {
	var price int64
	var cost, margin sql.NullInt64
	var cur string
	err := q.QueryRow(ctx, `SELECT unit_price, unit_cost, margin_bp, currency FROM products WHERE id = ?`, l.ProductID).Scan(&price, &cost, &margin, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Code: fault.Invalid, Message: "there is no such product", Fields: map[string]string{"product_id": "must be a product of the catalog"}}
	}
	if err != nil || cur != currency {
		return err
	}
	switch {
	case cost.Valid:
		l.UnitCost, l.HasCost = cost.Int64*100, true
	case margin.Valid:
		l.UnitCost, l.HasCost = product.CostOf(price, margin.Int64)*100, true
	}
	return nil
}

func insertLine(ctx context.Context, tx *sqldb.Tx, id int64, l Line) error {
	var cost any
	if l.HasCost {
		cost = l.UnitCost
	}
	_, err := tx.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, kind, product_id, name, quantity, unit_price, discount_bp, category, rate_bp, reason, unit_cost)
		VALUES (?, 'line', ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, nullID(l.ProductID), l.Name, l.Quantity, l.UnitPrice, l.DiscountBP, l.Category, l.RateBP, l.Reason, cost)
	if err != nil {
		return fmt.Errorf("invoice: add line to %d: %w", id, err)
	}
	return nil
}

// AllowanceInput is a discount on the whole document, in text.
type AllowanceInput struct {
	Reason   string
	Amount   string
	Category string
	Rate     string
}

// AddAllowance adds a discount on the whole of draft id, in the VAT
// category and rate it reduces.
func (s *Service) AddAllowance(ctx context.Context, a access.Actor, id int64, in AllowanceInput) (Invoice, error) {
	if err := s.defaultRate(ctx, in.Category, &in.Rate); err != nil {
		return Invoice{}, err
	}
	bad := fault.Fields{}
	al := Allowance{Reason: strings.TrimSpace(in.Reason), Category: strings.ToUpper(strings.TrimSpace(in.Category))}
	if al.Reason == "" || utf8.RuneCountInString(al.Reason) > 200 {
		bad.Add("reason", "is required (such as \"Loyalty discount\"), at most 200 characters")
	}
	var reason string
	al.RateBP = checkVAT(bad, al.Category, in.Rate, &reason)
	return s.changeDraft(ctx, a, id, 0, "invoice.allowance.add", func(tx *sqldb.Tx, i *Invoice) error {
		var err error
		if al.Amount, err = parseFixed(in.Amount, product.Decimals(i.Currency), false); err != nil || al.Amount == 0 {
			bad.Add("amount", "must be an amount above 0 such as 50.00")
		}
		if err := bad.Err(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, kind, name, amount, category, rate_bp, reason)
			VALUES (?, 'allowance', ?, ?, ?, ?, ?)`, id, al.Reason, al.Amount, al.Category, al.RateBP, reason)
		return err
	})
}

// RemoveLine takes a line or allowance off draft id.
func (s *Service) RemoveLine(ctx context.Context, a access.Actor, id, lineID int64) (Invoice, error) {
	return s.changeDraft(ctx, a, id, 0, "invoice.line.remove", func(tx *sqldb.Tx, i *Invoice) error {
		res, err := tx.Exec(ctx, `DELETE FROM invoice_lines WHERE id = ? AND invoice_id = ?`, lineID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "there is no line %d on this invoice", lineID)
		}
		return nil
	})
}

// RemoveLineByID takes line lineID off the draft it is on, which it
// returns.
func (s *Service) RemoveLineByID(ctx context.Context, a access.Actor, lineID int64) (Invoice, error) {
	var id int64
	err := s.db.R.QueryRow(ctx, `SELECT invoice_id FROM invoice_lines WHERE id = ?`, lineID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, fault.Errorf(fault.NotFound, "there is no invoice line %d", lineID)
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("invoice: line %d: %w", lineID, err)
	}
	return s.RemoveLine(ctx, a, id, lineID)
}

// Delete throws draft id away; an issued document stays for ever.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		i, err := load(ctx, tx, id, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if err := maySee(a, i.OwnerID); err != nil {
			return err
		}
		if err := i.DeleteRefusal(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM invoices WHERE id = ?`, id); err != nil {
			return fmt.Errorf("invoice: delete %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "invoice.delete", "invoice", id, nil)
	})
}

// ParseID reads a document id from a path.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Errorf(fault.NotFound, "there is no invoice %q", s)
	}
	return id, nil
}

// DeleteRefusal is why i may not be deleted, nil when it may: only a
// draft is, since an issued document's number is kept. It names the way
// that is open: a void while nothing is paid or credited, else a credit
// note; a void invoice or a credit note is simply kept.
func (i Invoice) DeleteRefusal() error {
	switch {
	case i.Status == Draft:
		return nil
	case i.VoidRefusal() == nil:
		return fault.Errorf(fault.Conflict, "%s is issued and is kept; void it or correct it with a credit note", i.Title())
	case i.Kind == KindInvoice && i.Status != Void:
		return fault.Errorf(fault.Conflict, "%s is issued and is kept; correct it with a credit note", i.Title())
	}
	return fault.Errorf(fault.Conflict, "%s is kept: an issued document is never deleted", i.Title())
}

// VoidRefusal is why i may not be voided, nil when it may: only an
// issued invoice with nothing paid or credited is; a draft is deleted.
func (i Invoice) VoidRefusal() error {
	switch {
	case i.Status == Draft:
		return fault.Errorf(fault.Conflict, "%s is a draft: delete it instead", i.Title())
	case i.Kind != KindInvoice || i.Status != Issued || i.Paid != 0 || i.Credited != 0:
		return fault.Errorf(fault.Conflict, "only an issued invoice with nothing paid or credited is voided; correct %s with a credit note instead", i.Title())
	}
	return nil
}

package product

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Line is a product on an opportunity, priced when it was added.
type Line struct {
	ID            int64
	OpportunityID int64
	ProductID     int64
	ProductName   string
	Quantity      int64
	UnitPrice     int64 // minor units
	UnitCost      int64 // minor units; the price less the margin when the product had one
	Currency      string
	CreatedAt     time.Time
}

// Total is the line's price: quantity times unit price.
func (l Line) Total() int64 { return l.Quantity * l.UnitPrice }

// Margin is the line's price less its cost.
func (l Line) Margin() int64 { return l.Quantity * (l.UnitPrice - l.UnitCost) }

// Lines are an opportunity's products with their sums.
type Lines struct {
	Items    []Line
	Currency string   // every line's; "" when there is none
	Revenue  *big.Int // sum of the lines' totals, minor units
	Cost     *big.Int
	Margin   *big.Int
}

// MarginBP is the margin's share of the revenue in basis points, rounded
// half away from zero; 0 without revenue.
func (l Lines) MarginBP() int64 {
	if l.Revenue == nil || l.Revenue.Sign() == 0 {
		return 0
	}
	n := new(big.Int).Mul(l.Margin, big.NewInt(10000))
	half := new(big.Int).Quo(l.Revenue, big.NewInt(2))
	if n.Sign() < 0 {
		n.Sub(n, half)
	} else {
		n.Add(n, half)
	}
	return n.Quo(n, l.Revenue).Int64()
}

// MaxLines bounds the products on one opportunity.
const MaxLines = 200

// opportunity reads the deal's owner and currency, locking the row when
// lock is a FOR UPDATE clause, and refuses a deal a may not see.
func opportunity(ctx context.Context, q sqldb.Querier, a access.Actor, id int64, lock string) (string, error) {
	var owner int64
	var currency string
	err := q.QueryRow(ctx, `SELECT COALESCE(owner_id, 0), currency FROM opportunities WHERE id = ?`+lock, id).Scan(&owner, &currency)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.Errorf(fault.NotFound, "there is no opportunity %d", id)
	}
	if err != nil {
		return "", fmt.Errorf("product: opportunity %d: %w", id, err)
	}
	if !a.CanSeeLead(owner) {
		return "", fault.Errorf(fault.Forbidden, "opportunity %d belongs to another sales user", id)
	}
	return currency, nil
}

// LinesOf returns the products on opportunity id, oldest first, with
// their sums.
func (s *Service) LinesOf(ctx context.Context, a access.Actor, id int64) (Lines, error) {
	if _, err := opportunity(ctx, s.db.R, a, id, ""); err != nil {
		return Lines{}, err
	}
	return linesOf(ctx, s.db.R, id)
}

func linesOf(ctx context.Context, q sqldb.Querier, id int64) (Lines, error) {
	out := Lines{Revenue: new(big.Int), Cost: new(big.Int), Margin: new(big.Int)}
	rows, err := q.Query(ctx, `SELECT l.id, l.opportunity_id, l.product_id, p.name, l.quantity, l.unit_price, l.unit_cost, l.currency, l.created_at
		FROM opportunity_lines l JOIN products p ON p.id = l.product_id WHERE l.opportunity_id = ? ORDER BY l.id`, id)
	if err != nil {
		return out, fmt.Errorf("product: lines of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l Line
		var created int64
		if err := rows.Scan(&l.ID, &l.OpportunityID, &l.ProductID, &l.ProductName, &l.Quantity, &l.UnitPrice, &l.UnitCost, &l.Currency, &created); err != nil {
			return out, err
		}
		l.CreatedAt = time.UnixMilli(created).UTC()
		out.Items, out.Currency = append(out.Items, l), l.Currency
		out.Revenue.Add(out.Revenue, big.NewInt(l.Total()))
		out.Cost.Add(out.Cost, big.NewInt(l.Quantity*l.UnitCost))
	}
	out.Margin.Sub(out.Revenue, out.Cost)
	return out, rows.Err()
}

// AddLine puts quantity of product productID on opportunity id at the
// product's price now. Every line of a deal is in one currency, the
// deal's own when it has an amount: a product in another is refused
// naming product_id. The deal stays locked while its lines are read and
// the new one written, so two additions at once cannot mix currencies.
func (s *Service) AddLine(ctx context.Context, a access.Actor, id, productID int64, quantity string) (Line, error) {
	var out Line
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		dealCurrency, err := opportunity(ctx, tx, a, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		bad := fault.Fields{}
		q, err := strconv.ParseInt(strings.TrimSpace(quantity), 10, 64)
		if err != nil || q < 1 || q > MaxQuantity {
			bad.Add("quantity", fmt.Sprintf("must be a whole number from 1 to %d", MaxQuantity))
		}
		p, err := get(ctx, tx, productID, "")
		if e := fault.As(err); e != nil && e.Code == fault.NotFound || err == nil && !p.Active {
			bad.Add("product_id", "must be a product of the catalog that is on sale")
		} else if err != nil {
			return err
		}
		lines, err := linesOf(ctx, tx, id)
		if err != nil {
			return err
		}
		want := lines.Currency
		if want == "" {
			want = dealCurrency
		}
		switch {
		case bad["product_id"] != "":
		case want != "" && p.Currency != want:
			bad.Add("product_id", fmt.Sprintf("is priced in %s; this opportunity is in %s", p.Currency, want))
		case len(lines.Items) >= MaxLines:
			bad.Add("product_id", fmt.Sprintf("an opportunity holds at most %d products", MaxLines))
		}
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		out = Line{OpportunityID: id, ProductID: p.ID, ProductName: p.Name, Quantity: q, UnitPrice: p.UnitPrice,
			UnitCost: p.UnitPrice, Currency: p.Currency, CreatedAt: now}
		if p.HasCost {
			out.UnitCost = p.UnitCost
		}
		err = tx.QueryRow(ctx, `INSERT INTO opportunity_lines (opportunity_id, product_id, quantity, unit_price, unit_cost, currency, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, p.ID, q, out.UnitPrice, out.UnitCost, out.Currency, now.UnixMilli()).Scan(&out.ID)
		if err != nil {
			return fmt.Errorf("product: add line to %d: %w", id, err)
		}
		if err := touch(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "deal.product.add", "deal", id, map[string]int64{"product_id": p.ID, "quantity": q})
	})
	return out, err
}

// touch counts a change of a deal's products as a write of the deal.
func touch(ctx context.Context, tx *sqldb.Tx, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE opportunities SET updated_at = ?, version = version + 1 WHERE id = ?`, now.UnixMilli(), id); err != nil {
		return fmt.Errorf("product: touch opportunity %d: %w", id, err)
	}
	return nil
}

// RemoveLine takes line lineID off its opportunity, whose id it returns.
func (s *Service) RemoveLine(ctx context.Context, a access.Actor, lineID int64) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `SELECT opportunity_id FROM opportunity_lines WHERE id = ?`, lineID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "there is no opportunity line %d", lineID)
		}
		if err != nil {
			return fmt.Errorf("product: line %d: %w", lineID, err)
		}
		if _, err := opportunity(ctx, tx, a, id, tx.ForUpdate()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM opportunity_lines WHERE id = ?`, lineID); err != nil {
			return fmt.Errorf("product: remove line %d: %w", lineID, err)
		}
		if err := touch(ctx, tx, id, s.stamp()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "deal.product.remove", "deal", id, map[string]int64{"line_id": lineID})
	})
	return id, err
}

package product

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// Product is one thing the team sells.
type Product struct {
	ID        int64
	Name      string
	UnitPrice int64 // minor units
	Currency  string
	// UnitCost and MarginBP are known together or not at all
	// (HasCost); one of them was entered, the other is worked out.
	UnitCost  int64
	MarginBP  int64
	HasCost   bool
	CostGiven bool // the cost was entered, not the margin
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Input is a product as a form or the API sends it, in text. UnitCost
// and Margin (percent) are alternatives: give one, or neither when the
// cost is not known.
type Input struct {
	Name, UnitPrice, Currency string
	UnitCost, Margin          string
	Active                    bool
	Version                   int64 // for a change: the version it was made from; 0 skips the check
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// IsCurrency says whether code is written as a currency code: three
// capital letters, such as EUR.
func IsCurrency(code string) bool { return currencyPattern.MatchString(code) }

// apply validates in onto p, naming each bad field.
func (in Input) apply(p *Product) error {
	bad := fault.Fields{}
	p.Name = strings.TrimSpace(in.Name)
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		bad.Add("name", "is required, at most 200 characters")
	}
	p.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if !currencyPattern.MatchString(p.Currency) {
		bad.Add("currency", "must be a three-letter currency code such as EUR")
	}
	var err error
	if p.UnitPrice, err = ParseMoney(in.UnitPrice, p.Currency); err != nil {
		bad.Add("unit_price", err.Error())
	}
	cost, margin := strings.TrimSpace(in.UnitCost), strings.TrimSpace(in.Margin)
	p.HasCost, p.CostGiven, p.UnitCost, p.MarginBP = false, false, 0, 0
	switch {
	case cost != "" && margin != "":
		bad.Add("margin", "give the unit cost or the margin, not both")
	case cost != "":
		if p.UnitCost, err = ParseMoney(cost, p.Currency); err != nil {
			bad.Add("unit_cost", err.Error())
		}
		p.HasCost, p.CostGiven = true, true
	case margin != "":
		if p.MarginBP, err = ParseMargin(margin); err != nil {
			bad.Add("margin", err.Error())
		}
		p.HasCost = true
	}
	p.Active = in.Active
	if err := bad.Err(); err != nil {
		return err
	}
	p.derive()
	return nil
}

// derive works out the cost from the margin, or the margin from the cost.
func (p *Product) derive() {
	switch {
	case !p.HasCost:
		p.UnitCost, p.MarginBP = 0, 0
	case p.CostGiven:
		p.MarginBP = marginOf(p.UnitPrice, p.UnitCost)
	default:
		p.UnitCost = CostOf(p.UnitPrice, p.MarginBP)
	}
}

// Service keeps the catalog and the products on opportunities.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

const columns = `id, name, unit_price, currency, unit_cost, margin_bp, active, created_at, updated_at, version`

func scan(r interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var cost, margin sql.NullInt64
	var active, created, updated int64
	err := r.Scan(&p.ID, &p.Name, &p.UnitPrice, &p.Currency, &cost, &margin, &active, &created, &updated, &p.Version)
	p.Active, p.CreatedAt, p.UpdatedAt = active != 0, time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	p.HasCost, p.CostGiven = cost.Valid || margin.Valid, cost.Valid
	p.UnitCost, p.MarginBP = cost.Int64, margin.Int64
	p.derive()
	return p, err
}

// mayManage refuses a user who may not change the catalog: admins keep
// what the team sells and at what price.
func mayManage(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only admins change the product catalog")
	}
	return nil
}

// List returns the catalog by name; inactive products only when asked.
func (s *Service) List(ctx context.Context, withInactive bool) ([]Product, error) {
	where := ` WHERE active = 1`
	if withInactive {
		where = ""
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+` FROM products`+where+` ORDER BY name_sort, id`)
	if err != nil {
		return nil, fmt.Errorf("product: list: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("product: list: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Get returns product id.
func (s *Service) Get(ctx context.Context, id int64) (Product, error) {
	return get(ctx, s.db.R, id, "")
}

func get(ctx context.Context, q sqldb.Querier, id int64, lock string) (Product, error) {
	p, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM products WHERE id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.Errorf(fault.NotFound, "there is no product %d", id)
	}
	if err != nil {
		return p, fmt.Errorf("product: read %d: %w", id, err)
	}
	return p, nil
}

// stored are the cost and margin columns as entered.
func (p Product) stored() (cost, margin any) {
	switch {
	case !p.HasCost:
		return nil, nil
	case p.CostGiven:
		return p.UnitCost, nil
	}
	return nil, p.MarginBP
}

func nameTaken(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return &fault.Error{Code: fault.Conflict, Message: "another product has this name",
			Fields: map[string]string{"name": "is another product's name"}}
	}
	return err
}

// Create adds a product to the catalog.
func (s *Service) Create(ctx context.Context, a access.Actor, in Input) (Product, error) {
	if err := mayManage(a); err != nil {
		return Product{}, err
	}
	now := s.stamp()
	p := Product{CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := in.apply(&p); err != nil {
		return p, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		cost, margin := p.stored()
		err := tx.QueryRow(ctx, `INSERT INTO products (name, name_sort, unit_price, currency, unit_cost, margin_bp, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.Name, sortkey.Of(p.Name), p.UnitPrice, p.Currency, cost, margin,
			boolInt(p.Active), now.UnixMilli(), now.UnixMilli()).Scan(&p.ID)
		if err != nil {
			return nameTaken(fmt.Errorf("product: insert: %w", err))
		}
		return audit.Record(ctx, tx, a, "product.create", "product", p.ID, nil)
	})
	return p, err
}

// Update replaces product id's fields, from in.Version when it is not 0:
// a product changed since is refused as a conflict naming the version.
// Opportunities priced before keep their prices.
func (s *Service) Update(ctx context.Context, a access.Actor, id int64, in Input) (Product, error) {
	if err := mayManage(a); err != nil {
		return Product{}, err
	}
	var out Product
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := get(ctx, tx, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != p.Version {
			return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("product %d changed since version %d; read it again", id, in.Version),
				Fields: map[string]string{"version": fmt.Sprintf("is %d now, not %d", p.Version, in.Version)}}
		}
		if err := in.apply(&p); err != nil {
			return err
		}
		p.UpdatedAt, p.Version = s.stamp(), p.Version+1
		cost, margin := p.stored()
		_, err = tx.Exec(ctx, `UPDATE products SET name = ?, name_sort = ?, unit_price = ?, currency = ?, unit_cost = ?, margin_bp = ?,
			active = ?, updated_at = ?, version = version + 1 WHERE id = ?`, p.Name, sortkey.Of(p.Name), p.UnitPrice, p.Currency,
			cost, margin, boolInt(p.Active), p.UpdatedAt.UnixMilli(), id)
		if err != nil {
			return nameTaken(fmt.Errorf("product: update %d: %w", id, err))
		}
		out = p
		return audit.Record(ctx, tx, a, "product.update", "product", id, nil)
	})
	return out, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Package catalog keeps the solution catalog that software requests are
// matched against: products with their vendor, category, industries,
// deployments, features (from a shared, editable vocabulary),
// integrations, languages, pricing and vendor contact; and the team's
// matching weights. Everyone reads it; admin and marketing change it.
package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
	"leadflow/internal/sqldb"
)

// Solution is a product of the catalog.
type Solution struct {
	matching.Solution
	Active       bool
	ContactName  string
	ContactEmail string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

// Categories are the application categories the forms suggest; others
// may be used.
var Categories = []string{"crm", "erp", "hr", "accounting", "e-commerce", "bi", "marketing", "helpdesk", "project-management", "inventory"}

// Service reads and changes the catalog.
type Service struct {
	db  *sqldb.DB
	now func() time.Time

	// snap is the catalog as matching last read it, with the generation
	// it was read at (see ForMatching).
	mu   sync.Mutex
	snap *snapshot
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// MayChange refuses a unless it may change the catalog, for adapters
// that must check before reading a body they would merge.
func (s *Service) MayChange(a access.Actor) error { return mayChange(a) }

// mayChange refuses a unless it manages marketing: the catalog decides
// what is offered to every lead.
func mayChange(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "only admin and marketing users can change the catalog")
	}
	return nil
}

const solutionColumns = `id, vendor, product, category, industries, deployments, features, integrations, languages,
	price, price_period, setup, currency, min_licences, max_licences, active, contact_name, contact_email,
	created_at, updated_at, version`

func scanSolution(row interface{ Scan(...any) error }) (Solution, error) {
	var s Solution
	var ind, dep, feat, integ, lang, period string
	var minL, maxL, created, updated int64
	err := row.Scan(&s.ID, &s.Vendor, &s.Product, &s.Category, &ind, &dep, &feat, &integ, &lang,
		&s.Price, &period, &s.Setup, &s.Currency, &minL, &maxL, &s.Active, &s.ContactName, &s.ContactEmail,
		&created, &updated, &s.Version)
	if err != nil {
		return s, err
	}
	s.PricePeriod, s.MinLicences, s.MaxLicences = matching.Period(period), int(minL), int(maxL)
	s.CreatedAt, s.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	for _, l := range []struct {
		raw string
		to  *[]string
	}{{ind, &s.Industries}, {dep, &s.Deployments}, {feat, &s.Features}, {integ, &s.Integrations}, {lang, &s.Languages}} {
		if err := readList(l.raw, l.to); err != nil {
			return s, fmt.Errorf("catalog: solution %d: list %q: %w", s.ID, l.raw, err)
		}
	}
	return s, nil
}

// readList reads a stored list. Stored keys are validated to hold no
// quote or backslash, so the common case is split without a JSON
// decoder, which is most of the cost of reading a large catalog; anything
// else goes through one.
func readList(raw string, to *[]string) error {
	inner, ok := strings.CutPrefix(raw, `["`)
	if inner, ok2 := strings.CutSuffix(inner, `"]`); ok && ok2 && !strings.ContainsAny(inner, `\`) {
		*to = strings.Split(inner, `","`)
		return nil
	}
	return json.Unmarshal([]byte(raw), to)
}

func list(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Filter narrows the catalog's list.
type Filter struct {
	Q        string // text in vendor or product
	Category string
	Active   *bool
	After    int64 // the cursor: the last id of the previous page
	Limit    int   // 1–500; 0 for all
}

// Solutions lists the catalog by id, a page at a time when f.Limit is
// set; next is the cursor of the next page, 0 when there is none.
func (s *Service) Solutions(ctx context.Context, f Filter) (out []Solution, next int64, err error) {
	where, args := []string{"id > ?"}, []any{f.After}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		where = append(where, "(vendor_key LIKE ? OR product_key LIKE ?)")
		args = append(args, "%"+q+"%", "%"+q+"%")
	}
	if c := strings.ToLower(strings.TrimSpace(f.Category)); c != "" {
		where = append(where, "category = ?")
		args = append(args, c)
	}
	if f.Active != nil {
		where = append(where, "active = ?")
		args = append(args, *f.Active)
	}
	query := `SELECT ` + solutionColumns + ` FROM solutions WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(f.Limit+1)
	}
	rows, err := s.db.R.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("catalog: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sol, err := scanSolution(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, sol)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("catalog: list: %w", err)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// generationKey is the settings row counting the catalog's changes.
const generationKey = "catalog.generation"

func generation(ctx context.Context, q sqldb.Querier) (int64, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, generationKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: generation: %w", err)
	}
	return strconv.ParseInt(v, 10, 64)
}

// changed moves the catalog's generation on, inside the transaction of
// a change to it.
func changed(ctx context.Context, tx *sqldb.Tx) error {
	_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key)
		DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)`, generationKey)
	if err != nil {
		return fmt.Errorf("catalog: next generation: %w", err)
	}
	return nil
}

// Get returns one solution.
func (s *Service) Get(ctx context.Context, id int64) (Solution, error) {
	return get(ctx, s.db.R, id)
}

func get(ctx context.Context, q sqldb.Querier, id int64) (Solution, error) {
	sol, err := scanSolution(q.QueryRow(ctx, `SELECT `+solutionColumns+` FROM solutions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sol, fault.Errorf(fault.NotFound, "solution %d not found", id)
	}
	if err != nil {
		return sol, fmt.Errorf("catalog: solution %d: %w", id, err)
	}
	return sol, nil
}

// Create validates in and adds a solution.
func (s *Service) Create(ctx context.Context, a access.Actor, in Input) (Solution, error) {
	if err := mayChange(a); err != nil {
		return Solution{}, err
	}
	var out Solution
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		known, err := vocabulary(ctx, tx)
		if err != nil {
			return err
		}
		sol, err := validate(in, known)
		if err != nil {
			return err
		}
		now := s.stamp()
		sol.CreatedAt, sol.UpdatedAt, sol.Version = now, now, 1
		if sol.ID, err = insert(ctx, tx, sol); err != nil {
			return err
		}
		out = sol
		if err := changed(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "solution.create", "solution", sol.ID, nil)
	})
	return out, err
}

func insert(ctx context.Context, q sqldb.Querier, sol Solution) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO solutions (vendor, product, vendor_key, product_key, category, industries, deployments,
		features, integrations, languages, price, price_period, setup, currency, min_licences, max_licences, active,
		contact_name, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, sol.args(sol.CreatedAt)...).Scan(&id)
	if sqldb.IsUniqueViolation(err) {
		return 0, duplicate(sol)
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: insert solution: %w", err)
	}
	return id, nil
}

func duplicate(sol Solution) error {
	return &fault.Error{Code: fault.Conflict, Message: "the catalog already has " + sol.Vendor + " " + sol.Product,
		Fields: map[string]string{"product": "the catalog already has this product of this vendor"}}
}

// args are the stored columns of sol in insert order, ending with the
// created and updated times (both at).
func (sol Solution) args(at time.Time) []any {
	return []any{sol.Vendor, sol.Product, strings.ToLower(sol.Vendor), strings.ToLower(sol.Product), sol.Category,
		list(sol.Industries), list(sol.Deployments), list(sol.Features), list(sol.Integrations), list(sol.Languages),
		sol.Price, string(sol.PricePeriod), sol.Setup, sol.Currency, sol.MinLicences, sol.MaxLicences, sol.Active,
		sol.ContactName, sol.ContactEmail, at.UnixMilli(), at.UnixMilli()}
}

// Update replaces solution id's fields with in. When version is not 0
// and the solution has changed since that version, it refuses with a
// conflict, so an edit made from a stale page loses nothing silently.
func (s *Service) Update(ctx context.Context, a access.Actor, id, version int64, in Input) (Solution, error) {
	if err := mayChange(a); err != nil {
		return Solution{}, err
	}
	var out Solution
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := scanSolution(tx.QueryRow(ctx, `SELECT `+solutionColumns+` FROM solutions WHERE id = ?`+tx.ForUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "solution %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("catalog: lock solution %d: %w", id, err)
		}
		if version != 0 && version != old.Version {
			return &fault.Error{Code: fault.Conflict, Message: "someone changed this solution since you opened it; reload it and make your change again",
				Fields: map[string]string{"version": "is " + strconv.FormatInt(old.Version, 10) + " now"}}
		}
		known, err := vocabulary(ctx, tx)
		if err != nil {
			return err
		}
		sol, err := validate(in, known)
		if err != nil {
			return err
		}
		sol.ID, sol.CreatedAt, sol.UpdatedAt, sol.Version = id, old.CreatedAt, s.stamp(), old.Version+1
		args := sol.args(sol.UpdatedAt)
		args = append(args[:len(args)-2], sol.UpdatedAt.UnixMilli(), id)
		_, err = tx.Exec(ctx, `UPDATE solutions SET vendor = ?, product = ?, vendor_key = ?, product_key = ?, category = ?,
			industries = ?, deployments = ?, features = ?, integrations = ?, languages = ?, price = ?, price_period = ?,
			setup = ?, currency = ?, min_licences = ?, max_licences = ?, active = ?, contact_name = ?, contact_email = ?,
			updated_at = ?, version = version + 1 WHERE id = ?`, args...)
		if sqldb.IsUniqueViolation(err) {
			return duplicate(sol)
		}
		if err != nil {
			return fmt.Errorf("catalog: update solution %d: %w", id, err)
		}
		out = sol
		if err := changed(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "solution.update", "solution", id, nil)
	})
	return out, err
}

// Delete removes solution id from the catalog. Making it inactive keeps
// it for the record instead.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := mayChange(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM solutions WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("catalog: delete solution %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "solution %d not found", id)
		}
		if err := changed(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "solution.delete", "solution", id, nil)
	})
}

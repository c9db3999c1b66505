package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/audit"
	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
	"leadflow/internal/sqldb"
)

// DomainOf is the company domain of a website, or failing that of a
// work email address (see accountmatch.DomainOf).
func DomainOf(website, email string) string { return accountmatch.DomainOf(website, email) }

// NameKey reduces a company name for matching (see accountmatch.NameKey).
func NameKey(name string) string { return accountmatch.NameKey(name) }

// matchAccount finds the account a company belongs to: by domain first,
// then by name. id is 0 when none matches.
func matchAccount(ctx context.Context, q sqldb.Querier, domain, name string) (id int64, err error) {
	if domain != "" {
		err = q.QueryRow(ctx, `SELECT id FROM accounts WHERE domain = ? ORDER BY id LIMIT 1`, domain).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	if key := NameKey(name); key != "" {
		err = q.QueryRow(ctx, `SELECT id FROM accounts WHERE name_key = ? ORDER BY id LIMIT 1`, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
	}
	return id, err
}

const accountColumns = `a.id, a.name, a.domain, a.website, a.industry, a.employees, a.country, a.city,
	COALESCE(a.owner_id, 0), COALESCE(u.email, ''), a.created_at, a.updated_at, a.version, a.annual_revenue, COALESCE(a.tier, 0),
	a.score, a.grade, a.scored_at`

const fromAccounts = ` FROM accounts a LEFT JOIN users u ON u.id = a.owner_id`

func scanAccount(s interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var employees, revenue, scored sql.NullInt64
	var created, updated int64
	err := s.Scan(&a.ID, &a.Name, &a.Domain, &a.Website, &a.Industry, &employees, &a.Country, &a.City,
		&a.OwnerID, &a.OwnerEmail, &created, &updated, &a.Version, &revenue, &a.Tier, &a.Score, &a.Grade, &scored)
	a.Employees, a.Revenue = int64Of(employees), int64Of(revenue)
	if scored.Valid {
		t := time.UnixMilli(scored.Int64).UTC()
		a.ScoredAt = &t
	}
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return a, err
}

func getAccount(ctx context.Context, q sqldb.Querier, id int64) (Account, error) {
	return one(q.QueryRow(ctx, `SELECT `+accountColumns+fromAccounts+` WHERE a.id = ?`, id), scanAccount, "account", id)
}

// lockAccount reads account id for a transaction that goes on to write
// it: the row stays locked until tx ends, so a concurrent change waits
// and starts from this one's result instead of overwriting it.
func lockAccount(ctx context.Context, tx *sqldb.Tx, id int64) (Account, error) {
	return one(tx.QueryRow(ctx, `SELECT `+accountColumns+fromAccounts+` WHERE a.id = ?`+tx.ForUpdate("a"), id), scanAccount, "account", id)
}

// one scans the single row of a read by id, naming the kind of record
// when there is none.
func one[T any](row *sql.Row, scan func(interface{ Scan(...any) error }) (T, error), kind string, id int64) (T, error) {
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fault.Errorf(fault.NotFound, "%s %d not found", kind, id)
	}
	if err != nil {
		return v, fmt.Errorf("crm: %s %d: %w", kind, id, err)
	}
	return v, nil
}

func insertAccount(ctx context.Context, q sqldb.Querier, a Account) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO accounts (name, name_key, domain, website, industry, employees, country, city, owner_id, created_at, updated_at,
		name_sort, industry_sort, annual_revenue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Name, NameKey(a.Name), a.Domain, a.Website, a.Industry, deref(a.Employees), a.Country, a.City,
		nullable(a.OwnerID), a.CreatedAt.UnixMilli(), a.UpdatedAt.UnixMilli(), sortkey.Of(a.Name), sortkey.Of(a.Industry), deref(a.Revenue)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("crm: insert account: %w", err)
	}
	return id, nil
}

// AccountInput is an account as a form or the API sends it, in text.
type AccountInput struct {
	Name, Website, Industry, Employees, Country, City, Owner string
	Revenue                                                  string // yearly, whole currency units
}

// InputOf returns a's editable fields as text, for an edit form.
func InputOf(a Account) AccountInput {
	in := AccountInput{Name: a.Name, Website: a.Website, Industry: a.Industry, Country: a.Country, City: a.City, Owner: a.OwnerEmail}
	if a.Employees != nil {
		in.Employees = fmt.Sprint(*a.Employees)
	}
	if a.Revenue != nil {
		in.Revenue = fmt.Sprint(*a.Revenue)
	}
	return in
}

// apply validates in onto a, naming each bad field; actor is who makes
// the change. An owner changes under the rule of a lead's: sales may take
// or release an account that is its own or nobody's, and no more.
func (s *Service) apply(ctx context.Context, q sqldb.Querier, actor access.Actor, a *Account, in AccountInput) error {
	bad := fault.Fields{}
	wasOwner := a.OwnerID
	a.Name = strings.TrimSpace(in.Name)
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 200 {
		bad.Add("name", "is required, at most 200 characters")
	}
	a.Website = strings.TrimSpace(in.Website)
	a.Domain = DomainOf(a.Website, "")
	if a.Website != "" && a.Domain == "" {
		bad.Add("website", "must be a web address such as example.com")
	}
	a.Industry, a.City = strings.TrimSpace(in.Industry), strings.TrimSpace(in.City)
	a.Employees = nil
	if e := strings.TrimSpace(in.Employees); e != "" {
		// ParseInt, not Sscan, which would read "3.7" as 3.
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 0 {
			bad.Add("employees", "must be a whole number, 0 or more")
		} else {
			a.Employees = &n
		}
	}
	a.Revenue = nil
	if e := strings.TrimSpace(in.Revenue); e != "" {
		n, err := strconv.ParseInt(strings.NewReplacer(",", "", "_", "", " ", "").Replace(e), 10, 64)
		if err != nil || n < 0 || n > 1e15 {
			bad.Add("revenue", "must be a whole amount from 0 to 10^15")
		} else {
			a.Revenue = &n
		}
	}
	a.Country = ""
	if c := strings.TrimSpace(in.Country); c != "" {
		code, ok := country.Normalize(c)
		if !ok {
			bad.Add("country", "must be a country name or a two-letter ISO code")
		}
		a.Country = code
	}
	if err := s.resolveOwner(ctx, q, &a.OwnerID, &a.OwnerEmail, in.Owner, bad); err != nil {
		return err
	}
	if err := bad.Err(); err != nil {
		return err
	}
	if a.OwnerID != wasOwner && (!actor.CanSeeLead(wasOwner) || !actor.CanAssignTo(a.OwnerID)) {
		return &fault.Error{Code: fault.Forbidden, Message: "sales users may take or release only their own or unassigned accounts",
			Fields: map[string]string{"owner": "sales users cannot give an account to someone else or take another's"}}
	}
	return nil
}

// resolveOwner reads an owner's email into id and email.
func (s *Service) resolveOwner(ctx context.Context, q sqldb.Querier, id *int64, email *string, in string, bad fault.Fields) error {
	in = strings.TrimSpace(in)
	*id, *email = 0, ""
	if in == "" {
		return nil
	}
	err := q.QueryRow(ctx, `SELECT id, email FROM users WHERE lower(email) = lower(?)`, in).Scan(id, email)
	if errors.Is(err, sql.ErrNoRows) {
		bad.Add("owner", "no user has this email")
		return nil
	}
	return err
}

// CreateAccount stores a new account.
func (s *Service) CreateAccount(ctx context.Context, a access.Actor, in AccountInput) (Account, error) {
	now := s.stamp()
	// Scored 0, cold, until the score job first scores it (ScoredAt nil).
	acc := Account{CreatedAt: now, UpdatedAt: now, Grade: "cold"}
	if in.Owner == "" {
		in.Owner = a.Email
	}
	if err := s.apply(ctx, s.db.R, a, &acc, in); err != nil {
		return acc, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if acc.ID, err = insertAccount(ctx, tx, acc); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "account.create", "account", acc.ID, map[string][]string{"fields": accountChanges(Account{}, acc)})
	})
	return acc, err
}

// accountChanges names the fields of an account that differ from old:
// what its audit entry records, as a lead's does, rather than the
// values.
func accountChanges(old, acc Account) []string {
	was, now := InputOf(old), InputOf(acc)
	diff := map[string]bool{}
	for k, v := range map[string][2]string{
		"name": {was.Name, now.Name}, "website": {was.Website, now.Website}, "industry": {was.Industry, now.Industry},
		"employees": {was.Employees, now.Employees}, "country": {was.Country, now.Country}, "city": {was.City, now.City},
		"revenue": {was.Revenue, now.Revenue},
		"owner":   {fmt.Sprint(old.OwnerID), fmt.Sprint(acc.OwnerID)},
	} {
		if v[0] != v[1] {
			diff[k] = true
		}
	}
	return audit.Fields(diff)
}

// UpdateAccount replaces account id's fields.
func (s *Service) UpdateAccount(ctx context.Context, a access.Actor, id int64, in AccountInput) (Account, error) {
	var out Account
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		acc, err := lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		was := acc
		if err := s.apply(ctx, tx, a, &acc, in); err != nil {
			return err
		}
		acc.UpdatedAt = s.stamp()
		_, err = tx.Exec(ctx, `UPDATE accounts SET name = ?, name_key = ?, domain = ?, website = ?, industry = ?, employees = ?,
			country = ?, city = ?, owner_id = ?, updated_at = ?, name_sort = ?, industry_sort = ?, annual_revenue = ?, version = version + 1 WHERE id = ?`,
			acc.Name, NameKey(acc.Name), acc.Domain, acc.Website, acc.Industry, deref(acc.Employees), acc.Country, acc.City,
			nullable(acc.OwnerID), acc.UpdatedAt.UnixMilli(), sortkey.Of(acc.Name), sortkey.Of(acc.Industry), deref(acc.Revenue), id)
		if err != nil {
			return fmt.Errorf("crm: update account %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, a, "account.update", "account", id, map[string][]string{"fields": accountChanges(was, acc)}); err != nil {
			return err
		}
		acc.Version++
		out = acc
		return nil
	})
	return out, err
}

// AccountView is an account with everything that hangs off it.
type AccountView struct {
	Account
	Contacts      []Contact
	Opportunities []Opportunity
	// Linked are the unconverted leads linked to the account because
	// their company matched it, those a may see.
	Linked []accountmatch.LinkedLead
	// Committee is who of the contacts takes part in the decision.
	Committee Committee
}

// Account returns account id with the contacts and opportunities a may see.
func (s *Service) Account(ctx context.Context, a access.Actor, id int64) (AccountView, error) {
	acc, err := getAccount(ctx, s.db.R, id)
	if err != nil {
		return AccountView{}, err
	}
	v := AccountView{Account: acc}
	page, err := s.listContacts(ctx, a, ListOptions{Limit: 500}, "c.account_id = ?", id)
	if err != nil {
		return v, err
	}
	v.Contacts = page.Items
	opps, err := s.listOpportunities(ctx, a, ListOptions{Limit: 500}, "o.account_id = ?", id)
	if err != nil {
		return v, err
	}
	v.Opportunities = opps.Items
	v.Committee = CommitteeOf(v.Contacts, v.Opportunities)
	visibleTo := a.ID
	if a.SeesAllLeads() {
		visibleTo = 0
	}
	v.Linked, err = accountmatch.LeadsOf(ctx, s.db.R, id, visibleTo, 500)
	return v, err
}

var accountSorts = map[string]sortColumn{
	"name": {"a.name_sort", false}, "created_at": {"a.created_at", true}, "country": {"a.country", false},
	"industry": {"a.industry_sort", false}, "score": {"a.score", true},
	// Hot, warm, cold rank 3, 2, 1, and by score within a grade (a
	// score stays far below 10^9); the constants are too big for a 32-bit
	// integer, so PostgreSQL reckons in bigint, as SQLite always does.
	"grade": {"((CASE a.grade WHEN 'hot' THEN 3000000000 WHEN 'warm' THEN 2000000000 ELSE 1000000000 END) + a.score)", true},
	// Tier 1 first; accounts with no tier after tier 3.
	"tier": {"COALESCE(a.tier, 4)", true},
}

// Accounts lists the accounts matching o.
func (s *Service) Accounts(ctx context.Context, a access.Actor, o ListOptions) (Page[Account], error) {
	var f conds
	f.search(o.Q, "lower(a.name)", "a.domain")
	f.owner(a, o.Owner)
	if o.Segment != 0 {
		f.add("EXISTS (SELECT 1 FROM account_segment_members sm WHERE sm.segment_id = ? AND sm.account_id = a.id)", o.Segment)
	}
	if o.Grade != "" {
		if o.Grade != "hot" && o.Grade != "warm" && o.Grade != "cold" {
			return Page[Account]{}, &fault.Error{Code: fault.Invalid, Message: "bad grade", Fields: map[string]string{"grade": "must be hot, warm or cold"}}
		}
		f.add("a.grade = ?", o.Grade)
	}
	return list(ctx, s.db.R, o, orderOf(o.Sort, accountSorts, "name", "a.id"), accountColumns, fromAccounts, f, scanAccount)
}

// conds gathers a list's SQL conditions and their arguments.
type conds struct {
	sql  []string
	args []any
}

func (c *conds) add(cond string, args ...any) {
	c.sql = append(c.sql, cond)
	c.args = append(c.args, args...)
}

// search matches text anywhere in any of exprs, ignoring case.
func (c *conds) search(text string, exprs ...string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	like := "%" + strings.ToLower(text) + "%"
	ors := make([]string, len(exprs))
	args := make([]any, len(exprs))
	for i, e := range exprs {
		ors[i], args[i] = e+" LIKE ?", like
	}
	c.add("("+strings.Join(ors, " OR ")+")", args...)
}

// owner keeps the records of one owner ("me" or an email), if given; the
// query joins users as u.
func (c *conds) owner(a access.Actor, owner string) {
	if owner != "" {
		c.add("lower(u.email) = lower(?)", ownerEmail(a, owner))
	}
}

// visibleTo limits a sales user to its own records and the unassigned
// ones of the table aliased alias.
func (c *conds) visibleTo(a access.Actor, alias string) {
	if !a.SeesAllLeads() {
		c.add("("+alias+".owner_id = ? OR "+alias+".owner_id IS NULL)", a.ID)
	}
}

func (c *conds) where() string {
	if len(c.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.sql, " AND ")
}

func ownerEmail(a access.Actor, owner string) string {
	if owner == "me" {
		return a.Email
	}
	return owner
}

// sortColumn is the SQL of the value a list sorts by, the one definition
// of that sort: ORDER BY uses it, and the list selects it for the cursor.
// Free text sorts by its stored sort key (internal/sortkey).
type sortColumn struct {
	expr    string
	numeric bool
}

// orderOf turns a sort key ("-" in front for descending) into the list's
// order, with the id breaking ties so pages never overlap. An unknown key
// sorts by fallback, spelt the same way.
func orderOf(sort string, columns map[string]sortColumn, fallback, id string) sortkey.Order {
	if _, ok := columns[strings.TrimPrefix(sort, "-")]; !ok {
		sort = fallback
	}
	key := strings.TrimPrefix(sort, "-")
	return sortkey.Order{Sort: key, Expr: columns[key].expr, Numeric: columns[key].numeric, ID: id,
		Desc: strings.HasPrefix(sort, "-")}
}

// list reads the page of o at its cursor, and counts the whole list.
func list[T any](ctx context.Context, q sqldb.Querier, o ListOptions, ord sortkey.Order, columns, from string, f conds,
	scan func(interface{ Scan(...any) error }) (T, error)) (Page[T], error) {
	var c *sortkey.Cursor
	if o.Cursor != "" {
		var ok bool
		if c, ok = ord.Decode(o.Cursor); !ok {
			return Page[T]{}, &fault.Error{Code: fault.Invalid, Message: "bad cursor",
				Fields: map[string]string{"cursor": "is not a cursor this list returned"}}
		}
	}
	lp, err := sortkey.List(ord, c, o.limit(), func(c *sortkey.Cursor, n int) ([]T, []sortkey.Dest, error) {
		page := f
		page.sql, page.args = slices.Clone(f.sql), slices.Clone(f.args)
		if keyset, args := ord.Where(c); keyset != "" {
			page.add(keyset, args...)
		}
		rows, err := q.Query(ctx, `SELECT `+columns+`, `+ord.Expr+`, `+ord.ID+from+page.where()+ord.By(c)+` LIMIT ?`,
			append(page.args, n)...)
		if err != nil {
			return nil, nil, fmt.Errorf("crm: list: %w", err)
		}
		defer rows.Close()
		var items []T
		var pos []sortkey.Dest
		for rows.Next() {
			var d sortkey.Dest
			item, err := scan(withPosition{rows, d.Target(ord), &d.ID})
			if err != nil {
				return nil, nil, fmt.Errorf("crm: list: %w", err)
			}
			items, pos = append(items, item), append(pos, d)
		}
		return items, pos, rows.Err()
	})
	if err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Items: lp.Items, From: lp.From, Next: lp.Next, Prev: lp.Prev}
	if err := q.QueryRow(ctx, `SELECT COUNT(*)`+from+f.where(), f.args...).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("crm: count: %w", err)
	}
	return p, nil
}

// withPosition scans a row's sort value and id, selected after its columns.
type withPosition struct {
	s         interface{ Scan(...any) error }
	value, id any
}

func (w withPosition) Scan(dest ...any) error { return w.s.Scan(append(dest, w.value, w.id)...) }

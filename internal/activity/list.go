package activity

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
)

// Filter is a list's conditions as SQL and their arguments.
type Filter struct {
	sql  []string
	args []any
}

func (f *Filter) add(cond string, args ...any) {
	f.sql = append(f.sql, cond)
	f.args = append(f.args, args...)
}

func (f Filter) where() string {
	if len(f.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.sql, " AND ")
}

// visibleTo keeps a sales user to its own activities and unowned ones.
func (f *Filter) visibleTo(a access.Actor) {
	if !a.SeesAllLeads() {
		f.add("(a.owner_id = ? OR a.owner_id IS NULL)", a.ID)
	}
}

// ownedBy keeps the activities of the users ids (none when ids is empty).
func (f *Filter) ownedBy(ids []int64) {
	if len(ids) == 0 {
		f.add("1 = 0")
		return
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	f.add("a.owner_id IN ("+marks+")", args...)
}

// ListOptions narrow and page a list of activities. Every field is text
// as a query string carries it; bad values are refused naming the field.
type ListOptions struct {
	Owner    string // "me" or an email
	Kind     string
	Status   string
	LinkType string // with LinkID: the activities on one record
	LinkID   string
	From, To string // due in [From, To): RFC 3339 or a date (midnight UTC)
	Overdue  bool   // planned and past due
	Q        string // in the subject
	Sort     string // "due_at" (default), "-due_at", "updated_at", "-updated_at"
	Limit    int
	Cursor   string
}

// Page is one page of activities.
type Page struct {
	Items []Activity
	Total int
	Next  string // the cursor of the next page; "" at the end
	Prev  string
}

var sorts = map[string]string{"due_at": "a.due_at", "updated_at": "a.updated_at"}

// List returns the page of activities a may see that match o, sorted by
// due time (or last change) and id, paged by a keyset cursor.
func (s *Service) List(ctx context.Context, a access.Actor, o ListOptions) (Page, error) {
	f, err := s.filter(ctx, a, o)
	if err != nil {
		return Page{}, err
	}
	name, desc := strings.CutPrefix(o.Sort, "-")
	if name == "" {
		name = "due_at"
	}
	expr, ok := sorts[name]
	if !ok {
		return Page{}, &fault.Error{Code: fault.Invalid, Message: "unknown sort",
			Fields: map[string]string{"sort": "must be due_at or updated_at, with - in front for descending"}}
	}
	ord := sortkey.Order{Sort: name, Expr: expr, Numeric: true, ID: "a.id", Desc: desc}
	var c *sortkey.Cursor
	if o.Cursor != "" {
		if c, ok = ord.Decode(o.Cursor); !ok {
			return Page{}, &fault.Error{Code: fault.Invalid, Message: "bad cursor",
				Fields: map[string]string{"cursor": "is not a cursor this list returned"}}
		}
	}
	limit := o.Limit
	if limit < 1 || limit > 500 {
		limit = 50
	}
	lp, err := sortkey.List(ord, c, limit, func(c *sortkey.Cursor, n int) ([]Activity, []sortkey.Dest, error) {
		page := f
		page.sql, page.args = slices.Clone(f.sql), slices.Clone(f.args)
		if keyset, args := ord.Where(c); keyset != "" {
			page.add(keyset, args...)
		}
		rows, err := s.db.R.Query(ctx, `SELECT `+columns+`, `+ord.Expr+`, `+ord.ID+from+page.where()+ord.By(c)+` LIMIT ?`,
			append(page.args, n)...)
		if err != nil {
			return nil, nil, fmt.Errorf("activity: list: %w", err)
		}
		defer rows.Close()
		var items []Activity
		var pos []sortkey.Dest
		for rows.Next() {
			var d sortkey.Dest
			act, err := scan(withPosition{rows, d.Target(ord), &d.ID})
			if err != nil {
				return nil, nil, fmt.Errorf("activity: list: %w", err)
			}
			items, pos = append(items, act), append(pos, d)
		}
		return items, pos, rows.Err()
	})
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: lp.Items, Next: lp.Next, Prev: lp.Prev}
	if err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM activities a LEFT JOIN users u ON u.id = a.owner_id`+f.where(), f.args...).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("activity: count: %w", err)
	}
	return p, nil
}

// withPosition scans a row's sort value and id, selected after its columns.
type withPosition struct {
	s         scanner
	value, id any
}

func (w withPosition) Scan(dest ...any) error { return w.s.Scan(append(dest, w.value, w.id)...) }

// filter turns o into conditions, naming each bad value.
func (s *Service) filter(ctx context.Context, a access.Actor, o ListOptions) (Filter, error) {
	var f Filter
	bad := fault.Fields{}
	f.visibleTo(a)
	switch owner := strings.TrimSpace(o.Owner); {
	case owner == "":
	case strings.EqualFold(owner, "me"):
		f.add("a.owner_id = ?", a.ID)
	default:
		f.add("lower(u.email) = lower(?)", owner)
	}
	if o.Kind != "" {
		if !Kind(o.Kind).valid() {
			bad.Add("kind", "must be one of task, call, meeting, email, note")
		}
		f.add("a.kind = ?", o.Kind)
	}
	if o.Status != "" {
		if !Status(o.Status).valid() {
			bad.Add("status", "must be one of planned, done, cancelled")
		}
		f.add("a.status = ?", o.Status)
	}
	if o.LinkType != "" || o.LinkID != "" {
		col := linkColumn(o.LinkType)
		id, err := strconv.ParseInt(o.LinkID, 10, 64)
		switch {
		case col == "":
			bad.Add("link_type", "must be one of "+strings.Join(LinkTypes, ", "))
		case err != nil || id <= 0:
			bad.Add("link_id", "must be the id of a "+o.LinkType)
		default:
			f.add("a."+col+" = ?", id)
		}
	}
	for name, v := range map[string]string{"from": o.From, "to": o.To} {
		if v == "" {
			continue
		}
		t, err := parseBound(v)
		if err != nil {
			bad.Add(name, "must be a date (YYYY-MM-DD) or RFC 3339 time")
			continue
		}
		if name == "from" {
			f.add("a.due_at >= ?", t.UnixMilli())
		} else {
			f.add("a.due_at < ?", t.UnixMilli())
		}
	}
	if o.Overdue {
		f.add("a.status = ? AND a.due_at < ?", string(Planned), s.now().UnixMilli())
	}
	if q := strings.TrimSpace(o.Q); q != "" {
		if len(q) > 200 {
			bad.Add("q", "must be at most 200 characters")
		}
		f.add("lower(a.subject) LIKE ?", "%"+strings.ToLower(q)+"%")
	}
	return f, bad.Err()
}

func parseBound(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

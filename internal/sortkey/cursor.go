package sortkey

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Order is how a list sorts: the SQL of the value it sorts by, and the
// row's id, which breaks ties so every row has one place. The list query
// selects Expr too, last, so a cursor holds the value exactly as the
// database compares it: nothing is computed twice.
type Order struct {
	Sort    string // the sort's name, as the sort parameter spells it without "-"
	Expr    string // SQL of the value; never NULL
	Numeric bool   // whether the value is an integer rather than text
	ID      string // SQL of the row id
	Desc    bool
}

// Cursor is a keyset position: the sort value and id of a row, and the
// side of it the page lies on. Its text (Encode) is opaque to clients.
type Cursor struct {
	Sort   string `json:"s"`
	Value  any    `json:"v"`
	ID     int64  `json:"id"`
	Before bool   `json:"b,omitempty"` // the page ends before the row instead of starting after it
	// At is how many rows came before the page when the cursor was made.
	// It is only shown ("51–100 of 900"); rows added or removed since
	// make it approximate, never make a page skip a row.
	At int `json:"at,omitempty"`
}

// Encode is the cursor's opaque text.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // strings and numbers always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor made for order o's sort, reporting whether s is
// one.
func (o Order) Decode(s string) (*Cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var c Cursor
	if err := dec.Decode(&c); err != nil || c.ID <= 0 || c.Sort != o.Sort || c.At < 0 {
		return nil, false
	}
	switch v := c.Value.(type) {
	case json.Number:
		n, err := v.Int64()
		if err != nil || !o.Numeric {
			return nil, false
		}
		c.Value = n
	case string:
		if o.Numeric {
			return nil, false
		}
	default:
		return nil, false
	}
	return &c, true
}

// backwards reports whether the query reads against the order: to find a
// page that ends before c.
func backwards(c *Cursor) bool { return c != nil && c.Before }

// Where is the condition keeping the rows beyond c in the direction the
// query reads, with its arguments; "" without a cursor. It compares row
// values, which both databases answer by seeking in an index on (value,
// id) instead of reading it from its start.
func (o Order) Where(c *Cursor) (string, []any) {
	if c == nil {
		return "", nil
	}
	cmp := ">"
	if o.Desc != backwards(c) {
		cmp = "<"
	}
	return fmt.Sprintf("(%s, %s) %s (?, ?)", o.Expr, o.ID, cmp), []any{c.Value, c.ID}
}

// Through is the condition that keeps the rows read from c up to and
// including last, a row further on in the same direction: it bounds how
// far a query walks the order's index.
func (o Order) Through(c *Cursor, last Dest) (string, []any) {
	cmp := "<="
	if o.Desc != backwards(c) {
		cmp = ">="
	}
	return fmt.Sprintf("(%s, %s) %s (?, ?)", o.Expr, o.ID, cmp), []any{last.value(o), last.ID}
}

// By is the ORDER BY clause, reversed when the query reads backwards.
func (o Order) By(c *Cursor) string {
	dir := " ASC"
	if o.Desc != backwards(c) {
		dir = " DESC"
	}
	return " ORDER BY " + o.Expr + dir + ", " + o.ID + dir
}

// Dest is where a row's sort value and id are scanned.
type Dest struct {
	Text string
	Num  int64
	ID   int64
}

// Value is the scanned sort value, for order o.
func (d *Dest) value(o Order) any {
	if o.Numeric {
		return d.Num
	}
	return d.Text
}

// Target is the scan destination of the sort value, selected last.
func (d *Dest) Target(o Order) any {
	if o.Numeric {
		return &d.Num
	}
	return &d.Text
}

// Page is one page of a list, with the cursors of its neighbours.
type Page[T any] struct {
	Items      []T
	From       int    // rows before the page (approximate after a cursor)
	Next, Prev string // "" where there is none
}

// Fetch reads up to n rows from the cursor's position in the direction
// the query reads (Where and By), with each row's position.
type Fetch[T any] func(c *Cursor, n int) ([]T, []Dest, error)

// List reads the page of limit rows at cursor c (nil: the first page).
// A page before c that turns out to be the first is read as the first
// page, so it is full.
func List[T any](o Order, c *Cursor, limit int, fetch Fetch[T]) (Page[T], error) {
	return ListAt(o, c, 0, limit, fetch)
}

// ListAt is List for a first page that starts at row at rather than at
// the top (a numbered page: fetch skips at rows when c is nil); the
// cursors it returns go on from there as List's do.
func ListAt[T any](o Order, c *Cursor, at, limit int, fetch Fetch[T]) (Page[T], error) {
	if c != nil {
		at = 0
	}
	items, pos, err := fetch(c, limit+1) // one more tells whether there is a further page
	if err != nil {
		return Page[T]{}, err
	}
	more := len(items) > limit
	if backwards(c) && !more {
		return ListAt(o, nil, 0, limit, fetch)
	}
	if more {
		items, pos = items[:limit], pos[:limit]
	}
	p := Page[T]{Items: items}
	hasPrev, hasNext := c != nil || at > 0, more
	if backwards(c) {
		slices.Reverse(items)
		slices.Reverse(pos)
		hasPrev, hasNext = more, true
		p.From = max(0, c.At-len(items))
	} else if c != nil {
		p.From = c.At
	} else {
		p.From = at
	}
	if len(items) == 0 {
		return p, nil
	}
	if hasNext {
		last := pos[len(pos)-1]
		p.Next = Cursor{Sort: o.Sort, Value: last.value(o), ID: last.ID, At: p.From + len(items)}.Encode()
	}
	if hasPrev {
		first := pos[0]
		p.Prev = Cursor{Sort: o.Sort, Value: first.value(o), ID: first.ID, Before: true, At: p.From}.Encode()
	}
	return p, nil
}

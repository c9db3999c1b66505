package lead

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/sortkey"
	"leadflow/internal/textcheck"
)

// Filter selects, orders and pages leads. The UI and the API read it from
// the same query parameters.
type Filter struct {
	Stages    []Stage
	Grades    []Grade
	Owner     string // "" any, "none" unassigned, "me", or an owner's email
	Sources   []string
	Countries []string // ISO codes
	MinScore  *int
	// MinProbability keeps leads the learned model gives at least this
	// many percent.
	MinProbability *int
	Q              string // free text over name, email and company
	CreatedFrom    time.Time
	CreatedTo      time.Time // exclusive
	Sort           string    // a key of sortColumns
	Desc           bool
	Limit          int
	Cursor         *sortkey.Cursor // keyset position; nil for the first page
	Contact        string          // "", ContactAwaiting or ContactOverdue
	// Page is a numbered page (from 1) to start at, without a cursor:
	// the rows before it are skipped, so it is bounded by MaxPage.
	Page      int
	Converted *bool

	// now is the moment "overdue" is judged at; set by the service.
	now time.Time
	// choosePlan makes each page choose between walking the sort's index
	// and the few-valued filters' own indexes (SQLite only; see walk.go);
	// set by the service.
	choosePlan bool
	// walkSortIndex makes the few-valued filters read rows in the sort
	// index's order (see where); set by the page's choice.
	walkSortIndex bool

	// words searches Q through the word index; set by the service once
	// every lead is in it.
	words bool
	// hashWord is the word of Q that PostgreSQL tests as a set of its
	// leads' ids, built once, while it walks the sort's order (see
	// hashedWord); set by the service.
	hashWord string

	// visibleTo restricts the list to one sales user's leads and the
	// unassigned ones; set by the service from the actor, never by input.
	visibleTo int64
}

// The first-contact states a list can be narrowed to.
const (
	ContactAwaiting = "awaiting" // owned, not yet contacted
	ContactOverdue  = "overdue"  // and past the deadline
)

// MaxPage bounds a numbered page: skipping rows costs reading them, so
// a deep page is reached with the cursors (Next) or a narrower filter.
const MaxPage = 200

// Limits on page size.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// MaxFilterValues bounds the values of one list filter (stage, grade,
// source, country): each is an SQL parameter, and a list of thousands
// is no one's filter but would reach the database's limit on them.
const MaxFilterValues = 100

// sortColumns maps a sort key to the SQL of the value it sorts by, which
// is the one definition of that sort: the ORDER BY uses it, and the list
// selects it for the cursor, so paging is exact whatever the expression.
// Names and companies sort by their stored sort key (internal/sortkey),
// in a natural order the same on both databases. Keys widen every row,
// so the rarer text sorts (job title, city, industry) use lower(), whose
// order of non-ASCII text differs between SQLite and PostgreSQL; emails,
// codes and owners are ASCII in practice.
var sortColumns = map[string]struct {
	expr    string
	numeric bool
	indexed bool // an index serves ORDER BY expr, id
}{
	"created_at": {"l.created_at", true, true},
	"updated_at": {"l.updated_at", true, false},
	"score":      {"l.score", true, true},
	// Leads no model has scored sort below every probability.
	"probability": {"COALESCE(p.bp, -1)", true, false},
	"employees":   {"COALESCE(l.employees, -1)", true, false},
	// The email index leaves out leads without one (migration 0081).
	"email":      {"lower(l.email)", false, false},
	"first_name": {"l.first_name_sort", false, false},
	"last_name":  {"l.last_name_sort", false, true},
	"company":    {"l.company_sort", false, true},
	"job_title":  {"lower(l.job_title)", false, false},
	"country":    {"l.country", false, false},
	"city":       {"lower(l.city)", false, false},
	"industry":   {"lower(l.industry)", false, false},
	"source":     {"l.source", false, false},
	"stage":      {"l.stage", false, false},
	"grade":      {"l.grade", false, false},
	"owner":      {"COALESCE(lower(u.email), '')", false, false},
	// Leads without a deadline sort after every deadline.
	"contact_due_at": {"COALESCE(l.contact_due_at, 9007199254740991)", true, false},
}

// order is f's sort as keyset paging uses it.
func (f Filter) order() sortkey.Order {
	c := sortColumns[f.Sort]
	return sortkey.Order{Sort: f.Sort, Expr: c.expr, Numeric: c.numeric, ID: "l.id", Desc: f.Desc}
}

// fewValued reports whether f filters on a column with few values shared
// by many leads (stage, grade, source, country).
func (f Filter) fewValued() bool {
	return len(f.Stages) > 0 || len(f.Grades) > 0 || len(f.Sources) > 0 || len(f.Countries) > 0
}

// onlyFewValued reports whether f's only conditions are few-valued ones
// (and a sales user's scope), which a walk of the sort's index tests on
// each lead it reads: with any other, SQLite may read another index,
// which the walk's bound does not bound.
func (f Filter) onlyFewValued() bool {
	return f.fewValued() && f.Owner == "" && f.MinScore == nil && f.MinProbability == nil &&
		f.Q == "" && f.Contact == "" && f.Converted == nil && f.CreatedFrom.IsZero() && f.CreatedTo.IsZero()
}

// walksGradeIndex reports whether a walk of f's order reads an index
// that begins with the grade: one grade, sorted by score or by date.
func (f Filter) walksGradeIndex() bool {
	return len(f.Grades) == 1 && (f.Sort == "score" || f.Sort == "created_at")
}

// ParseFilter reads a filter from query parameters: stage, grade, source,
// country (each repeatable or comma-separated), owner, min_score,
// min_probability (a percentage), q,
// created_from, created_to (YYYY-MM-DD, inclusive), contact (awaiting,
// overdue), converted (true, false), sort (a column,
// "-" in front for descending), limit, cursor (from a page's links).
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{Sort: "created_at", Desc: true, Limit: DefaultLimit}
	bad := fault.Fields{}
	textcheck.Values(v, bad)
	if len(bad) > 0 {
		return f, bad.Err() // the database would refuse to compare with such bytes
	}
	bounded := func(key string) []string {
		values := list(v, key)
		if len(values) > MaxFilterValues {
			bad.Add(key, fmt.Sprintf("takes at most %d values, not %d", MaxFilterValues, len(values)))
			return nil
		}
		return values
	}
	for _, s := range bounded("stage") {
		if st := Stage(strings.ToLower(s)); st.Valid() {
			f.Stages = append(f.Stages, st)
		} else {
			bad.Add("stage", "unknown stage "+strconv.Quote(s))
		}
	}
	for _, s := range bounded("grade") {
		if g := Grade(strings.ToLower(s)); g.Valid() {
			f.Grades = append(f.Grades, g)
		} else {
			bad.Add("grade", "unknown grade "+strconv.Quote(s)+"; use hot, warm or cold")
		}
	}
	f.Owner = strings.TrimSpace(v.Get("owner"))
	for _, s := range bounded("source") {
		f.Sources = append(f.Sources, strings.ToLower(s))
	}
	for _, c := range bounded("country") {
		code, ok := country.Normalize(c)
		if !ok {
			bad.Add("country", "unknown country "+strconv.Quote(c))
		}
		f.Countries = append(f.Countries, code)
	}
	if s := strings.TrimSpace(v.Get("min_score")); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			f.MinScore = &n
		} else {
			bad.Add("min_score", "must be a whole number")
		}
	}
	if s := strings.TrimSpace(v.Get("min_probability")); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 100 {
			f.MinProbability = &n
		} else {
			bad.Add("min_probability", "must be a whole percentage from 0 to 100")
		}
	}
	f.Q = strings.TrimSpace(v.Get("q"))
	switch c := strings.ToLower(strings.TrimSpace(v.Get("contact"))); c {
	case "", ContactAwaiting, ContactOverdue:
		f.Contact = c
	default:
		bad.Add("contact", "must be awaiting or overdue")
	}
	if s := strings.TrimSpace(v.Get("converted")); s != "" {
		b, ok := parseBool(s)
		if !ok {
			bad.Add("converted", "must be true or false")
		}
		f.Converted = &b
	}
	f.CreatedFrom = parseDate(v, "created_from", 0, bad)
	f.CreatedTo = parseDate(v, "created_to", 1, bad)
	parseOrder(&f, v, bad)
	return f, bad.Err()
}

func parseOrder(f *Filter, v url.Values, bad fault.Fields) {
	if s := strings.TrimSpace(v.Get("sort")); s != "" {
		key := strings.TrimPrefix(s, "-")
		if _, ok := sortColumns[key]; ok {
			f.Sort, f.Desc = key, strings.HasPrefix(s, "-")
		} else {
			bad.Add("sort", "cannot sort by "+strconv.Quote(key))
		}
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			bad.Add("limit", "must be a whole number from 1 to "+strconv.Itoa(MaxLimit))
		} else {
			f.Limit = n
		}
	}
	if s := strings.TrimSpace(v.Get("page")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPage {
			bad.Add("page", "must be a whole number from 1 to "+strconv.Itoa(MaxPage))
		} else if n > 1 {
			f.Page = n
		}
	}
	if s := strings.TrimSpace(v.Get("cursor")); s != "" {
		c, ok := f.order().Decode(s)
		if !ok {
			bad.Add("cursor", "is not a cursor this list returned")
		}
		f.Cursor = c
	}
}

// list reads a repeatable, comma-separable parameter.
func list(v url.Values, key string) []string {
	var out []string
	for _, raw := range v[key] {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// parseDate reads a YYYY-MM-DD day; addDays 1 turns an inclusive end day
// into the exclusive start of the next one.
func parseDate(v url.Values, key string, addDays int, bad fault.Fields) time.Time {
	s := strings.TrimSpace(v.Get(key))
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		bad.Add(key, "must be a date as YYYY-MM-DD")
		return time.Time{}
	}
	return t.AddDate(0, 0, addDays)
}

// Query writes f back as query parameters, without paging, so a page can
// link to the same list sorted or paged differently.
func (f Filter) Query() url.Values {
	v := url.Values{}
	for _, s := range f.Stages {
		v.Add("stage", string(s))
	}
	for _, g := range f.Grades {
		v.Add("grade", string(g))
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("owner", f.Owner)
	for _, s := range f.Sources {
		v.Add("source", s)
	}
	for _, c := range f.Countries {
		v.Add("country", c)
	}
	if f.MinScore != nil {
		v.Set("min_score", strconv.Itoa(*f.MinScore))
	}
	if f.MinProbability != nil {
		v.Set("min_probability", strconv.Itoa(*f.MinProbability))
	}
	set("q", f.Q)
	set("contact", f.Contact)
	if f.Converted != nil {
		v.Set("converted", strconv.FormatBool(*f.Converted))
	}
	if !f.CreatedFrom.IsZero() {
		v.Set("created_from", f.CreatedFrom.Format(time.DateOnly))
	}
	if !f.CreatedTo.IsZero() {
		v.Set("created_to", f.CreatedTo.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if f.Sort != "created_at" || !f.Desc {
		v.Set("sort", f.SortParam())
	}
	return v
}

// SortParam is the sort as the sort parameter spells it.
func (f Filter) SortParam() string {
	if f.Desc {
		return "-" + f.Sort
	}
	return f.Sort
}

// Package predict learns from a team's own closed leads how likely an
// open lead is to convert: a regularised logistic regression over the
// lead's fields, its source and campaign, and what it did. It is pure
// (examples in, model out), so it is tested without a database; store.go
// reads the examples and keeps the models and the leads' probabilities.
package predict

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/scoring"
)

// Example is one lead as the model sees it.
type Example struct {
	ID        int64
	Facts     scoring.Facts // the lead's fields by name, custom answers as custom.NAME
	Events    []scoring.Event
	CreatedAt time.Time
	Converted bool // the label; unused when predicting
}

// Fields the model reads besides custom answers and events. Names,
// emails, phones and addresses say who a lead is, not whether it buys.
var Fields = []string{"job_title", "employees", "industry", "country", "city", "existing_customer", "consent",
	"source", "utm_source", "utm_medium", "utm_campaign", "free_email"}

// placeholders are answers that say nothing: a form's untouched select,
// "Other", "unknown".
var placeholders = map[string]bool{"": true, "select": true, "selectone": true, "pleaseselect": true, "choose": true,
	"other": true, "unknown": true, "na": true, "none": true, "null": true, "notspecified": true}

// Missing reports whether an answer is blank or a placeholder.
func Missing(v string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(v) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return placeholders[b.String()]
}

// Column kinds.
const (
	Category = "category"
	Number   = "number"
	Count    = "count"   // events of one type, as log(1+n)
	Recency  = "recency" // days since the latest event
)

// Column is one input of the model and how it becomes slots of the
// vector: a category one slot per kept level plus one for the rare levels
// pooled and one for missing; a number its standardised value plus a
// missing indicator.
type Column struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Levels []string `json:"levels,omitempty"`
	Mean   float64  `json:"mean,omitempty"`
	Std    float64  `json:"std,omitempty"`
	// Cuts split a number into bins by its deciles, so the model can
	// follow a curve (young and old clients both buy more) and a
	// sentinel (999 days for "never") instead of one straight line.
	Cuts []float64 `json:"cuts,omitempty"`

	index map[string]int
}

// Spec is the whole encoding; Slot counts follow Columns in order.
type Spec struct {
	Columns []Column `json:"columns"`
}

// rareShare: a level seen in fewer than this share of the examples (and
// fewer than minLevel of them) is pooled with the other rare ones.
const (
	minLevel  = 20
	rareShare = 0.01
	maxLevels = 40
)

// value reads a field, with the derived free_email from scoring.
func value(f scoring.Facts, name string) string {
	if name == "free_email" {
		if scoring.Matches(scoring.Explicit{Field: "free_email", Op: scoring.Equals, Values: []string{"true"}}, f) {
			return "true"
		}
		return "false"
	}
	v := strings.TrimSpace(f[name])
	if name == "job_title" {
		v = strings.ToLower(v)
	}
	return v
}

// Learn builds the encoding from training examples: which custom
// answers are numbers, which levels are common enough to keep, the
// scale of each number, which event types occur.
func Learn(xs []Example, now time.Time) Spec {
	names := append([]string{}, Fields...)
	custom := map[string]bool{}
	events := map[string]bool{}
	for _, x := range xs {
		for k := range x.Facts {
			if strings.HasPrefix(k, "custom.") {
				custom[k] = true
			}
		}
		for _, e := range x.Events {
			events[e.Type] = true
		}
	}
	names = append(names, sorted(custom)...)
	var spec Spec
	for _, name := range names {
		if c, ok := learnColumn(xs, name); ok {
			spec.Columns = append(spec.Columns, c)
		}
	}
	for _, t := range sorted(events) {
		if c, ok := learnNumber(xs, "events."+t, Count, func(x Example) (float64, bool) { return eventCount(x, t), true }); ok {
			spec.Columns = append(spec.Columns, c)
		}
	}
	if len(events) > 0 {
		if c, ok := learnNumber(xs, "events.days_since_last", Recency, func(x Example) (float64, bool) { return recency(x, now) }); ok {
			spec.Columns = append(spec.Columns, c)
		}
	}
	spec.index()
	return spec
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// learnColumn treats a field as a number when nearly every answer given
// is one (employees, an age), else as a category.
func learnColumn(xs []Example, name string) (Column, bool) {
	given, numeric := 0, 0
	for _, x := range xs {
		v := value(x.Facts, name)
		if Missing(v) {
			continue
		}
		given++
		if _, ok := parseNumber(v); ok {
			numeric++
		}
	}
	if given == 0 {
		return Column{}, false
	}
	if name != "existing_customer" && name != "consent" && numeric*100 >= given*95 {
		return learnNumber(xs, name, Number, func(x Example) (float64, bool) { return parseNumber(value(x.Facts, name)) })
	}
	counts := map[string]int{}
	for _, x := range xs {
		if v := value(x.Facts, name); !Missing(v) {
			counts[v]++
		}
	}
	floor := max(minLevel, int(rareShare*float64(len(xs))))
	c := Column{Name: name, Kind: Category}
	for v, n := range counts {
		if n >= floor {
			c.Levels = append(c.Levels, v)
		}
	}
	sort.Slice(c.Levels, func(i, j int) bool {
		if counts[c.Levels[i]] != counts[c.Levels[j]] {
			return counts[c.Levels[i]] > counts[c.Levels[j]]
		}
		return c.Levels[i] < c.Levels[j]
	})
	if len(c.Levels) > maxLevels {
		c.Levels = c.Levels[:maxLevels]
	}
	// A field with one kept level and nothing else carries no signal.
	return c, len(c.Levels) > 1 || len(c.Levels) == 1 && given < len(xs)
}

func parseNumber(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func learnNumber(xs []Example, name, kind string, read func(Example) (float64, bool)) (Column, bool) {
	var n, sum, sq float64
	var seen []float64
	for _, x := range xs {
		if v, ok := read(x); ok {
			n++
			sum += v
			sq += v * v
			seen = append(seen, v)
		}
	}
	if n == 0 {
		return Column{}, false
	}
	mean := sum / n
	std := math.Sqrt(math.Max(sq/n-mean*mean, 0))
	if std == 0 && n == float64(len(xs)) {
		return Column{}, false // the same for everyone
	}
	if std == 0 {
		std = 1
	}
	return Column{Name: name, Kind: kind, Mean: mean, Std: std, Cuts: deciles(seen)}, true
}

// deciles returns the distinct inner decile edges of vs.
func deciles(vs []float64) []float64 {
	sort.Float64s(vs)
	var cuts []float64
	for q := 1; q < 10; q++ {
		c := vs[q*len(vs)/10]
		if c > vs[0] && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// bin is the bin of f among the cuts.
func (c Column) bin(f float64) int {
	return sort.Search(len(c.Cuts), func(i int) bool { return c.Cuts[i] > f })
}

func eventCount(x Example, typ string) float64 {
	n := 0
	for _, e := range x.Events {
		if e.Type == typ {
			n++
		}
	}
	return math.Log1p(float64(n))
}

// recency is the days since the lead's latest event, when it has any.
func recency(x Example, now time.Time) (float64, bool) {
	var last time.Time
	for _, e := range x.Events {
		if e.At.After(last) {
			last = e.At
		}
	}
	if last.IsZero() {
		return 0, false
	}
	return math.Max(now.Sub(last).Hours()/24, 0), true
}

func (s *Spec) index() {
	for i := range s.Columns {
		c := &s.Columns[i]
		c.index = make(map[string]int, len(c.Levels))
		for j, l := range c.Levels {
			c.index[l] = j
		}
	}
}

// width is how many slots a column takes.
func (c Column) width() int {
	if c.Kind == Category {
		return len(c.Levels) + 2 // levels, rare, missing
	}
	return 2 + len(c.Cuts) + 1 // value, missing, bins
}

// Width is the length of the vector.
func (s Spec) Width() int {
	n := 0
	for _, c := range s.Columns {
		n += c.width()
	}
	return n
}

// Sparse is a vector by its non-zero slots.
type Sparse struct {
	Index []int32
	Value []float64
}

// Encode turns an example into its vector at now (recency is measured
// from now).
func (s Spec) Encode(x Example, now time.Time) Sparse {
	var v Sparse
	at := 0
	put := func(i int, f float64) {
		v.Index = append(v.Index, int32(at+i))
		v.Value = append(v.Value, f)
	}
	for _, c := range s.Columns {
		switch c.Kind {
		case Category:
			raw := value(x.Facts, c.Name)
			switch j, ok := c.index[raw]; {
			case Missing(raw):
				put(len(c.Levels)+1, 1)
			case ok:
				put(j, 1)
			default:
				put(len(c.Levels), 1)
			}
		default:
			f, ok := c.read(x, now)
			if ok {
				put(0, clamp((f-c.Mean)/c.Std))
				put(2+c.bin(f), 1)
			} else {
				put(1, 1)
			}
		}
		at += c.width()
	}
	return v
}

// clamp keeps an outlier (a company of a million employees typed by
// mistake) from swinging a prediction on its own.
func clamp(z float64) float64 { return math.Max(-6, math.Min(6, z)) }

func (c Column) read(x Example, now time.Time) (float64, bool) {
	switch c.Kind {
	case Count:
		return eventCount(x, strings.TrimPrefix(c.Name, "events.")), true
	case Recency:
		return recency(x, now)
	}
	return parseNumber(value(x.Facts, c.Name))
}

// slotLabel names slot i of column c as a user reads it. A number's
// slots are its value (0), its missing indicator (1) and its bins.
func (c Column) slotLabel(i int, x Example, now time.Time) string {
	name := strings.TrimPrefix(c.Name, "custom.")
	event := strings.TrimPrefix(c.Name, "events.")
	switch {
	case c.Kind == Category && i < len(c.Levels):
		return name + " is " + c.Levels[i]
	case c.Kind == Category && i == len(c.Levels):
		return name + " is " + value(x.Facts, c.Name) + " (rare)"
	case c.Kind == Category:
		return name + " not given"
	case i == 1 && c.Kind == Recency:
		return "no activity"
	case i == 1:
		return name + " not given"
	case c.Kind == Count:
		return event + " events: " + strconv.Itoa(int(math.Round(math.Expm1(eventCount(x, event)))))
	case c.Kind == Recency:
		f, _ := recency(x, now)
		return "last activity " + strconv.Itoa(int(f)) + " days ago"
	}
	return name + " is " + value(x.Facts, c.Name)
}

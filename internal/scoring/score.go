package scoring

import (
	"math"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/mailaddr"
)

// Facts are a lead's fields in their text form, as lead.Values gives them.
type Facts map[string]string

// Event is one behaviour to score.
type Event struct {
	ID   int64
	Type string
	URL  string
	At   time.Time
}

// Contribution is what one event gave a rule, after decay.
type Contribution struct {
	EventID int64
	At      time.Time
	Points  float64
}

// Fired is a rule that gave points, and how many.
type Fired struct {
	Kind   string // explicit or behaviour
	Index  int    // position of the rule in its list
	Label  string
	Points float64 // after decay and cap
	Capped bool
	Events []Contribution // behaviour rules: the events behind the points
}

// Result is a score and why.
type Result struct {
	Score     int
	Explicit  int
	Behaviour float64
	Grade     string
	Fired     []Fired
}

// The grades.
const (
	Hot  = "hot"
	Warm = "warm"
	Cold = "cold"
)

// Grade derives the grade of a score.
func (r Rules) Grade(score int) string {
	switch {
	case score >= r.Hot:
		return Hot
	case score >= r.Warm:
		return Warm
	}
	return Cold
}

// Score computes a lead's score at now from all its events: the fold of
// the events into sums (see Keyset) that the incremental path keeps too,
// with each behavioural rule's events and their decayed points, the
// ledger behind "why this score".
func Score(f Facts, events []Event, r Rules, now time.Time) Result {
	k := r.Keyset()
	nowMs := now.UnixMilli()
	res := ScoreSums(f, k.Fold(events, nowMs), k, r, nowMs)
	for j := range res.Fired {
		fired := &res.Fired[j]
		if fired.Kind != "behaviour" {
			continue
		}
		b := r.Behaviour[fired.Index]
		key := k.Keys[k.Of[fired.Index]]
		for _, e := range events {
			if at := e.At.UnixMilli(); key.Matches(e) && key.inWindow(at, nowMs) {
				fired.Events = append(fired.Events, Contribution{EventID: e.ID, At: e.At, Points: float64(b.Points) * k.decay(nowMs-at)})
			}
		}
	}
	return res
}

// explicit scores f by r's explicit rules.
func explicit(f Facts, r Rules) (int, []Fired) {
	var points int
	var fired []Fired
	for i, e := range r.Explicit {
		if Matches(e, f) {
			points += e.Points
			fired = append(fired, Fired{Kind: "explicit", Index: i, Label: labelOf(e.Label, e.Field+" "+string(e.Op)), Points: float64(e.Points)})
		}
	}
	return points, fired
}

func labelOf(label, fallback string) string {
	if label != "" {
		return label
	}
	return fallback
}

// Decay is the share of its points an event of age keeps.
func Decay(age time.Duration, halfLifeDays float64) float64 {
	if halfLifeDays <= 0 || age <= 0 {
		return 1
	}
	return math.Exp2(-age.Hours() / 24 / halfLifeDays)
}

// boolFields hold "true" or "false"; false counts as empty.
var boolFields = map[string]bool{"existing_customer": true, "consent": true, "free_email": true}

// Matches reports whether a lead's facts satisfy an explicit rule. Text
// compares without regard to case.
func Matches(e Explicit, f Facts) bool {
	v := strings.TrimSpace(value(e.Field, f))
	if boolFields[e.Field] && v == "false" {
		v = ""
	}
	lv := strings.ToLower(v)
	switch e.Op {
	case IsEmpty:
		return v == ""
	case IsSet:
		return v != ""
	case Equals, In:
		return anyOf(e.Values, func(x string) bool { return strings.EqualFold(v, x) })
	case NotEquals:
		return !anyOf(e.Values, func(x string) bool { return strings.EqualFold(v, x) })
	case Contains:
		return v != "" && anyOf(e.Values, func(x string) bool { return strings.Contains(lv, strings.ToLower(x)) })
	case StartsWith:
		return v != "" && anyOf(e.Values, func(x string) bool { return strings.HasPrefix(lv, strings.ToLower(x)) })
	case AtLeast, AtMost, Between:
		return compare(e, v)
	}
	return false
}

func compare(e Explicit, v string) bool {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || len(e.Values) == 0 {
		return false
	}
	lo, _ := strconv.ParseFloat(e.Values[0], 64)
	switch e.Op {
	case AtLeast:
		return n >= lo
	case AtMost:
		return n <= lo
	}
	if len(e.Values) < 2 {
		return false
	}
	hi, _ := strconv.ParseFloat(e.Values[1], 64)
	return n >= lo && n <= hi
}

func anyOf(xs []string, ok func(string) bool) bool {
	for _, x := range xs {
		if ok(x) {
			return true
		}
	}
	return false
}

// value reads a field, deriving email_domain and free_email from the email.
func value(field string, f Facts) string {
	switch field {
	case "email_domain":
		return domainOf(f["email"])
	case "free_email":
		return strconv.FormatBool(mailaddr.FreeMail[domainOf(f["email"])])
	}
	return f[field]
}

func domainOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}

// Glob matches a URL against a pattern in which * stands for any text,
// ignoring case: "*/pricing*" matches https://x.io/pricing?plan=pro.
func Glob(pattern, s string) bool {
	pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// Package scoring computes a lead's score from rules marketing and sales
// agree on: explicit rules on who the lead is, behavioural rules on what
// it did, with caps, windows and decay. It is pure: the same facts,
// events, rules and time always give the same score, so it is tested
// without a database and explained to users rule by rule.
package scoring

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"leadflow/internal/fault"
)

// Operator compares a lead field with a rule's value.
type Operator string

// The operators.
const (
	Equals     Operator = "equals"
	NotEquals  Operator = "not_equals"
	Contains   Operator = "contains"
	StartsWith Operator = "starts_with"
	In         Operator = "in"
	AtLeast    Operator = "gte"
	AtMost     Operator = "lte"
	Between    Operator = "between"
	IsEmpty    Operator = "is_empty"
	IsSet      Operator = "is_set"
)

// Operators lists every operator.
var Operators = []Operator{Equals, NotEquals, Contains, StartsWith, In, AtLeast, AtMost, Between, IsEmpty, IsSet}

// Fields a rule may test: the lead's fields, two derived ones, and any
// custom form answer as custom.NAME.
var Fields = []string{
	"job_title", "employees", "country", "industry", "existing_customer", "email_domain", "free_email",
	"company", "city", "source", "utm_source", "utm_medium", "utm_campaign", "consent", "website",
}

// Explicit gives points for who a lead is.
type Explicit struct {
	Field  string   `json:"field"`
	Op     Operator `json:"op"`
	Values []string `json:"values,omitempty"` // equals/contains/starts_with/in match any; gte/lte take one number; between two
	Points int      `json:"points"`
	Label  string   `json:"label,omitempty"`
}

// Behaviour gives points for what a lead did.
type Behaviour struct {
	Event      string `json:"event"`                 // an event type
	URL        string `json:"url,omitempty"`         // a pattern the event's URL must match; * matches anything
	Points     int    `json:"points"`                // per event, before decay
	Cap        int    `json:"cap,omitempty"`         // most points the rule gives in total; 0 for no cap
	WindowDays int    `json:"window_days,omitempty"` // only events of the last N days count; 0 for all
	Label      string `json:"label,omitempty"`
}

// Rules is a whole ruleset.
type Rules struct {
	Explicit     []Explicit  `json:"explicit"`
	Behaviour    []Behaviour `json:"behaviour"`
	HalfLifeDays float64     `json:"half_life_days"` // behavioural points halve every so many days; 0 turns decay off
	Hot          int         `json:"hot"`            // lowest hot score
	Warm         int         `json:"warm"`           // lowest warm score
	MQL          int         `json:"mql"`            // a subscriber or lead reaching this score becomes an MQL; 0 turns it off
}

// EventTypes are the behaviours leadflow knows; rules may name others.
var EventTypes = []string{"page_view", "pricing_page_view", "click_to_call", "newsletter_subscribe", "ebook_download",
	"quote_request", "email_open", "email_click", "email_unsubscribe", "email_bounce", "form_submit", "meeting_booked"}

// Limits on a ruleset, so a pasted mistake cannot slow every lead down.
const (
	MaxRules  = 200
	MaxPoints = 1000
)

// Validate checks a ruleset and names each problem: explicit.N.field,
// behaviour.N.cap and so on.
func (r *Rules) Validate() error {
	bad := fault.Fields{}
	if len(r.Explicit)+len(r.Behaviour) > MaxRules {
		bad.Add("rules", fmt.Sprintf("at most %d rules", MaxRules))
	}
	for i := range r.Explicit {
		validateExplicit(&r.Explicit[i], "explicit."+strconv.Itoa(i)+".", bad)
	}
	for i := range r.Behaviour {
		validateBehaviour(&r.Behaviour[i], "behaviour."+strconv.Itoa(i)+".", bad)
	}
	switch {
	case math.IsNaN(r.HalfLifeDays) || r.HalfLifeDays < 0 || r.HalfLifeDays > 3650:
		bad.Add("half_life_days", "must be from 0 (no decay) to 3650")
	}
	if r.Warm > r.Hot {
		bad.Add("warm", "must not be above the hot threshold")
	}
	if r.MQL < 0 {
		bad.Add("mql", "must not be negative (0 turns automatic MQL off)")
	}
	return bad.Err()
}

func validateExplicit(e *Explicit, at string, bad fault.Fields) {
	e.Field = strings.TrimSpace(e.Field)
	if !validField(e.Field) {
		bad.Add(at+"field", "must be one of "+strings.Join(Fields, ", ")+" or custom.NAME")
	}
	checkExplicit(e, at, bad)
}

// CheckExplicit validates e as a rule over a record whose fields are
// fields (an account's, say), naming each problem under at.
func CheckExplicit(e *Explicit, at string, fields []string, bad fault.Fields) {
	e.Field = strings.TrimSpace(e.Field)
	if !slices.Contains(fields, e.Field) {
		bad.Add(at+"field", "must be one of "+strings.Join(fields, ", "))
	}
	checkExplicit(e, at, bad)
}

func checkExplicit(e *Explicit, at string, bad fault.Fields) {
	if e.Points < -MaxPoints || e.Points > MaxPoints {
		bad.Add(at+"points", fmt.Sprintf("must be from %d to %d", -MaxPoints, MaxPoints))
	}
	for i, v := range e.Values {
		e.Values[i] = strings.TrimSpace(v)
	}
	switch e.Op {
	case Equals, NotEquals, Contains, StartsWith, In:
		if len(e.Values) == 0 {
			bad.Add(at+"values", "needs at least one value")
		}
	case AtLeast, AtMost:
		if len(e.Values) != 1 || !isNumber(e.Values[0]) {
			bad.Add(at+"values", "needs one number")
		}
	case Between:
		if len(e.Values) != 2 || !isNumber(e.Values[0]) || !isNumber(e.Values[1]) {
			bad.Add(at+"values", "needs two numbers, the lowest and the highest")
		}
	case IsEmpty, IsSet:
		e.Values = nil
	default:
		bad.Add(at+"op", "must be one of equals, not_equals, contains, starts_with, in, gte, lte, between, is_empty, is_set")
	}
}

func validateBehaviour(b *Behaviour, at string, bad fault.Fields) {
	b.Event = strings.TrimSpace(b.Event)
	if b.Event == "" || len(b.Event) > 64 || strings.ContainsAny(b.Event, " \t\n") {
		bad.Add(at+"event", "must be an event type such as page_view (no spaces, at most 64 characters)")
	}
	if b.Points < -MaxPoints || b.Points > MaxPoints {
		bad.Add(at+"points", fmt.Sprintf("must be from %d to %d", -MaxPoints, MaxPoints))
	}
	if b.Cap < 0 {
		bad.Add(at+"cap", "must not be negative (0 means no cap)")
	}
	if b.WindowDays < 0 || b.WindowDays > 3650 {
		bad.Add(at+"window_days", "must be from 0 (all time) to 3650")
	}
	if len(b.URL) > 500 {
		bad.Add(at+"url", "must be at most 500 characters")
	}
}

func validField(f string) bool {
	if name, ok := strings.CutPrefix(f, "custom."); ok {
		return name != "" && len(name) <= 40
	}
	for _, x := range Fields {
		if f == x {
			return true
		}
	}
	return false
}

func isNumber(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// Defaults are the rules a new leadflow starts with: the common B2B
// software rules of thumb, which the demo data is scored by.
func Defaults() Rules {
	return Rules{
		Explicit: []Explicit{
			{Field: "job_title", Op: Contains, Values: []string{"director", "ceo", "cto", "cfo", "vp", "head of", "founder"}, Points: 20, Label: "Decision maker"},
			{Field: "employees", Op: AtLeast, Values: []string{"200"}, Points: 15, Label: "Company of 200+"},
			{Field: "employees", Op: Between, Values: []string{"20", "199"}, Points: 5, Label: "Company of 20-199"},
			{Field: "country", Op: In, Values: []string{"RO", "IT", "NO"}, Points: 10, Label: "Core market"},
			{Field: "existing_customer", Op: Equals, Values: []string{"true"}, Points: 10, Label: "Existing customer"},
			{Field: "free_email", Op: Equals, Values: []string{"true"}, Points: -10, Label: "Free-mail address"},
			{Field: "industry", Op: Equals, Values: []string{"Education"}, Points: -5, Label: "Education"},
		},
		Behaviour: []Behaviour{
			{Event: "page_view", Points: 2, Cap: 30, WindowDays: 90, Label: "Page views"},
			{Event: "pricing_page_view", Points: 10, Cap: 30, Label: "Pricing page"},
			{Event: "page_view", URL: "*/pricing*", Points: 8, Cap: 24, Label: "Pricing page visits"},
			{Event: "click_to_call", Points: 15, Cap: 30, Label: "Click to call"},
			{Event: "newsletter_subscribe", Points: 5, Cap: 5, Label: "Newsletter"},
			{Event: "ebook_download", Points: 10, Cap: 20, Label: "E-book downloads"},
			{Event: "quote_request", Points: 30, Cap: 60, Label: "Quote request"},
			{Event: "email_open", Points: 1, Cap: 10, WindowDays: 60, Label: "Email opens"},
			{Event: "email_click", Points: 3, Cap: 15, WindowDays: 60, Label: "Email clicks"},
			{Event: "email_unsubscribe", Points: -20, Label: "Unsubscribed from email"},
			{Event: "email_bounce", Points: -10, Label: "Email bounced"},
			{Event: "form_submit", Points: 10, Cap: 20, Label: "Form submissions"},
			{Event: "meeting_booked", Points: 25, Cap: 50, Label: "Meeting booked"},
		},
		HalfLifeDays: 30, Hot: 70, Warm: 40, MQL: 60,
	}
}

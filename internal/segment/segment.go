// Package segment keeps segments: saved filters over leads, and who is in
// each one now.
//
// A segment is a list of conditions (a lead field equals, contains, is
// empty...; stage, grade, score range, owner, source, country, consent;
// events of a type in the last N days; membership of another segment)
// combined with all or any. Its members are rows of segment_members,
// kept up to date incrementally rather than rebuilt:
//
//   - Triggers append the id of every lead written, and of every lead
//     that gets an event, to segment_changes, whichever code path writes.
//   - The membership job (JobKind, periodic and woken by the server)
//     reads the oldest changes, evaluates their leads against every
//     segment in SQL, inserts and deletes membership rows, and deletes
//     exactly the changes it read. Events leaving a segment's time window
//     are found by time (events_occurred) and their leads evaluated again.
//   - A new or edited segment is filled once by the same job, a chunk of
//     leads per transaction in id order, so a fill of a million leads
//     does not hold SQLite's writer for long; segments that refer to it
//     are filled again when it is done.
//   - Every transaction of the job first locks the one segment_sync row,
//     so instances sharing a PostgreSQL take turns, and numbers itself
//     with its seq. The job is enqueued once per period across instances
//     (job.Runner.Every), and the lock makes overlapping runs harmless.
//
// Consumers of "lead entered segment S" (sequence enrolment) read
// segment_members: each row is a lead in S now, with the time it entered
// (entered_at) and the number of the transaction that added it (seq).
// EnteredSince pages through entries after a cursor, in commit order,
// never skipping one committed late; LatestCursor is where a consumer
// that wants only future entries starts. A lead that leaves and comes back
// has a new row, so it is seen entering again; a lead that enters and
// leaves between two reads is not seen.
package segment

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/textcheck"
)

// Segment is a saved filter over leads, or over accounts (ABM).
type Segment struct {
	ID          int64
	Kind        string // KindLeads or KindAccounts; fixed once made
	Name        string
	Description string
	// Combine is "all" (every condition holds) or "any" (one does).
	Combine    string
	Conditions []Condition
	// Members is how many leads are in the segment now; exact once
	// Filled, a lower bound while the segment fills.
	Members   int64
	Filled    bool
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// What a segment holds.
const (
	KindLeads    = "leads"
	KindAccounts = "accounts"
)

// The ways conditions combine.
const (
	All = "all"
	Any = "any"
)

// Condition is one test a lead passes or fails. Which members matter
// depends on Field's kind (see Kind).
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	// Value is the text compared (text fields), or "true"/"false"
	// (consent, existing customer).
	Value string `json:"value,omitempty"`
	// Values are the stages, grades, sources, country codes or owner
	// emails ("none" for unassigned) of in and not_in.
	Values []string `json:"values,omitempty"`
	// Min and Max bound a number (score, employees), both inclusive.
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
	// An event condition counts events of EventType (with a URL that
	// contains URLContains, when set) in the last Days days.
	EventType   string `json:"event_type,omitempty"`
	URLContains string `json:"url_contains,omitempty"`
	Count       int    `json:"count,omitempty"`
	Days        int    `json:"days,omitempty"`
	// Segment is the segment whose membership an in/not_in tests.
	Segment int64 `json:"segment,omitempty"`
}

// Kind is what sort of value a field holds, which decides its operators.
type Kind string

// The kinds of field.
const (
	Text       Kind = "text"
	Choice     Kind = "choice"
	Number     Kind = "number"
	Boolean    Kind = "boolean"
	Event      Kind = "event"
	Membership Kind = "segment"
)

// The operators.
const (
	Equals      = "equals"
	NotEquals   = "not_equals"
	Contains    = "contains"
	NotContains = "not_contains"
	Empty       = "empty"
	NotEmpty    = "not_empty"
	In          = "in"
	NotIn       = "not_in"
	Between     = "between"
	Is          = "is"
	AtLeast     = "at_least"
	AtMost      = "at_most"
)

// Ops lists each kind's operators, in the order the editor offers them.
var Ops = map[Kind][]string{
	Text:       {Equals, NotEquals, Contains, NotContains, Empty, NotEmpty},
	Choice:     {In, NotIn},
	Number:     {Between, Empty, NotEmpty},
	Boolean:    {Is},
	Event:      {AtLeast, AtMost},
	Membership: {In, NotIn},
}

// The fields that are not lead columns.
const (
	FScore   = "score"
	FGrade   = "grade"
	FEvent   = "event"
	FSegment = "segment"
)

// fields maps each field a condition may name (but custom answers) to
// its kind and, for lead columns, the column.
var fields = map[string]struct {
	kind   Kind
	column string
}{
	lead.FEmail: {Text, "l.email"}, lead.FFirstName: {Text, "l.first_name"}, lead.FLastName: {Text, "l.last_name"},
	lead.FPhone: {Text, "l.phone"}, lead.FCompany: {Text, "l.company"}, lead.FJobTitle: {Text, "l.job_title"},
	lead.FIndustry: {Text, "l.industry"}, lead.FCity: {Text, "l.city"}, lead.FWebsite: {Text, "l.website"},
	lead.FUTMSource: {Text, "l.utm_source"}, lead.FUTMMedium: {Text, "l.utm_medium"}, lead.FUTMCampaign: {Text, "l.utm_campaign"},
	lead.FStage: {Choice, "l.stage"}, FGrade: {Choice, "l.grade"}, lead.FSource: {Choice, "l.source"},
	lead.FCountry: {Choice, "l.country"}, lead.FOwner: {Choice, "l.owner_id"},
	FScore: {Number, "l.score"}, lead.FEmployees: {Number, "l.employees"},
	lead.FConsent: {Boolean, "l.consent"}, lead.FExistingCustomer: {Boolean, "l.existing_customer"},
	FEvent: {Event, ""}, FSegment: {Membership, ""},
}

// Fields lists the fields a condition may name, in the editor's order;
// custom form answers ("custom.budget") come on top of these.
var Fields = []string{
	lead.FStage, FGrade, FScore, lead.FOwner, lead.FSource, lead.FCountry, lead.FConsent, FEvent, FSegment,
	lead.FEmail, lead.FFirstName, lead.FLastName, lead.FCompany, lead.FJobTitle, lead.FEmployees, lead.FIndustry,
	lead.FCity, lead.FPhone, lead.FWebsite, lead.FExistingCustomer, lead.FUTMSource, lead.FUTMMedium, lead.FUTMCampaign,
}

// The fields of account segments that are not account columns.
const (
	FOpenOpportunity = "open_opportunity"
	FTier            = "tier"
	FRevenue         = "revenue"
	FName            = "name"
	FDomain          = "domain"
)

// accountFields maps each field an account segment's condition may name
// to its kind and, for account columns, the column. score and grade are
// the stored account score (internal/accountscore keeps them); event
// counts the events of the account's people (its converted and linked
// leads).
var accountFields = map[string]struct {
	kind   Kind
	column string
}{
	FName: {Text, "a.name"}, FDomain: {Text, "a.domain"}, lead.FIndustry: {Text, "a.industry"}, lead.FCity: {Text, "a.city"},
	lead.FEmployees: {Number, "a.employees"}, FRevenue: {Number, "a.annual_revenue"}, FScore: {Number, "a.score"},
	lead.FCountry: {Choice, "a.country"}, FTier: {Choice, "a.tier"}, FGrade: {Choice, "a.grade"}, lead.FOwner: {Choice, "a.owner_id"},
	FOpenOpportunity: {Boolean, ""}, FEvent: {Event, ""}, FSegment: {Membership, ""},
}

// AccountFields lists the fields an account segment's condition may
// name, in the editor's order.
var AccountFields = []string{
	FTier, FGrade, FScore, lead.FOwner, lead.FCountry, lead.FIndustry, lead.FEmployees, FRevenue, FOpenOpportunity, FEvent, FSegment,
	FName, FDomain, lead.FCity,
}

// KindIn returns field's kind in a segment of segKind, and whether such
// a segment's condition may name it.
func KindIn(segKind, field string) (Kind, bool) {
	if segKind == KindAccounts {
		f, ok := accountFields[field]
		return f.kind, ok
	}
	return KindOf(field)
}

// KindOf returns field's kind in a lead segment, and whether a condition
// may name it.
func KindOf(field string) (Kind, bool) {
	if k, ok := strings.CutPrefix(field, lead.CustomPrefix); ok {
		return Text, lead.ValidCustomKey(k)
	}
	f, ok := fields[field]
	return f.kind, ok
}

// Bounds on what a segment holds.
const (
	MaxConditions = 50
	MaxValues     = 100
	MaxDays       = 3650
	MaxCount      = 10000
	maxName       = 100
	maxText       = 200
)

// Validate checks s's own rules and tidies its values (lower-case stages,
// country codes, trimmed text); whether a segment or owner it names exists
// is checked by the service. Reasons are keyed like the JSON:
// "conditions.2.value".
func (s *Segment) Validate() error {
	bad := fault.Fields{}
	s.checkNaming(bad)
	s.checkSelection(bad)
	return bad.Err()
}

// ValidateSelection checks and tidies what s selects (its kind, how its
// conditions combine, the conditions), not what it is called: a segment
// is counted as it is built, before it is named.
func (s *Segment) ValidateSelection() error {
	bad := fault.Fields{}
	s.checkSelection(bad)
	return bad.Err()
}

// checkNaming checks and tidies s's name and description.
func (s *Segment) checkNaming(bad fault.Fields) {
	s.Name = strings.TrimSpace(s.Name)
	s.Description = strings.TrimSpace(s.Description)
	switch n := utf8.RuneCountInString(s.Name); {
	case n == 0:
		bad.Add("name", "is required")
	case n > maxName:
		bad.Add("name", fmt.Sprintf("must be at most %d characters", maxName))
	}
	if utf8.RuneCountInString(s.Description) > 1000 {
		bad.Add("description", "must be at most 1000 characters")
	}
	for key, v := range map[string]string{"name": s.Name, "description": s.Description} {
		if p := textcheck.Problem(v); p != "" {
			bad.Add(key, p)
		}
	}
}

// checkSelection checks and tidies s's kind, combine and conditions.
func (s *Segment) checkSelection(bad fault.Fields) {
	s.Kind = strings.ToLower(strings.TrimSpace(s.Kind))
	if s.Kind == "" {
		s.Kind = KindLeads
	}
	if s.Kind != KindLeads && s.Kind != KindAccounts {
		bad.Add("kind", "must be leads or accounts")
		return
	}
	s.Combine = strings.ToLower(strings.TrimSpace(s.Combine))
	if s.Combine == "" {
		s.Combine = All
	}
	if s.Combine != All && s.Combine != Any {
		bad.Add("combine", "must be all or any")
	}
	if len(s.Conditions) > MaxConditions {
		bad.Add("conditions", fmt.Sprintf("takes at most %d conditions, not %d", MaxConditions, len(s.Conditions)))
		return
	}
	for i := range s.Conditions {
		s.Conditions[i].validate(s.Kind, "conditions."+strconv.Itoa(i)+".", bad)
	}
}

func (c *Condition) validate(segKind, at string, bad fault.Fields) {
	c.Field = strings.ToLower(strings.TrimSpace(c.Field))
	c.Op = strings.ToLower(strings.TrimSpace(c.Op))
	kind, ok := KindIn(segKind, c.Field)
	if !ok {
		if segKind == KindAccounts {
			bad.Add(at+"field", "is not a field an account segment can test: "+strconv.Quote(c.Field))
			return
		}
		bad.Add(at+"field", "is not a field a segment can test: "+strconv.Quote(c.Field))
		return
	}
	if !slices.Contains(Ops[kind], c.Op) {
		bad.Add(at+"op", fmt.Sprintf("must be one of %s for %s", strings.Join(Ops[kind], ", "), c.Field))
		return
	}
	for _, v := range append([]string{c.Value, c.EventType, c.URLContains}, c.Values...) {
		if p := textcheck.Problem(v); p != "" {
			bad.Add(at+"value", p)
			return
		}
	}
	switch kind {
	case Text:
		c.Value = strings.TrimSpace(c.Value)
		if c.Op != Empty && c.Op != NotEmpty && c.Value == "" {
			bad.Add(at+"value", "is required")
		}
		if utf8.RuneCountInString(c.Value) > maxText {
			bad.Add(at+"value", fmt.Sprintf("must be at most %d characters", maxText))
		}
	case Choice:
		c.validateValues(at, bad)
	case Number:
		if c.Op == Between {
			if c.Min == nil && c.Max == nil {
				bad.Add(at+"min", "give a lowest value, a highest value or both")
			} else if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
				bad.Add(at+"max", "must not be below the lowest value")
			}
		}
		if c.Field == FScore && c.Op != Between {
			bad.Add(at+"op", "must be between for score: every "+strings.TrimSuffix(segKind, "s")+" has one")
		}
	case Boolean:
		switch strings.ToLower(strings.TrimSpace(c.Value)) {
		case "true", "yes", "1":
			c.Value = "true"
		case "false", "no", "0":
			c.Value = "false"
		default:
			bad.Add(at+"value", "must be true or false")
		}
	case Event:
		c.EventType = strings.TrimSpace(c.EventType)
		c.URLContains = strings.TrimSpace(c.URLContains)
		if c.EventType == "" || len(c.EventType) > 64 || strings.ContainsAny(c.EventType, " \t") {
			bad.Add(at+"event_type", "must be an event type such as page_view, or "+AnyEvent)
		}
		if utf8.RuneCountInString(c.URLContains) > maxText {
			bad.Add(at+"url_contains", fmt.Sprintf("must be at most %d characters", maxText))
		}
		if c.Days < 1 || c.Days > MaxDays {
			bad.Add(at+"days", fmt.Sprintf("must be a whole number of days from 1 to %d", MaxDays))
		}
		switch {
		case c.Count < 0 || c.Count > MaxCount:
			bad.Add(at+"count", fmt.Sprintf("must be from 0 to %d", MaxCount))
		case c.Op == AtLeast && c.Count < 1:
			bad.Add(at+"count", "must be at least 1 (at most 0 finds leads without such events)")
		}
	case Membership:
		if c.Segment <= 0 {
			bad.Add(at+"segment", "name a segment")
		}
	}
}

// validateValues checks and tidies the values of a stage, grade, source,
// country or owner condition.
func (c *Condition) validateValues(at string, bad fault.Fields) {
	if len(c.Values) == 0 {
		bad.Add(at+"values", "pick at least one")
		return
	}
	if len(c.Values) > MaxValues {
		bad.Add(at+"values", fmt.Sprintf("takes at most %d values", MaxValues))
		return
	}
	out := make([]string, 0, len(c.Values))
	for _, v := range c.Values {
		v = strings.TrimSpace(v)
		switch c.Field {
		case lead.FStage:
			if !lead.Stage(strings.ToLower(v)).Valid() {
				bad.Add(at+"values", "unknown stage "+strconv.Quote(v))
			}
			v = strings.ToLower(v)
		case FTier:
			v = strings.ToLower(v)
			if v != "1" && v != "2" && v != "3" && v != Unassigned {
				bad.Add(at+"values", "unknown tier "+strconv.Quote(v)+"; use 1, 2, 3 or none")
			}
		case FGrade:
			if !lead.Grade(strings.ToLower(v)).Valid() {
				bad.Add(at+"values", "unknown grade "+strconv.Quote(v)+"; use hot, warm or cold")
			}
			v = strings.ToLower(v)
		case lead.FCountry:
			code, ok := country.Normalize(v)
			if !ok {
				bad.Add(at+"values", "unknown country "+strconv.Quote(v))
			}
			v = code
		case lead.FSource, lead.FOwner:
			v = strings.ToLower(v)
			if v == "" || utf8.RuneCountInString(v) > maxText {
				bad.Add(at+"values", "each value must be 1 to 200 characters")
			}
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	c.Values = out
}

// Unassigned is the owner value of leads without an owner, and the tier
// value of accounts without a tier.
const Unassigned = "none"

// AnyEvent is the event type of a condition that counts events of every
// type: "engaged in the last 30 days".
const AnyEvent = "any"

// refersTo lists the segments s's conditions name.
func (s Segment) refersTo() []int64 {
	var out []int64
	for _, c := range s.Conditions {
		if c.Field == FSegment && !slices.Contains(out, c.Segment) {
			out = append(out, c.Segment)
		}
	}
	return out
}

func encodeConditions(cs []Condition) string {
	if cs == nil {
		cs = []Condition{}
	}
	b, _ := json.Marshal(cs) // plain strings and numbers always marshal
	return string(b)
}

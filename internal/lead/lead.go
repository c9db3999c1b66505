// Package lead holds the lead: its fields, lifecycle stage and grade, the
// rules that validate a change to it, and its storage.
package lead

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/mailaddr"
	"leadflow/internal/phone"
	"leadflow/internal/textcheck"
)

// Stage is a lead's lifecycle stage.
type Stage string

// The lifecycle, in order, then the two side states.
const (
	Subscriber   Stage = "subscriber"
	StageLead    Stage = "lead"
	MQL          Stage = "mql"
	SQL          Stage = "sql"
	Opportunity  Stage = "opportunity"
	Customer     Stage = "customer"
	Nurturing    Stage = "nurturing"
	Disqualified Stage = "disqualified"
)

// Stages lists every stage in lifecycle order, side states last.
var Stages = []Stage{Subscriber, StageLead, MQL, SQL, Opportunity, Customer, Nurturing, Disqualified}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if s == x {
			return true
		}
	}
	return false
}

// Grade is the temperature derived from a lead's score.
type Grade string

// The grades.
const (
	Hot  Grade = "hot"
	Warm Grade = "warm"
	Cold Grade = "cold"
)

// Grades lists the grades, hottest first.
var Grades = []Grade{Hot, Warm, Cold}

// Valid reports whether g is a known grade.
func (g Grade) Valid() bool { return g == Hot || g == Warm || g == Cold }

// Lead is a person, and their company, who showed interest.
type Lead struct {
	ID               int64
	Email            string
	FirstName        string
	LastName         string
	Phone            string
	Company          string
	JobTitle         string
	Employees        *int64 // nil when unknown
	Industry         string
	Country          string // ISO 3166-1 alpha-2
	City             string
	Salutation       string // Mr., Ms., Dr.: how to address the person
	Street           string // house number, street and second line
	PostalCode       string
	Region           string // state, county or province
	Website          string
	ExistingCustomer bool
	Source           string
	UTMSource        string
	UTMMedium        string
	UTMCampaign      string
	Consent          bool
	ConsentAt        *time.Time
	Stage            Stage
	Score            int
	Grade            Grade
	Probability      *float64          // the learned model's chance of conversion, 0 to 1; nil until a model scored the lead
	OwnerID          int64             // 0 when unassigned
	OwnerEmail       string            // the owner's email, filled when read
	Custom           map[string]string // answers to custom form fields
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// ContactDueAt is when the owner must have made first contact: set
	// when the lead gets an owner, nil when it has none or was contacted.
	ContactDueAt *time.Time
	ContactedAt  *time.Time // the first contact the owner logged
	Converted    Conversion // what the lead became, zero until converted

	// Version counts the writes of the row: every UPDATE of a lead adds
	// one, and so does the code that made it to the Lead it holds. An
	// edit made from a form names the version the form was filled from.
	Version int64
}

// Conversion is what a lead was converted into.
type Conversion struct {
	At            *time.Time
	AccountID     int64
	ContactID     int64
	OpportunityID int64 // 0 when no opportunity was opened
}

// Overdue reports whether the first contact is late at now.
func (l Lead) Overdue(now time.Time) bool {
	return l.ContactedAt == nil && l.ContactDueAt != nil && now.After(*l.ContactDueAt)
}

// Name is the person's full name, or the email when no name is known.
func (l Lead) Name() string {
	if n := strings.TrimSpace(l.FirstName + " " + l.LastName); n != "" {
		return n
	}
	return l.Email
}

// Field names, as the API, the HTML forms and the CSV files spell them.
const (
	FEmail            = "email"
	FFirstName        = "first_name"
	FLastName         = "last_name"
	FPhone            = "phone"
	FCompany          = "company"
	FJobTitle         = "job_title"
	FEmployees        = "employees"
	FIndustry         = "industry"
	FCountry          = "country"
	FCity             = "city"
	FSalutation       = "salutation"
	FStreet           = "street"
	FPostalCode       = "postal_code"
	FRegion           = "region"
	FWebsite          = "website"
	FExistingCustomer = "existing_customer"
	FSource           = "source"
	FUTMSource        = "utm_source"
	FUTMMedium        = "utm_medium"
	FUTMCampaign      = "utm_campaign"
	FConsent          = "consent"
	FStage            = "stage"
	FOwner            = "owner"
)

// Editable lists the fields a user may set, in form order.
var Editable = []string{
	FEmail, FFirstName, FLastName, FPhone, FCompany, FJobTitle, FEmployees,
	FIndustry, FCountry, FCity, FWebsite, FExistingCustomer, FSource,
	FUTMSource, FUTMMedium, FUTMCampaign, FConsent, FStage, FOwner,
	FSalutation, FStreet, FPostalCode, FRegion,
}

// CustomPrefix starts the name of a custom field in Changes: the answer
// to a form's "budget" question is "custom.budget".
const CustomPrefix = "custom."

// ValidCustomKey reports whether k may name a custom field: 1 to 40
// lower-case letters, digits and underscores.
func ValidCustomKey(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// IsEditable reports whether name is a field a user may set.
func IsEditable(name string) bool {
	if name == FStageReason {
		return true
	}
	if k, ok := strings.CutPrefix(name, CustomPrefix); ok {
		return ValidCustomKey(k)
	}
	for _, f := range Editable {
		if f == name {
			return true
		}
	}
	return false
}

// Changes are submitted field values as text, the way an HTML form sends
// them; the JSON API turns its typed values into the same. A field absent
// from the map is left as it is; an empty value clears it.
type Changes map[string]string

// maxLen bounds each free-text field, in characters.
var maxLen = map[string]int{
	FFirstName: 100, FLastName: 100, FCompany: 200, FJobTitle: 200,
	FIndustry: 100, FCity: 100, FWebsite: 300, FSource: 64,
	FSalutation: 40, FStreet: 300, FPostalCode: 20, FRegion: 100,
	FUTMSource: 200, FUTMMedium: 200, FUTMCampaign: 200,
}

// MaxCustomLen bounds one custom answer, in characters.
const MaxCustomLen = 2000

// MaxEmployees is the largest head count accepted: larger is a typo.
const MaxEmployees = 10_000_000

// Apply returns l with the changes made, and the reason for every field it
// refused. Owner is resolved by the caller, who knows the users; Apply only
// passes it through. now stamps consent.
func Apply(l Lead, c Changes, now time.Time) (Lead, fault.Fields) {
	bad := fault.Fields{}
	for name, raw := range c {
		if p := textcheck.Problem(raw); p != "" {
			bad.Add(name, p) // every field, the caller's too: the database would refuse it
			continue
		}
		if name == FOwner || name == FPhone || name == FStageReason {
			continue // owner and stage moves are the caller's; phone waits for the country
		}
		if !IsEditable(name) {
			bad.Add(name, "is not a lead field")
			continue
		}
		value := strings.TrimSpace(raw)
		max, ok := maxLen[name]
		if strings.HasPrefix(name, CustomPrefix) {
			max, ok = MaxCustomLen, true
		}
		if ok && utf8.RuneCountInString(value) > max {
			bad.Add(name, "must be at most "+strconv.Itoa(max)+" characters")
			continue
		}
		if reason := set(&l, name, value, now); reason != "" {
			bad.Add(name, reason)
		}
	}
	if raw, ok := c[FPhone]; ok && bad[FPhone] == "" {
		p, reason := phone.Normalize(raw, l.Country)
		if reason != "" {
			bad.Add(FPhone, reason)
		} else {
			l.Phone = p
		}
	}
	if bad[FEmail] == "" && bad[FPhone] == "" && !identifiable(l) {
		bad.Add(FEmail, "is required unless the lead has a phone, or a name with a company, city, address or birth date")
	}
	if l.Stage == "" {
		l.Stage = StageLead
	}
	return l, bad
}

// set assigns one field from its text form and returns why it refused, if
// it did.
func set(l *Lead, name, v string, now time.Time) string {
	if k, ok := strings.CutPrefix(name, CustomPrefix); ok {
		setCustom(l, k, v)
		return ""
	}
	switch name {
	case FEmail:
		e, reason := mailaddr.Normalize(v)
		if reason != "" {
			return reason
		}
		l.Email = e
	case FFirstName:
		l.FirstName = v
	case FLastName:
		l.LastName = v
	case FCompany:
		l.Company = v
	case FJobTitle:
		l.JobTitle = v
	case FEmployees:
		return setEmployees(l, v)
	case FIndustry:
		l.Industry = v
	case FCountry:
		if v == "" {
			l.Country = ""
			return ""
		}
		code, ok := country.Normalize(v)
		if !ok {
			return "must be a country name or a two-letter ISO code such as DE or US"
		}
		l.Country = code
	case FCity:
		l.City = v
	case FSalutation:
		l.Salutation = v
	case FStreet:
		l.Street = v
	case FPostalCode:
		l.PostalCode = v
	case FRegion:
		l.Region = v
	case FWebsite:
		w, reason := normalizeWebsite(v)
		if reason != "" {
			return reason
		}
		l.Website = w
	case FExistingCustomer:
		b, ok := parseBool(v)
		if !ok {
			return "must be true or false"
		}
		l.ExistingCustomer = b
	case FSource:
		l.Source = strings.ToLower(v)
	case FUTMSource:
		l.UTMSource = v
	case FUTMMedium:
		l.UTMMedium = v
	case FUTMCampaign:
		l.UTMCampaign = v
	case FConsent:
		return setConsent(l, v, now)
	case FStage:
		s := Stage(strings.ToLower(v))
		if !s.Valid() {
			return "must be one of subscriber, lead, mql, sql, opportunity, customer, nurturing, disqualified"
		}
		l.Stage = s
	}
	return ""
}

// setCustom sets one custom answer; an empty one is removed. The map is
// copied so a Lead passed by value is never changed behind its owner.
func setCustom(l *Lead, k, v string) {
	m := make(map[string]string, len(l.Custom)+1)
	for key, val := range l.Custom {
		m[key] = val
	}
	if v == "" {
		delete(m, k)
	} else {
		m[k] = v
	}
	l.Custom = m
}

func setEmployees(l *Lead, v string) string {
	if v == "" {
		l.Employees = nil
		return ""
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v, ",", ""), 10, 64)
	switch {
	case err != nil:
		return "must be a whole number"
	case n < 0:
		return "must not be negative"
	case n > MaxEmployees:
		return "must be at most 10000000"
	}
	l.Employees = &n
	return ""
}

func setConsent(l *Lead, v string, now time.Time) string {
	b, ok := parseBool(v)
	if !ok {
		return "must be true or false"
	}
	if b && !l.Consent {
		t := now.UTC()
		l.ConsentAt = &t
	}
	if !b {
		l.ConsentAt = nil
	}
	l.Consent = b
	return ""
}

// parseBool reads the ways forms and files say yes or no; an empty value
// (an unticked checkbox) is no.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off", "n", "f":
		return false, true
	case "1", "true", "yes", "on", "y", "t":
		return true, true
	}
	return false, false
}

func normalizeWebsite(v string) (string, string) {
	if v == "" {
		return "", ""
	}
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") {
		return "", "must be a web address such as example.com or https://example.com"
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

// Values returns l's editable fields in their text form, for filling an
// edit form.
func (l Lead) Values() Changes {
	c := Changes{
		FEmail: l.Email, FFirstName: l.FirstName, FLastName: l.LastName,
		FPhone: l.Phone, FCompany: l.Company, FJobTitle: l.JobTitle,
		FIndustry: l.Industry, FCountry: l.Country, FCity: l.City,
		FSalutation: l.Salutation, FStreet: l.Street, FPostalCode: l.PostalCode, FRegion: l.Region,
		FWebsite: l.Website, FSource: l.Source, FUTMSource: l.UTMSource,
		FUTMMedium: l.UTMMedium, FUTMCampaign: l.UTMCampaign,
		FExistingCustomer: strconv.FormatBool(l.ExistingCustomer),
		FConsent:          strconv.FormatBool(l.Consent),
		FStage:            string(l.Stage), FOwner: l.OwnerEmail,
	}
	if l.Employees != nil {
		c[FEmployees] = strconv.FormatInt(*l.Employees, 10)
	} else {
		c[FEmployees] = ""
	}
	for k, v := range l.Custom {
		c[CustomPrefix+k] = v
	}
	return c
}

// Diff lists the editable fields whose text form differs between a and b,
// as field -> [old, new].
func Diff(a, b Lead) map[string][2]string {
	av, bv := a.Values(), b.Values()
	d := map[string][2]string{}
	for f, v := range bv {
		if av[f] != v {
			d[f] = [2]string{av[f], v}
		}
	}
	for f, v := range av {
		if _, ok := bv[f]; !ok && v != "" {
			d[f] = [2]string{v, ""}
		}
	}
	return d
}

// Hints gives advice on values that are accepted but probably mistyped,
// by field: an email at gmial.com gets "did you mean ann@gmail.com?". A
// hint never refuses anything; nil when there is nothing to say.
func Hints(c Changes) map[string]string {
	e, reason := mailaddr.Normalize(c[FEmail])
	if reason != "" {
		return nil
	}
	if s := mailaddr.Suggest(e); s != "" {
		return map[string]string{FEmail: "did you mean " + s + "?"}
	}
	return nil
}

// identifiable reports whether l holds enough to tell who the person is
// and reach them: an email, a phone, or a name with another strong field
// (a company, a city, a street or postcode, a birth date: a trade-show
// list, a purchased list).
func identifiable(l Lead) bool {
	if l.Email != "" || l.Phone != "" {
		return true
	}
	if strings.TrimSpace(l.FirstName+l.LastName) == "" {
		return false
	}
	for _, v := range []string{l.Company, l.City, l.Street, l.PostalCode, l.Custom["birth_date"]} {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

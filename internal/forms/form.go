// Package forms holds the web-to-lead forms and landing pages marketing
// builds, and turns a visitor's submission into lead data: stored raw
// first, checked for bots, validated, then taken in by lead intake.
package forms

import (
	"leadflow/internal/country"
	"leadflow/internal/i18n"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
)

// Field is one question of a form: a standard lead field, or a custom
// one whose answer is kept among the lead's custom fields.
type Field struct {
	Name     string   `json:"name"`  // a lead field (email, company...) or a custom key
	Label    string   `json:"label"` // what the visitor reads; defaults to the field's name
	Type     string   `json:"type"`  // custom fields: text, number, select, checkbox, date; "" for standard ones
	Required bool     `json:"required"`
	Options  []string `json:"options,omitempty"` // select
}

// Custom reports whether f is a custom field.
func (f Field) Custom() bool { return f.Type != "" }

// Key is where the answer goes in lead changes.
func (f Field) Key() string {
	if f.Custom() {
		return lead.CustomPrefix + f.Name
	}
	return f.Name
}

// CustomTypes are the kinds of custom question.
var CustomTypes = []string{"text", "number", "select", "checkbox", "date"}

// StandardFields are the lead fields a form may ask for.
var StandardFields = []string{
	lead.FEmail, lead.FFirstName, lead.FLastName, lead.FPhone, lead.FCompany, lead.FJobTitle,
	lead.FEmployees, lead.FIndustry, lead.FCountry, lead.FCity, lead.FWebsite, lead.FExistingCustomer,
}

// Form is a web-to-lead form.
type Form struct {
	ID          int64
	Slug        string // its address: /f/{slug}
	Name        string
	Fields      []Field
	ConsentText string // when set, the form asks for marketing consent with this text
	// DoubleOptIn asks everyone who gives consent to confirm it by
	// email before it counts.
	DoubleOptIn bool
	ThankYou    string // shown after a submission, unless RedirectURL is set
	RedirectURL string
	Source      string // credited as the lead's source
	Campaign    string // credited as utm_campaign when the visit brings none
	// DefaultCountry (an ISO code, "" for none) is the country national
	// phone numbers are read in when the visitor gives no country.
	DefaultCountry string
	// Language is the language the form and its landing pages speak to
	// visitors (one of i18n.Langs), "" for each visitor's browser's.
	Language  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultThankYou is shown when a form sets no message of its own.
const DefaultThankYou = "Thank you! We have received your details and will be in touch soon."

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks a form definition and names each problem. Field
// problems are keyed fields.N.name and so on, N counting from 0.
func (f *Form) Validate() error {
	bad := fault.Fields{}
	if f.DefaultCountry != "" {
		if code, ok := country.Normalize(f.DefaultCountry); ok {
			f.DefaultCountry = code
		} else {
			bad.Add("default_country", "must be a country name or a two-letter ISO code such as RO")
		}
	}
	if f.Language != "" && !i18n.Valid(f.Language) {
		bad.Add("language", "must be one of en, ro, it, nb")
	}
	f.Slug = strings.ToLower(strings.TrimSpace(f.Slug))
	f.Name = strings.TrimSpace(f.Name)
	switch {
	case f.Slug == "":
		bad.Add("slug", "is required")
	case len(f.Slug) > 60 || !slugPattern.MatchString(f.Slug):
		bad.Add("slug", "must be 1 to 60 lower-case letters, digits and single hyphens, like contact-us")
	}
	if f.Name == "" {
		bad.Add("name", "is required")
	} else if utf8.RuneCountInString(f.Name) > 200 {
		bad.Add("name", "must be at most 200 characters")
	}
	f.RedirectURL = strings.TrimSpace(f.RedirectURL)
	if f.RedirectURL != "" {
		u, err := url.Parse(f.RedirectURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad.Add("redirect_url", "must be a full http(s) address such as https://example.com/thanks")
		}
	}
	for k, n := range map[string]int{"consent_text": len(f.ConsentText), "thank_you": len(f.ThankYou), "source": len(f.Source), "campaign": len(f.Campaign)} {
		if n > 2000 {
			bad.Add(k, "is too long")
		}
	}
	f.Source = strings.ToLower(strings.TrimSpace(f.Source))
	if f.DoubleOptIn && strings.TrimSpace(f.ConsentText) == "" {
		bad.Add("double_opt_in", "needs the consent wording: without it the form asks for no consent to confirm")
	}
	validateFields(f, bad)
	return bad.Err()
}

func validateFields(f *Form, bad fault.Fields) {
	seen := map[string]bool{}
	hasEmail := false
	for i := range f.Fields {
		fd := &f.Fields[i]
		at := "fields." + strconv.Itoa(i) + "."
		fd.Name = strings.TrimSpace(fd.Name)
		fd.Label = strings.TrimSpace(fd.Label)
		switch {
		case fd.Custom() && !slices.Contains(CustomTypes, fd.Type):
			bad.Add(at+"type", "must be one of text, number, select, checkbox, date")
		case fd.Custom() && (!lead.ValidCustomKey(fd.Name) || slices.Contains(StandardFields, fd.Name)):
			bad.Add(at+"name", "must be 1 to 40 lower-case letters, digits and underscores, and not a standard field's name")
		case !fd.Custom() && !slices.Contains(StandardFields, fd.Name):
			bad.Add(at+"name", "is not a lead field a form can ask for; give a custom field a type")
		case seen[fd.Name]:
			bad.Add(at+"name", "is asked twice")
		}
		seen[fd.Name] = true
		if fd.Name == lead.FEmail {
			hasEmail, fd.Required = true, true // leads are matched by email
		}
		if fd.Type == "select" && len(fd.Options) == 0 {
			bad.Add(at+"options", "a select needs at least one option")
		}
		if fd.Label == "" {
			fd.Label = defaultLabel(fd.Name)
		}
	}
	if !hasEmail {
		bad.Add("fields", "must include email: it is how leads are recognised")
	}
}

var standardLabels = map[string]string{
	lead.FEmail: "Work email", lead.FFirstName: "First name", lead.FLastName: "Last name", lead.FPhone: "Phone",
	lead.FCompany: "Company", lead.FJobTitle: "Job title", lead.FEmployees: "Company size (employees)",
	lead.FIndustry: "Industry", lead.FCountry: "Country", lead.FCity: "City", lead.FWebsite: "Website",
	lead.FExistingCustomer: "I am already a customer",
}

// DefaultLabel is the label a field gets when its form gives none, in
// English; a form shown in another language shows such a label in it.
func DefaultLabel(name string) string { return defaultLabel(name) }

func defaultLabel(name string) string {
	if l, ok := standardLabels[name]; ok {
		return l
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// InputType is the HTML input type that fits f.
func (f Field) InputType() string {
	switch f.Name {
	case lead.FEmail:
		return "email"
	case lead.FPhone:
		return "tel"
	case lead.FEmployees:
		return "number"
	case lead.FWebsite:
		return "url"
	}
	switch f.Type {
	case "number":
		return "number"
	case "date":
		return "date"
	}
	return "text"
}

// Autocomplete is the autofill hint for f, so browsers fill forms for
// their users.
func (f Field) Autocomplete() string {
	return map[string]string{
		lead.FEmail: "email", lead.FFirstName: "given-name", lead.FLastName: "family-name", lead.FPhone: "tel",
		lead.FCompany: "organization", lead.FJobTitle: "organization-title", lead.FCountry: "country",
		lead.FCity: "address-level2", lead.FWebsite: "url",
	}[f.Name]
}

// IsCheckbox reports whether f is answered by ticking a box.
func (f Field) IsCheckbox() bool { return f.Type == "checkbox" || f.Name == lead.FExistingCustomer }

// IsCountry reports whether f is the country select.
func (f Field) IsCountry() bool { return f.Name == lead.FCountry }

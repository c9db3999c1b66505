package catalog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/fault"
	"leadflow/internal/mailaddr"
	"leadflow/internal/matching"
)

// Input is a solution as a form, an import row or the API sends it:
// numbers in text, so a bad one is named instead of lost.
type Input struct {
	Vendor, Product, Category string
	Industries                []string
	Deployments               []string // of matching.Deployments
	Features                  []string // keys of the vocabulary
	Integrations              []string
	Languages                 []string // ISO 639-1 codes
	Price                     string   // per licence, such as 12.50
	PricePeriod               string   // month or year
	Setup                     string   // one-off; "" for none
	Currency                  string   // ISO 4217
	MinLicences, MaxLicences  string   // "" for no bound
	Active                    string   // true or false; "" is true
	ContactName, ContactEmail string
}

// InputOf returns s's fields as text, for an edit form or an export.
func InputOf(s Solution) Input {
	count := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	in := Input{Vendor: s.Vendor, Product: s.Product, Category: s.Category, Industries: s.Industries,
		Deployments: s.Deployments, Features: s.Features, Integrations: s.Integrations, Languages: s.Languages,
		Price: Decimal(s.Price), PricePeriod: string(s.PricePeriod), Currency: s.Currency,
		MinLicences: count(s.MinLicences), MaxLicences: count(s.MaxLicences), Active: strconv.FormatBool(s.Active),
		ContactName: s.ContactName, ContactEmail: s.ContactEmail}
	if s.Setup != 0 {
		in.Setup = Decimal(s.Setup)
	}
	return in
}

var (
	keyPattern      = regexp.MustCompile(`^[a-z0-9]+([ ._/&+-][a-z0-9]+)*$`)
	languagePattern = regexp.MustCompile(`^[a-z]{2}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// validate checks in against the rules and the feature vocabulary
// (known), and returns the solution it describes, naming each bad field.
func validate(in Input, known map[string]bool) (Solution, error) {
	bad := fault.Fields{}
	var sol Solution
	sol.Vendor = text(in.Vendor, "vendor", 120, true, bad)
	sol.Product = text(in.Product, "product", 120, true, bad)
	sol.Category = strings.ToLower(strings.TrimSpace(in.Category))
	switch {
	case sol.Category == "":
		bad.Add("category", "is required, such as "+strings.Join(Categories[:6], ", "))
	case len(sol.Category) > 40 || !keyPattern.MatchString(sol.Category):
		bad.Add("category", "must be at most 40 lower-case letters, digits and single separators, such as e-commerce")
	}
	sol.Industries = Keys(in.Industries, "industries", 60, bad)
	sol.Integrations = Keys(in.Integrations, "integrations", 60, bad)
	sol.Deployments = Keys(in.Deployments, "deployments", 20, bad)
	for _, d := range sol.Deployments {
		if !slices.Contains(matching.Deployments, d) {
			bad.Add("deployments", "must be among "+strings.Join(matching.Deployments, ", ")+"; "+d+" is not")
		}
	}
	if len(sol.Deployments) == 0 {
		bad.Add("deployments", "name at least one of "+strings.Join(matching.Deployments, ", "))
	}
	sol.Languages = Keys(in.Languages, "languages", 2, bad)
	for _, l := range sol.Languages {
		if !languagePattern.MatchString(l) {
			bad.Add("languages", "must be two-letter ISO 639-1 codes such as en, ro, it, nb; "+l+" is not")
		}
	}
	sol.Features = Keys(in.Features, "features", 60, bad)
	checkFeatures(known, sol.Features, "features", bad)
	var ok bool
	if sol.Price, ok = Minor(in.Price); !ok || strings.TrimSpace(in.Price) == "" {
		bad.Add("price", "is required: the price of one licence, such as 12.50")
	}
	sol.PricePeriod = matching.Period(strings.ToLower(strings.TrimSpace(in.PricePeriod)))
	if sol.PricePeriod != matching.Month && sol.PricePeriod != matching.Year {
		bad.Add("price_period", "must be month or year")
	}
	if sol.Setup, ok = Minor(in.Setup); !ok {
		bad.Add("setup", "must be an amount such as 1500 or 1500.50, 0 or more")
	}
	sol.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if !currencyPattern.MatchString(sol.Currency) {
		bad.Add("currency", "must be a three-letter ISO 4217 code such as EUR")
	}
	sol.MinLicences = count(in.MinLicences, "min_licences", bad)
	sol.MaxLicences = count(in.MaxLicences, "max_licences", bad)
	if sol.MaxLicences != 0 && sol.MaxLicences < sol.MinLicences {
		bad.Add("max_licences", "must not be below min_licences")
	}
	switch strings.ToLower(strings.TrimSpace(in.Active)) {
	case "", "true", "yes", "1", "on":
		sol.Active = true
	case "false", "no", "0", "off":
	default:
		bad.Add("active", "must be true or false")
	}
	sol.ContactName = text(in.ContactName, "contact_name", 120, false, bad)
	if e := strings.TrimSpace(in.ContactEmail); e != "" {
		addr, reason := mailaddr.Normalize(e)
		if reason != "" {
			bad.Add("contact_email", reason)
		}
		sol.ContactEmail = addr
	}
	return sol, bad.Err()
}

func text(v, field string, most int, required bool, bad fault.Fields) string {
	v = strings.TrimSpace(v)
	if required && v == "" {
		bad.Add(field, "is required")
	}
	if utf8.RuneCountInString(v) > most {
		bad.Add(field, "must be at most "+strconv.Itoa(most)+" characters")
	}
	return v
}

// Keys normalises a list of keys: trimmed, lower case, each once, in
// the order given. A key that is too long or badly formed is named under
// field.
func Keys(in []string, field string, most int, bad fault.Fields) []string {
	out := []string{}
	for _, k := range in {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" || slices.Contains(out, k) {
			continue
		}
		if len(k) > most || !keyPattern.MatchString(k) {
			bad.Add(field, "each must be at most "+strconv.Itoa(most)+" letters and digits with single separators; "+strconv.Quote(k)+" is not")
			continue
		}
		out = append(out, k)
	}
	if len(out) > 100 {
		bad.Add(field, "must list at most 100")
	}
	return out
}

// SplitList reads a list written in one text field: items separated by
// semicolons, commas or line breaks.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '|' })
}

func count(v, field string, bad fault.Fields) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 10_000_000 {
		bad.Add(field, "must be a whole number from 0 to 10,000,000")
	}
	return n
}

// Minor reads an amount such as 12, 12.5 or 1200.50 into minor units;
// "" is 0. ok is false for anything else, negatives and more than two
// decimals included.
func Minor(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	whole, frac, dot := strings.Cut(v, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || dot && frac == "" {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// Decimal writes minor units as an amount: 1250 is 12.50, 1200 is 12.
func Decimal(minor int64) string {
	s := strconv.FormatInt(minor/100, 10)
	if c := minor % 100; c != 0 {
		s += "." + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
	}
	return s
}

package catalog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// Text is a JSON member read as text whether it was sent as a string, a
// number or a boolean, so "12.50", 12.5 and true are all kept as written
// and validated like a form's fields.
type Text string

// UnmarshalJSON keeps a string's value or a number's or boolean's
// literal; null is "".
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case len(b) > 0 && (b[0] == '[' || b[0] == '{'):
		return &json.UnmarshalTypeError{Value: "array or object", Type: reflect.TypeOf("")}
	default:
		*t = Text(b)
	}
	return nil
}

// List is a JSON member read as a list of strings: an array, or one
// string of items separated by semicolons or commas.
type List []string

// UnmarshalJSON reads an array of strings or one string.
func (l *List) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = SplitList(one)
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// Record is a solution as the API and a JSON import send it; its member
// names are the CSV import's column names too.
type Record struct {
	Vendor       string `json:"vendor"`
	Product      string `json:"product"`
	Category     string `json:"category"`
	Industries   List   `json:"industries"`
	Deployments  List   `json:"deployments"`
	Features     List   `json:"features"`
	Integrations List   `json:"integrations"`
	Languages    List   `json:"languages"`
	Price        Text   `json:"price"`
	PricePeriod  string `json:"price_period"`
	Setup        Text   `json:"setup"`
	Currency     string `json:"currency"`
	MinLicences  Text   `json:"min_licences"`
	MaxLicences  Text   `json:"max_licences"`
	Active       Text   `json:"active"`
	ContactName  string `json:"contact_name"`
	ContactEmail string `json:"contact_email"`
}

// Input is the record as text to validate.
func (r Record) Input() Input {
	return Input{Vendor: r.Vendor, Product: r.Product, Category: r.Category, Industries: r.Industries,
		Deployments: r.Deployments, Features: r.Features, Integrations: r.Integrations, Languages: r.Languages,
		Price: string(r.Price), PricePeriod: r.PricePeriod, Setup: string(r.Setup), Currency: r.Currency,
		MinLicences: string(r.MinLicences), MaxLicences: string(r.MaxLicences), Active: string(r.Active),
		ContactName: r.ContactName, ContactEmail: r.ContactEmail}
}

// RecordOf is the record of a stored solution.
func RecordOf(s Solution) Record {
	in := InputOf(s)
	return Record{Vendor: in.Vendor, Product: in.Product, Category: in.Category, Industries: in.Industries,
		Deployments: in.Deployments, Features: in.Features, Integrations: in.Integrations, Languages: in.Languages,
		Price: Text(in.Price), PricePeriod: in.PricePeriod, Setup: Text(in.Setup), Currency: in.Currency,
		MinLicences: Text(in.MinLicences), MaxLicences: Text(in.MaxLicences), Active: Text(in.Active),
		ContactName: in.ContactName, ContactEmail: in.ContactEmail}
}

// Columns are the CSV import's column names, in the order of an export.
var Columns = []string{"vendor", "product", "category", "industries", "deployments", "features", "integrations",
	"languages", "price", "price_period", "setup", "currency", "min_licences", "max_licences", "active",
	"contact_name", "contact_email"}

// fromColumns builds an input from a CSV row's cells by column name.
func fromColumns(cell func(name string) string) Input {
	return Input{Vendor: cell("vendor"), Product: cell("product"), Category: cell("category"),
		Industries: SplitList(cell("industries")), Deployments: SplitList(cell("deployments")),
		Features: SplitList(cell("features")), Integrations: SplitList(cell("integrations")),
		Languages: SplitList(cell("languages")), Price: cell("price"), PricePeriod: cell("price_period"),
		Setup: cell("setup"), Currency: cell("currency"), MinLicences: cell("min_licences"),
		MaxLicences: cell("max_licences"), Active: cell("active"), ContactName: cell("contact_name"),
		ContactEmail: cell("contact_email")}
}

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

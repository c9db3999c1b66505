package web

import (
	"net/http"
	"slices"
	"strings"

	"leadflow/internal/i18n"
)

// numberFields are the form fields that take a number with decimals or
// thousands (amounts, prices, hours, rates, head counts), which a reader
// types as their language writes numbers.
var numberFields = []string{"amount", "budget", "unit_price", "unit_cost", "price", "setup", "revenue", "hours",
	"quantity", "vat_rate", "discount", "margin", "tolerance", "day_rate", "min_probability", "employees",
	"min_employees", "max_employees", "licences", "min_licences", "max_licences", "warn_at", "default_vat_rate"}

// numberSuffixes end the names of numbered rows' number fields: a
// project's features (features.0.days_low).
var numberSuffixes = []string{".days_low", ".days_high"}

// wholeFields are those of numberFields that are always whole, where a
// point typed in Italian or Romanian can only group thousands ("1.500").
var wholeFields = []string{"revenue", "min_probability", "employees", "min_employees", "max_employees",
	"licences", "min_licences", "max_licences", "warn_at"}

// readNumbers rewrites a posted form's numbers, typed in the reader's
// way ("1.250,50" in Italian, "12 500" in Bokmål), as the parsers read
// them ("1250.50"), so that the pages, which write numbers the reader's
// way, take them back the same way. What is not certainly a number is
// left as typed (see i18n's ReadNumber), and what it writes reads the
// same again, so a form shown again after a refusal keeps its values.
func readNumbers(r *http.Request) {
	// textOnly, in front of every page, has read a posted form (not a
	// file upload) already, and refused one it could not read.
	if r.Method != http.MethodPost || r.PostForm == nil {
		return
	}
	l := i18n.From(r.Context())
	for name, posted := range r.PostForm {
		if !isNumberField(name) {
			continue
		}
		read := l.ReadNumber
		if wholeAt(name, r.URL.Path) {
			read = l.ReadWhole
		}
		out := make([]string, len(posted))
		for i, v := range posted {
			out[i] = read(v)
		}
		r.PostForm[name] = out
		// r.Form holds the body's values before the URL's.
		r.Form[name] = append(slices.Clone(out), r.URL.Query()[name]...)
	}
}

func isNumberField(name string) bool {
	if slices.Contains(numberFields, name) {
		return true
	}
	return slices.ContainsFunc(numberSuffixes, func(suffix string) bool { return strings.HasSuffix(name, suffix) })
}

// wholeAt reports whether the number field name of a form posted to path
// is always whole: a deal's amount is, an invoice's payment or discount
// has cents; a qualification's budget is, a request's or a project's
// may have cents.
func wholeAt(name, path string) bool {
	switch name {
	case "amount":
		return !strings.HasPrefix(path, "/invoices/")
	case "budget":
		return strings.HasSuffix(path, "/qualify")
	}
	return slices.Contains(wholeFields, name)
}

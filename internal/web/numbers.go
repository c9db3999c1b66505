package web

import (
	"mime"
	"net/http"
	"slices"

	"leadflow/internal/i18n"
)

// numberFields are the form fields that take a number with decimals or
// thousands (amounts, prices, hours, rates, head counts), which a reader
// types as their language writes numbers.
var numberFields = []string{"amount", "budget", "unit_price", "unit_cost", "price", "setup", "revenue", "hours",
	"quantity", "vat_rate", "discount", "margin", "tolerance", "day_rate", "min_probability", "employees",
	"min_employees", "max_employees", "licences", "min_licences", "max_licences", "warn_at"}

// readNumbers rewrites a posted form's numbers, typed in the reader's
// way ("1.250,50" in Italian, "12 500" in Bokmål), as the parsers read
// them ("1250.50"), so that the pages, which write numbers the reader's
// way, take them back the same way. Anything else is left as typed.
func readNumbers(r *http.Request) {
	if r.Method != http.MethodPost {
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return
	}
	if err := r.ParseForm(); err != nil {
		return // the handler meets the same error and answers it
	}
	l := i18n.From(r.Context())
	for _, name := range numberFields {
		posted, ok := r.PostForm[name]
		if !ok {
			continue
		}
		// Each value is read once (reading "1.500" again would make
		// fifteen hundred of one and a half), then r.Form, which holds
		// the body's values before the URL's, takes the same.
		read := make([]string, len(posted))
		for i, v := range posted {
			read[i] = l.ReadNumber(v)
		}
		r.PostForm[name] = read
		r.Form[name] = append(slices.Clone(read), r.URL.Query()[name]...)
	}
}

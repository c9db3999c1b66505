package i18n

import (
	"regexp"
	"strings"
)

// reasons are the field errors the domain writes most, in English, with
// the message each reads as in the catalogs. The domain and the API keep
// English; a page shows the reason in its reader's language, and any
// reason not listed here in English.
var reasons = []struct {
	re *regexp.Regexp
	id string
	// args names the submatches, in order, as the message's placeholders.
	args []string
}{
	{regexp.MustCompile(`^is required$`), "why.required", nil},
	{regexp.MustCompile(`^is required unless the lead has a phone, or a name with a company, city, address or birth date$`), "why.required_unless", nil},
	{regexp.MustCompile(`^must be at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^is at most ([\d,]+) characters$`), "why.at_most_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be at least ([\d,]+) characters$`), "why.at_least_chars", []string{"Count"}},
	{regexp.MustCompile(`^must be an email address$`), "why.email", nil},
	{regexp.MustCompile(`^is wrong$`), "why.wrong", nil},
	{regexp.MustCompile(`^must be true or false$`), "why.true_false", nil},
	{regexp.MustCompile(`^must be a date(?: as|,) YYYY-MM-DD$`), "why.date", nil},
	{regexp.MustCompile(`^must be a number$`), "why.number", nil},
	{regexp.MustCompile(`^must be a whole number from ([\d,]+) to ([\d,]+)$`), "why.whole_range", []string{"Min", "Max"}},
	{regexp.MustCompile(`^must be a three-letter currency code such as EUR(?: or USD)?$`), "why.currency", nil},
	{regexp.MustCompile(`^must be a country name or a two-letter ISO code such as RO$`), "why.country", nil},
	{regexp.MustCompile(`^must be one of en, ro, it, nb$`), "why.language", nil},
	{regexp.MustCompile(`^did you mean (\S+)\?$`), "why.did_you_mean", []string{"Address"}},
}

// Reason is reason, a field error in English, in l's language.
func (l *Locale) Reason(reason string) string {
	for _, r := range reasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range r.args {
			v := m[i+1]
			switch name {
			case "Count":
				v = strings.ReplaceAll(v, ",", "")
			case "Min", "Max":
				v = l.Number(atoi(strings.ReplaceAll(v, ",", "")))
			}
			args = append(args, name, v)
		}
		return l.T(r.id, args...)
	}
	return reason
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

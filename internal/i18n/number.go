package i18n

import (
	"regexp"
	"strings"
)

// grouped is a whole number written in groups of three after a first
// group of one to three digits that does not start with 0, the groups
// joined by one mark ("1.250.000", "12 500"); "0.500" is not one.
var grouped = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:(?:\.|,| |\x{00a0}|\x{202f})\d{3})+$`)

// ReadNumber is s, a number as a reader of l's language types it (with
// its decimal mark and its thousands marks: "1.250,50" in Italian,
// "12 500,5" in Bokmål, "1,250.50" in English), written as leadflow's
// parsers read numbers: "1250.50". What is not such a number is given
// back as it came, for the parser to refuse by name. A point typed as
// the decimal mark where the language uses a comma ("1250.50" in
// Italian, as leadflow's own examples write it) still reads as one,
// unless it groups thousands ("1.500" is fifteen hundred in Italian).
func (l *Locale) ReadNumber(s string) string {
	t := strings.TrimSpace(strings.ReplaceAll(s, l.minus, "-"))
	if t == "" {
		return s
	}
	if l.decimal == "." {
		if whole, frac, _ := strings.Cut(t, "."); strings.Contains(whole, ",") && grouped.MatchString(whole) && !strings.ContainsAny(frac, ",.") {
			return strings.ReplaceAll(t, ",", "")
		}
		return s
	}
	if strings.Count(t, l.decimal) == 1 {
		whole, frac, _ := strings.Cut(t, l.decimal)
		if !isDigits(frac) {
			return s
		}
		if !isDigits(strings.TrimPrefix(whole, "-")) {
			if !grouped.MatchString(whole) {
				return s
			}
			whole = ungroup(whole)
		}
		return whole + "." + frac
	}
	if strings.Contains(t, l.decimal) || !grouped.MatchString(t) || strings.Count(t, ",") > 0 {
		return s
	}
	return ungroup(t)
}

func ungroup(s string) string {
	return strings.NewReplacer(".", "", ",", "", " ", "", "\u00a0", "", "\u202f", "").Replace(s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

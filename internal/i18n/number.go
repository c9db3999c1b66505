package i18n

import (
	"regexp"
	"strings"
)

// A whole number in groups of three after a first group of one to three
// digits that does not start with 0, every group joined by the same
// mark: the point ("1.250.000", Romanian and Italian), the comma
// (English) or a space of any width (all four languages).
var (
	groupedPoint = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:\.\d{3})+$`)
	groupedComma = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:,\d{3})+$`)
	groupedSpace = regexp.MustCompile(`^-?[1-9]\d{0,2}(?:[ \x{00a0}\x{202f}]\d{3})+$`)
)

// ReadNumber is s, a number as a reader of l's language types it,
// written as leadflow's parsers read numbers ("1250.50"), where the
// reading is certain:
//   - a decimal comma ("1250,50", "1.250,5", "1,125" in Italian;
//     "12 500,50" in Bokmål), which in these languages never groups
//     thousands, as the parsers would take it to;
//   - thousands grouped by spaces ("12 500"), or by points in more than
//     one group ("1.250.000") where the point groups thousands;
//   - in English, thousands grouped by commas ("1,250.50").
//
// Anything else comes back as typed, for the parser to read or refuse by
// name: "112.000" in Italian (a hundred and twelve thousand, or 112?) is
// not guessed (but see ReadWhole). The result reads the same when read
// again, so a form shown again with it and sent back keeps its value.
func (l *Locale) ReadNumber(s string) string {
	t := strings.TrimSpace(strings.ReplaceAll(s, l.minus, "-"))
	if l.decimal == "." {
		whole, frac, hasFrac := strings.Cut(t, ".")
		if groupedComma.MatchString(whole) && (!hasFrac || isDigits(frac)) {
			return strings.ReplaceAll(t, ",", "")
		}
		return s
	}
	whole, frac, hasFrac := strings.Cut(t, l.decimal)
	if !hasFrac {
		if l.grouped(t, false) {
			return ungroup(t)
		}
		return s
	}
	if !isDigits(frac) {
		return s
	}
	if d := strings.TrimPrefix(whole, "-"); d != "" && !isDigits(d) {
		if !l.grouped(whole, true) {
			return s
		}
		whole = ungroup(whole)
	}
	return whole + "." + frac
}

// plainDecimal is a number as the parsers write it: "-1250.50".
var plainDecimal = regexp.MustCompile(`^-?\d+\.\d+$`)

// Typed writes s, a number as the parsers write it ("1250.50"), as a
// reader of l's language types it back into a form: "1250,50" in
// Italian, Romanian and Bokmål. Thousands are not grouped: in a field
// with cents, a grouped "12.500" would read back as twelve and a half.
// What is not such a number comes back as it is. A number ReadNumber
// could not be sure of ("1.125" in Italian) is one the parsers read with
// a point, and is shown with the reader's decimal mark ("1,125"), which
// reads back as the same number.
func (l *Locale) Typed(s string) string {
	if l.decimal == "." || !plainDecimal.MatchString(s) {
		return s
	}
	return strings.Replace(s, ".", l.decimal, 1)
}

// ReadWhole is ReadNumber for a number that is always whole (a head
// count, a number of licences), where a point can only group thousands:
// "1.500" in Italian is fifteen hundred.
func (l *Locale) ReadWhole(s string) string {
	if t := strings.TrimSpace(strings.ReplaceAll(s, l.minus, "-")); l.groupsWithPoint() && groupedPoint.MatchString(t) {
		return ungroup(t)
	}
	return l.ReadNumber(s)
}

// grouped reports whether s is a whole number grouped the way l writes
// thousands; one group of points ("112.000") counts only beside a
// decimal comma, where it cannot be a decimal point.
func (l *Locale) grouped(s string, besideDecimal bool) bool {
	if groupedSpace.MatchString(s) {
		return true
	}
	if !l.groupsWithPoint() || !groupedPoint.MatchString(s) {
		return false
	}
	return besideDecimal || strings.Count(s, ".") > 1
}

// groupsWithPoint reports whether l's readers group thousands with a
// point (Romanian and Italian; Bokmål groups them with a space).
func (l *Locale) groupsWithPoint() bool { return l.group == "." }

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

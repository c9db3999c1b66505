package i18n

import (
	"regexp"
	"strings"
	"time"
)

// quarterFirst and quarterLast are a quarter as people write one: Q1
// 2027, T1 2027 (a trimestru, trimestre), K1 2027 (kvartal), or the year
// first.
var (
	quarterFirst = regexp.MustCompile(`^(?i)([QTK])([1-4])[ /.-]?(\d{4})$`)
	quarterLast  = regexp.MustCompile(`^(?i)(\d{4})[ /.-]?([QTK])([1-4])$`)
)

// ReadDay is s, a day or a quarter as a reader of l's language types
// one, written as leadflow keeps them: "31.03.2027" in Romanian is
// "2027-03-31", "T1 2027" is "2027-Q1". Anything else comes back as
// typed, for the parser to read or refuse by name.
func (l *Locale) ReadDay(s string) string {
	t := strings.TrimSpace(s)
	if d, err := time.Parse(l.dateLayout, t); err == nil {
		return d.Format(time.DateOnly)
	}
	if m := quarterFirst.FindStringSubmatch(t); m != nil {
		return m[3] + "-Q" + m[2]
	}
	if m := quarterLast.FindStringSubmatch(t); m != nil {
		return m[1] + "-Q" + m[3]
	}
	return s
}

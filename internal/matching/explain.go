package matching

import (
	"math/big"
	"strings"

	"leadflow/internal/i18n"
)

// Note explains the cell in a sentence, in English.
func (c Cell) Note() string { return c.NoteIn(i18n.For(i18n.Default)) }

// NoteIn explains the cell in a sentence of l's language: why it passed,
// failed or earned its points. It is worked out when shown, so ranking
// a large catalog builds no text.
func (c Cell) NoteIn(l *i18n.Locale) string {
	if !c.Applies {
		return l.T("match.not_asked")
	}
	list := func(s []string) string { return strings.Join(s, ", ") }
	switch c.Criterion {
	case Category:
		if c.Pass {
			return l.T("match.category_asked")
		}
		return l.T("match.another_category")
	case MustHave, Integrations:
		if c.Pass {
			return l.T("match.has_all", "Count", c.Asked)
		}
		return l.T("match.lacks", "List", list(c.Missing))
	case Deployment:
		if c.Pass {
			return l.T("match.deliverable")
		}
		return l.T("match.not_available_as", "List", strings.Join(c.Missing, " "+l.T("bdoc.or")+" "))
	case NiceToHave:
		s := l.T("match.has_of", "Found", c.Found, "Count", c.Asked)
		if len(c.Missing) > 0 {
			s += "; " + l.T("match.lacks", "List", list(c.Missing))
		}
		return s
	case Industry:
		if c.Pass {
			return l.T("match.serves_industry")
		}
		return l.T("match.not_for_industry")
	case Language:
		if c.Pass {
			return l.T("match.speaks_language")
		}
		return l.T("match.in_none_of", "List", list(c.Missing))
	case Licences:
		sells := l.T("match.sells_or_more", "Min", max(c.Min, 1))
		if c.Max2 > 0 {
			sells = l.T("match.sells_range", "Min", max(c.Min, 1), "Max", c.Max2)
		}
		if c.Pass {
			return l.T("match.licences_fit", "Count", c.Want, "Sells", sells)
		}
		return l.T("match.licences_do_not_fit", "Count", c.Want, "Sells", sells)
	case Budget:
		over := l.T("match.cost_over", "Cost", money(l, c.Cost, c.Currency), "Count", c.Months)
		limit := money(l, c.Limit, "")
		switch {
		case c.Wanted != "" && c.Wanted != c.Currency:
			return l.T("match.not_comparable", "Cost", over, "Currency", c.Currency, "Wanted", c.Wanted)
		case c.Cost <= c.Limit:
			return l.T("match.within_budget", "Cost", over, "Limit", limit)
		case c.Points > 0:
			return l.T("match.over_within_tolerance", "Cost", over, "Percent", l.Decimal(100*float64(c.Cost-c.Limit)/float64(c.Limit), 0), "Limit", limit)
		}
		return l.T("match.over_budget", "Cost", over, "Percent", l.Decimal(100*float64(c.Cost-c.Limit)/float64(c.Limit), 0), "Limit", limit)
	}
	return ""
}

// money writes minor units as l writes money, with cents only when
// there are some, as Money does.
func money(l *i18n.Locale, minor int64, currency string) string {
	if minor%100 == 0 {
		return l.Money(big.NewInt(minor/100), currency)
	}
	return l.MoneyMinor(big.NewInt(minor), currency, 2)
}

// Reason explains why a match was excluded, in English.
func (m Match) Reason() string { return m.ReasonIn(i18n.For(i18n.Default)) }

// ReasonIn explains why a match was excluded, in l's language: its
// failing filter's note.
func (m Match) ReasonIn(l *i18n.Locale) string {
	for _, c := range m.Cells {
		if c.Criterion == m.Excluded {
			return c.Criterion.LabelIn(l) + ": " + c.NoteIn(l)
		}
	}
	return ""
}

// Cell returns the match's cell for criterion c.
func (m Match) Cell(c Criterion) Cell {
	for _, cell := range m.Cells {
		if cell.Criterion == c {
			return cell
		}
	}
	return Cell{Criterion: c}
}

package matching

import (
	"fmt"
	"strings"
)

// Note explains the cell in a sentence: why it passed, failed or earned
// its points. It is worked out when shown, so ranking a large catalog
// builds no text.
func (c Cell) Note() string {
	if !c.Applies {
		return "not asked"
	}
	switch c.Criterion {
	case Category:
		if c.Pass {
			return "the category asked for"
		}
		return "another category"
	case MustHave, Integrations:
		if c.Pass {
			return fmt.Sprintf("has all %d", c.Asked)
		}
		return "lacks " + strings.Join(c.Missing, ", ")
	case Deployment:
		if c.Pass {
			return "can be delivered as asked"
		}
		return "not available as " + strings.Join(c.Missing, " or ")
	case NiceToHave:
		s := fmt.Sprintf("has %d of %d", c.Found, c.Asked)
		if len(c.Missing) > 0 {
			s += "; lacks " + strings.Join(c.Missing, ", ")
		}
		return s
	case Industry:
		if c.Pass {
			return "serves the industry"
		}
		return "not made for the industry"
	case Language:
		if c.Pass {
			return "speaks a language asked for"
		}
		return "in none of " + strings.Join(c.Missing, ", ")
	case Licences:
		r := fmt.Sprintf("sells %d", max(c.Min, 1))
		if c.Max2 > 0 {
			r += fmt.Sprintf("–%d", c.Max2)
		} else {
			r += " or more"
		}
		if c.Pass {
			return fmt.Sprintf("%d licences fit (%s)", c.Want, r)
		}
		return fmt.Sprintf("%d licences do not fit (%s)", c.Want, r)
	case Budget:
		cost := Money(c.Cost, c.Currency)
		over := fmt.Sprintf("%s over %d months", cost, c.Months)
		switch {
		case c.Wanted != "" && c.Wanted != c.Currency:
			return fmt.Sprintf("%s, priced in %s, not comparable with a budget in %s", over, c.Currency, c.Wanted)
		case c.Cost <= c.Limit:
			return over + ", within the budget of " + Money(c.Limit, "")
		case c.Points > 0:
			return fmt.Sprintf("%s, %.0f%% over the budget of %s, within the tolerance", over,
				100*float64(c.Cost-c.Limit)/float64(c.Limit), Money(c.Limit, ""))
		}
		return fmt.Sprintf("%s, %.0f%% over the budget of %s", over, 100*float64(c.Cost-c.Limit)/float64(c.Limit), Money(c.Limit, ""))
	}
	return ""
}

// Reason explains why a match was excluded: its failing filter's note.
func (m Match) Reason() string {
	for _, c := range m.Cells {
		if c.Criterion == m.Excluded {
			return c.Criterion.Label() + ": " + c.Note()
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

// Package matching ranks the solutions of a catalog against a software
// request's brief with a scoring matrix: hard filters (category, must-have
// features, deployment, required integrations) exclude a solution and
// name why; weighted criteria (nice-to-have features, industry, language,
// licence range, budget) give it points, and the points make a 0–100
// score. It is pure: callers load the catalog, the brief and the weights
// and pass them in, so a catalog change is seen by the next call.
package matching

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Period is what a price or a budget is counted per.
type Period string

// The periods. A solution's price is per licence per month or per year;
// a budget may also be one-off, for the whole horizon.
const (
	Month Period = "month"
	Year  Period = "year"
	Once  Period = "once"
)

// Deployments are the ways an application can be delivered.
var Deployments = []string{"cloud", "desktop", "mobile", "web"}

// Solution is a product of the catalog as matching reads it. Lists hold
// normalised keys (lower case); money is in minor units (cents).
type Solution struct {
	ID           int64
	Vendor       string
	Product      string
	Category     string
	Industries   []string
	Deployments  []string
	Features     []string
	Integrations []string
	Languages    []string
	Price        int64  // per licence per PricePeriod, minor units
	PricePeriod  Period // Month or Year
	Setup        int64  // one-off, minor units
	Currency     string
	MinLicences  int // 0 when there is no minimum
	MaxLicences  int // 0 when there is no maximum
}

// Request is the brief of a software request as matching reads it.
type Request struct {
	Industry     string
	Category     string   // "" when any category will do
	Deployments  []string // acceptable ways of delivery; empty for any
	Licences     int
	Budget       int64  // minor units; 0 when not given
	Currency     string // of Budget
	BudgetPeriod Period
	Horizon      int // months the cost is counted over; 0 means 12
	MustHave     []string
	NiceToHave   []string
	Integrations []string
	Languages    []string // any of these will do; empty for any
}

// HorizonMonths is the number of months the request's cost is counted
// over.
func (r Request) HorizonMonths() int {
	if r.Horizon <= 0 {
		return 12
	}
	return r.Horizon
}

// BudgetTotal is the budget over the horizon, in minor units.
func (r Request) BudgetTotal() int64 {
	switch r.BudgetPeriod {
	case Month:
		return r.Budget * int64(r.HorizonMonths())
	case Year:
		return r.Budget * int64(r.HorizonMonths()) / 12
	}
	return r.Budget
}

// Cost is what s costs for licences over months: the setup plus each
// licence's price for each month. The licence count is raised to the
// solution's minimum, which is what the buyer would have to pay for.
func Cost(s Solution, licences, months int) int64 {
	n := int64(max(licences, s.MinLicences))
	if s.PricePeriod == Year {
		// Whole years are paid for: 14 months cost two years.
		years := int64((months + 11) / 12)
		return s.Setup + n*s.Price*years
	}
	return s.Setup + n*s.Price*int64(months)
}

// Criterion names a column of the matrix.
type Criterion string

// The criteria, hard filters first.
const (
	Category     Criterion = "category"
	MustHave     Criterion = "must_have"
	Deployment   Criterion = "deployment"
	Integrations Criterion = "integrations"
	NiceToHave   Criterion = "nice_to_have"
	Industry     Criterion = "industry"
	Language     Criterion = "language"
	Licences     Criterion = "licences"
	Budget       Criterion = "budget"
)

// Filters are the hard criteria: failing one excludes a solution.
var Filters = []Criterion{Category, MustHave, Deployment, Integrations}

// Weighted are the criteria that give points.
var Weighted = []Criterion{NiceToHave, Industry, Language, Licences, Budget}

// Criteria are every column, in the matrix's order.
var Criteria = append(slices.Clone(Filters), Weighted...)

// Cell is one solution's result on one criterion, with what it needs to
// explain itself (see Note).
type Cell struct {
	Criterion Criterion
	// Applies is false when the request asks nothing of this criterion;
	// it then neither filters nor counts.
	Applies bool
	// Pass is whether a filter passed; for a weighted criterion, whether
	// it earned any points.
	Pass bool
	// Points earned of Max (the criterion's weight); 0 and 0 for filters.
	Points, Max float64
	// Missing lists what was asked for and not found (features,
	// deployments, integrations); Found counts what was found of Asked.
	Missing      []string
	Found, Asked int
	// Budget: the cost over the horizon and the budget it is held to.
	Cost, Limit int64
	Currency    string // the solution's
	Wanted      string // the budget's; "" when not said
	Months      int
	// Licences: the range the solution sells and the count asked.
	Min, Max2, Want int
}

// Match is one solution's row of the matrix.
type Match struct {
	// Solution points into the slice Rank was given, which must not
	// change while the result is in use.
	Solution *Solution
	// Score is 0–100: the points earned over the points available.
	Score int
	// Raw is the unrounded score, which breaks ties of Score.
	Raw float64
	// Excluded names the first hard filter that failed; "" when none.
	Excluded Criterion
	// Cells are the row, in the order of Criteria; an excluded match
	// has only the filters'.
	Cells []Cell
}

// Result is the ranked matrix for one request.
type Result struct {
	// Ranked are the solutions that passed every filter, best first.
	Ranked []Match
	// Excluded are those a filter excluded, in catalog order.
	Excluded []Match
	// Weights are the weights used (the request industry's).
	Weights Set
	// Threshold is the score under which the best match is not good
	// enough.
	Threshold int
	// Tolerance is how far over budget (a fraction) still earns points.
	Tolerance float64
}

// NeedsCustom reports whether no solution fits well enough: none passed
// the filters, or the best scored under the threshold. Then a custom
// project is the answer.
func (r Result) NeedsCustom() bool {
	return len(r.Ranked) == 0 || r.Ranked[0].Score < r.Threshold
}

// Rank builds the matrix of req against solutions with the weights
// config gives req's industry, and ranks it: by score, then by the
// unrounded score, then by cost (cheaper first), then product name and
// id, so equal solutions always come in the same order.
func Rank(req Request, solutions []Solution, config Config) Result {
	config = config.withDefaults()
	w := config.For(req.Industry)
	res := Result{Weights: w, Threshold: config.Threshold, Tolerance: config.Tolerance}
	res.Ranked = make([]Match, 0, len(solutions))
	q := prepare(req)
	// One backing array holds every row's filter cells; the rows that
	// pass grow theirs, so a large catalog costs few allocations.
	nf := len(Filters)
	cells := make([]Cell, len(solutions)*nf)
	for i := range solutions {
		m := evaluate(q, &solutions[i], w, config.Tolerance, cells[i*nf:i*nf:(i+1)*nf])
		if m.Excluded != "" {
			res.Excluded = append(res.Excluded, m)
			continue
		}
		res.Ranked = append(res.Ranked, m)
	}
	months := req.HorizonMonths()
	slices.SortStableFunc(res.Ranked, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Raw, a.Raw); c != 0 {
			return c
		}
		if c := cmp.Compare(Cost(*a.Solution, req.Licences, months), Cost(*b.Solution, req.Licences, months)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Solution.Product, b.Solution.Product); c != 0 {
			return c
		}
		return cmp.Compare(a.Solution.ID, b.Solution.ID)
	})
	return res
}

// prepared is a request with what every solution is compared to worked
// out once.
type prepared struct {
	Request
	months int
	limit  int64
}

func prepare(r Request) prepared {
	r.Industry = strings.ToLower(strings.TrimSpace(r.Industry))
	return prepared{Request: r, months: r.HorizonMonths(), limit: r.BudgetTotal()}
}

// evaluate fills one row. Filters are all evaluated, so an excluded
// solution still shows every reason, and Excluded names the first.
func evaluate(q prepared, s *Solution, w Set, tolerance float64, cells []Cell) Match {
	m := Match{Solution: s, Cells: cells}
	add := func(c Cell) {
		if c.Applies && !c.Pass && m.Excluded == "" && slices.Contains(Filters, c.Criterion) {
			m.Excluded = c.Criterion
		}
		m.Cells = append(m.Cells, c)
	}
	add(Cell{Criterion: Category, Applies: q.Category != "", Pass: q.Category == "" || q.Category == s.Category})
	add(allOf(MustHave, q.MustHave, s.Features))
	add(anyOf(Deployment, q.Deployments, s.Deployments))
	add(allOf(Integrations, q.Integrations, s.Integrations))
	if m.Excluded != "" {
		// Points would not rank it; its filters say why it is out.
		return m
	}
	m.Cells = slices.Grow(m.Cells, len(Weighted))
	var earned, available float64
	score := func(c Cell, weight int, fraction float64) {
		if c.Applies && weight > 0 {
			c.Max = float64(weight)
			c.Points = c.Max * fraction
			c.Pass = fraction > 0
			earned += c.Points
			available += c.Max
		}
		m.Cells = append(m.Cells, c)
	}
	nice := allOf(NiceToHave, q.NiceToHave, s.Features)
	score(nice, w[NiceToHave], ratio(nice.Found, nice.Asked))
	ind := Cell{Criterion: Industry, Applies: q.Industry != ""}
	score(ind, w[Industry], boolFraction(slices.Contains(s.Industries, q.Industry)))
	lang := anyOf(Language, q.Languages, s.Languages)
	score(lang, w[Language], boolFraction(lang.Pass))
	lic := Cell{Criterion: Licences, Applies: q.Licences > 0, Min: s.MinLicences, Max2: s.MaxLicences, Want: q.Licences}
	score(lic, w[Licences], boolFraction(q.Licences >= s.MinLicences && (s.MaxLicences == 0 || q.Licences <= s.MaxLicences)))
	bud := Cell{Criterion: Budget, Applies: q.limit > 0, Cost: Cost(*s, q.Licences, q.months), Limit: q.limit,
		Currency: s.Currency, Wanted: q.Currency, Months: q.months}
	frac := 0.0
	if q.Currency == "" || q.Currency == s.Currency {
		frac = budgetFraction(bud.Cost, bud.Limit, tolerance)
	}
	score(bud, w[Budget], frac)

	if available > 0 {
		m.Raw = 100 * earned / available
	} else {
		m.Raw = 100 // nothing asked beyond the filters, which all passed
	}
	m.Score = int(math.Round(m.Raw))
	return m
}

// allOf checks that have holds every key of want.
func allOf(c Criterion, want, have []string) Cell {
	cell := Cell{Criterion: c, Applies: len(want) > 0, Asked: len(want)}
	for _, k := range want {
		if slices.Contains(have, k) {
			cell.Found++
		} else {
			cell.Missing = append(cell.Missing, k)
		}
	}
	cell.Pass = len(cell.Missing) == 0
	return cell
}

// anyOf checks that have holds at least one key of want.
func anyOf(c Criterion, want, have []string) Cell {
	cell := Cell{Criterion: c, Applies: len(want) > 0, Asked: len(want), Pass: len(want) == 0}
	for _, k := range want {
		if slices.Contains(have, k) {
			cell.Found++
			cell.Pass = true
		}
	}
	if !cell.Pass {
		cell.Missing = want
	}
	return cell
}

func ratio(found, asked int) float64 {
	if asked == 0 {
		return 0
	}
	return float64(found) / float64(asked)
}

func boolFraction(ok bool) float64 {
	if ok {
		return 1
	}
	return 0
}

// budgetFraction is the share of the budget points a cost earns: all of
// them within the budget, falling in a straight line to none at the
// budget plus the tolerance, and none beyond.
func budgetFraction(cost, limit int64, tolerance float64) float64 {
	if cost <= limit {
		return 1
	}
	over := float64(cost-limit) / float64(limit)
	if tolerance <= 0 || over >= tolerance {
		return 0
	}
	return 1 - over/tolerance
}

package brief

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"leadflow/internal/matching"
)

// Outcome is one software request as the per-industry report counts it.
type Outcome struct {
	Industry  string
	Category  string
	Validated bool   // a saved request, not only a public form's answers
	Budget    int64  // over the horizon, minor units; 0 when not said
	Currency  string // of Budget
	Matched   bool   // its brief went to at least one vendor
	Custom    bool   // a custom project was opened for it
	Converted bool   // its lead was converted
}

// KPIRow is one line of the per-industry report: the requests of an
// industry and application category ("" in Category for the industry's
// total).
type KPIRow struct {
	Industry, Category string
	Requests           int // saved requests and public form answers not yet saved
	Validated          int
	Matched            int
	Custom             int
	Converted          int
	// AvgBudget is the average budget over the horizon of the validated
	// requests that gave one, per currency.
	AvgBudget map[string]int64
}

// ConversionRate is converted over validated requests; ok is false with
// none validated.
func (r KPIRow) ConversionRate() (float64, bool) {
	if r.Validated == 0 {
		return 0, false
	}
	return float64(r.Converted) / float64(r.Validated), true
}

// Aggregate counts outcomes by industry and category, each industry
// followed by its categories, industries by their number of requests.
// An industry or category not said is counted as "unknown".
func Aggregate(outcomes []Outcome) []KPIRow {
	type key struct{ ind, cat string }
	rows := map[key]*KPIRow{}
	sums := map[key]map[string][2]int64{} // currency → total, count
	add := func(k key, o Outcome) {
		r := rows[k]
		if r == nil {
			r = &KPIRow{Industry: k.ind, Category: k.cat, AvgBudget: map[string]int64{}}
			rows[k], sums[k] = r, map[string][2]int64{}
		}
		r.Requests++
		if !o.Validated {
			return
		}
		r.Validated++
		r.Matched += b2i(o.Matched)
		r.Custom += b2i(o.Custom)
		r.Converted += b2i(o.Converted)
		if o.Budget > 0 {
			s := sums[k][o.Currency]
			sums[k][o.Currency] = [2]int64{s[0] + o.Budget, s[1] + 1}
		}
	}
	for _, o := range outcomes {
		ind, cat := cmp.Or(strings.ToLower(strings.TrimSpace(o.Industry)), "unknown"), cmp.Or(strings.ToLower(strings.TrimSpace(o.Category)), "unknown")
		add(key{ind, ""}, o)
		add(key{ind, cat}, o)
	}
	out := make([]KPIRow, 0, len(rows))
	for k, r := range rows {
		for cur, s := range sums[k] {
			r.AvgBudget[cur] = s[0] / s[1]
		}
		out = append(out, *r)
	}
	total := func(ind string) int { return rows[key{ind, ""}].Requests }
	slices.SortFunc(out, func(a, b KPIRow) int {
		if a.Industry != b.Industry {
			if c := cmp.Compare(total(b.Industry), total(a.Industry)); c != 0 {
				return c
			}
			return cmp.Compare(a.Industry, b.Industry)
		}
		if (a.Category == "") != (b.Category == "") {
			return b2i(b.Category == "") - b2i(a.Category == "")
		}
		if c := cmp.Compare(b.Requests, a.Requests); c != 0 {
			return c
		}
		return cmp.Compare(a.Category, b.Category)
	})
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// KPIs reports software requests made in [from, to) by industry and
// application category. It reads across the leads, requests, projects
// and hand-offs in one pass, as the KPI dashboard does; aggregates only,
// so every role may see it.
func (s *Service) KPIs(ctx context.Context, from, to time.Time) ([]KPIRow, error) {
	// A custom project has a pre-sale status; one a won deal opened has none.
	var out []Outcome
	rows, err := s.db.R.Query(ctx, `SELECT r.industry, l.industry, r.category, r.budget, r.currency, r.budget_period, r.horizon_months,
		l.converted_at IS NOT NULL,
		EXISTS (SELECT 1 FROM handoffs h WHERE h.lead_id = r.lead_id),
		EXISTS (SELECT 1 FROM projects p WHERE p.lead_id = r.lead_id AND p.status <> '')
		FROM software_requests r JOIN leads l ON l.id = r.lead_id WHERE r.created_at >= ? AND r.created_at < ?`,
		from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("brief: kpis: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Outcome
		var reqIndustry, leadIndustry, period string
		var budget, horizon int64
		if err := rows.Scan(&reqIndustry, &leadIndustry, &o.Category, &budget, &o.Currency, &period, &horizon, &o.Converted, &o.Matched, &o.Custom); err != nil {
			return nil, err
		}
		r := matching.Request{Budget: budget, BudgetPeriod: matching.Period(period), Horizon: int(horizon)}
		o.Industry, o.Budget, o.Validated = cmp.Or(reqIndustry, leadIndustry), r.BudgetTotal(), true
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Public form answers not yet made into a request count as requests.
	rows, err = s.db.R.Query(ctx, `SELECT l.industry, l.custom FROM leads l WHERE l.custom LIKE ?
		AND NOT EXISTS (SELECT 1 FROM software_requests r WHERE r.lead_id = l.id) AND l.created_at >= ? AND l.created_at < ?`,
		`%"`+AnswerCategory+`"%`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("brief: kpis of answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var industry, custom string
		if err := rows.Scan(&industry, &custom); err != nil {
			return nil, err
		}
		var answers map[string]string
		if json.Unmarshal([]byte(custom), &answers) == nil && answers[AnswerCategory] != "" {
			out = append(out, Outcome{Industry: industry, Category: answers[AnswerCategory]})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return Aggregate(out), nil
}

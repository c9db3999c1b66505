package project

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"leadflow/internal/fault"
)

// Dimension is what the delivery report groups projects by: a property
// of the lead the project came from.
type Dimension string

// The report's dimensions.
const (
	ByChannel  Dimension = "channel"  // the lead's source
	ByCampaign Dimension = "campaign" // the lead's UTM campaign
	ByIndustry Dimension = "industry" // the lead's industry
	ByCategory Dimension = "category" // the application category of the lead's software request
)

// Dimensions lists the report's dimensions.
var Dimensions = []Dimension{ByChannel, ByCampaign, ByIndustry, ByCategory}

func (d Dimension) expr() string {
	return map[Dimension]string{ByChannel: "l.source", ByCampaign: "l.utm_campaign", ByIndustry: "l.industry", ByCategory: "r.category"}[d]
}

// Formulas say how each figure of the delivery report is computed, in
// the words the dashboard and the API show.
var Formulas = map[string]string{
	"won_deals":      "deals in a won stage whose lead has this value",
	"started":        "projects that started delivery (from a won deal, an accepted custom project or by hand) whose lead has this value",
	"delivered":      "started projects whose status is done",
	"on_time_share":  "delivered projects done on or before their due date ÷ delivered projects with a due date",
	"budget":         "Σ budget of the started projects (in the report's currency)",
	"cost":           "Σ time logged on the started projects × the hourly rate it was logged at",
	"margin":         "Σ (budget − cost) of the delivered projects",
	"margin_share":   "margin ÷ Σ budget of the delivered projects",
	"profitable":     "delivered projects whose cost stayed below their budget",
	"days_to_golive": "mean days from the lead's first touch (its creation) to the project's delivery (done)",
}

// ReportRow is one value's figures, or the total's.
type ReportRow struct {
	Value        string
	WonDeals     int64
	Started      int64
	Delivered    int64
	OnTime       int64
	WithDue      int64 // delivered projects that had a due date
	Budget       int64
	Cost         int64
	Margin       int64 // delivered projects' budget − cost
	MarginBudget int64 // delivered projects' budget
	Profitable   int64
	days         float64
	dayCount     int64
}

// OnTimeShare is OnTime ÷ WithDue; ok is false without a due date.
func (r ReportRow) OnTimeShare() (float64, bool) {
	if r.WithDue == 0 {
		return 0, false
	}
	return float64(r.OnTime) / float64(r.WithDue), true
}

// MarginShare is Margin ÷ MarginBudget; ok is false without one.
func (r ReportRow) MarginShare() (float64, bool) {
	if r.MarginBudget == 0 {
		return 0, false
	}
	return float64(r.Margin) / float64(r.MarginBudget), true
}

// DaysToGoLive is the mean days from first touch to delivery; ok is
// false when no delivered project has a lead.
func (r ReportRow) DaysToGoLive() (float64, bool) {
	if r.dayCount == 0 {
		return 0, false
	}
	return math.Round(r.days/float64(r.dayCount)*10) / 10, true
}

// Report is the delivery report by one dimension, in one currency.
type Report struct {
	By         Dimension
	Currency   string
	Currencies []string // every currency projects are in
	Rows       []ReportRow
	Total      ReportRow
}

// ProjectFact is one project as the report reads it.
type ProjectFact struct {
	Value       string
	Currency    string
	Budget      int64
	Cost        int64
	Status      DeliveryStatus
	DueOn       string
	FirstTouch  *time.Time // the lead's creation
	DeliveredAt *time.Time
}

// Aggregate builds the report from won deals' values and projects'
// facts; money counts only projects in currency.
func Aggregate(by Dimension, currency string, wonValues []string, facts []ProjectFact) Report {
	rows := map[string]*ReportRow{}
	row := func(v string) *ReportRow {
		if rows[v] == nil {
			rows[v] = &ReportRow{Value: v}
		}
		return rows[v]
	}
	for _, v := range wonValues {
		row(v).WonDeals++
	}
	for _, f := range facts {
		r := row(f.Value)
		r.Started++
		money := f.Currency == currency || f.Budget == 0 && f.Cost == 0
		if money {
			r.Budget += f.Budget
			r.Cost += f.Cost
		}
		if f.Status != Done {
			continue
		}
		r.Delivered++
		if f.DueOn != "" && f.DeliveredAt != nil {
			r.WithDue++
			if f.DeliveredAt.Format(time.DateOnly) <= f.DueOn {
				r.OnTime++
			}
		}
		if money {
			r.Margin += f.Budget - f.Cost
			r.MarginBudget += f.Budget
			if f.Cost < f.Budget {
				r.Profitable++
			}
		}
		if f.FirstTouch != nil && f.DeliveredAt != nil {
			r.days += f.DeliveredAt.Sub(*f.FirstTouch).Hours() / 24
			r.dayCount++
		}
	}
	out := Report{By: by, Currency: currency, Total: ReportRow{Value: "Total"}}
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
		t := &out.Total
		t.WonDeals += r.WonDeals
		t.Started += r.Started
		t.Delivered += r.Delivered
		t.OnTime += r.OnTime
		t.WithDue += r.WithDue
		t.Budget += r.Budget
		t.Cost += r.Cost
		t.Margin += r.Margin
		t.MarginBudget += r.MarginBudget
		t.Profitable += r.Profitable
		t.days += r.days
		t.dayCount += r.dayCount
	}
	// The most profitable first: the answer to "which channels bring
	// requests that end as profitable projects" is the top of the list.
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Margin != b.Margin {
			return a.Margin > b.Margin
		}
		if a.Started != b.Started {
			return a.Started > b.Started
		}
		return a.Value < b.Value
	})
	return out
}

// DeliveryReport groups won deals and projects by the leads' dimension
// by, with money in currency (the most used one when ""). It is
// aggregates only, for every role, as the KPI dashboard.
func (s *Service) DeliveryReport(ctx context.Context, by Dimension, currency string) (Report, error) {
	if by == "" {
		by = ByChannel
	}
	if by.expr() == "" {
		return Report{}, &fault.Error{Code: fault.Invalid, Message: "unknown dimension",
			Fields: map[string]string{"by": "must be one of channel, campaign, industry, category"}}
	}
	// A lead with no value, or a deal or project with no lead, counts
	// under "".
	val := "COALESCE(" + by.expr() + ", '')"
	leadOf := ` LEFT JOIN leads l ON l.id = %s LEFT JOIN software_requests r ON r.lead_id = l.id`
	wonRows, err := s.db.R.Query(ctx, `SELECT `+val+` FROM opportunities o JOIN pipeline_stages ps ON ps.key = o.stage AND ps.outcome = 'won'`+
		fmt.Sprintf(leadOf, "(SELECT MIN(x.id) FROM leads x WHERE x.opportunity_id = o.id)"))
	if err != nil {
		return Report{}, fmt.Errorf("project: report won deals: %w", err)
	}
	var won []string
	for wonRows.Next() {
		var v string
		if err := wonRows.Scan(&v); err != nil {
			wonRows.Close()
			return Report{}, err
		}
		won = append(won, v)
	}
	wonRows.Close()
	if err := wonRows.Err(); err != nil {
		return Report{}, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+val+`, p.currency, p.budget, p.delivery, p.due_on, l.created_at, p.delivered_at,
		COALESCE((SELECT SUM(t.cost) FROM project_time t WHERE t.project_id = p.id), 0)
		FROM projects p`+fmt.Sprintf(leadOf, "p.lead_id")+` WHERE p.started_at IS NOT NULL`)
	if err != nil {
		return Report{}, fmt.Errorf("project: report projects: %w", err)
	}
	defer rows.Close()
	var facts []ProjectFact
	uses := map[string]int{}
	for rows.Next() {
		var f ProjectFact
		var status string
		var touch, delivered *int64
		if err := rows.Scan(&f.Value, &f.Currency, &f.Budget, &status, &f.DueOn, &touch, &delivered, &f.Cost); err != nil {
			return Report{}, err
		}
		f.Status = DeliveryStatus(status)
		if touch != nil {
			t := time.UnixMilli(*touch).UTC()
			f.FirstTouch = &t
		}
		if delivered != nil {
			t := time.UnixMilli(*delivered).UTC()
			f.DeliveredAt = &t
		}
		if f.Currency != "" {
			uses[f.Currency]++
		}
		facts = append(facts, f)
	}
	if err := rows.Err(); err != nil {
		return Report{}, err
	}
	var currencies []string
	for c := range uses {
		currencies = append(currencies, c)
	}
	sort.Slice(currencies, func(i, j int) bool {
		if uses[currencies[i]] != uses[currencies[j]] {
			return uses[currencies[i]] > uses[currencies[j]]
		}
		return currencies[i] < currencies[j]
	})
	if currency == "" && len(currencies) > 0 {
		currency = currencies[0]
	}
	rep := Aggregate(by, currency, won, facts)
	rep.Currencies = currencies
	return rep, nil
}

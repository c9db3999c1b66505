// Package report computes the KPIs of the dashboard: leads by channel,
// how far they got along the lifecycle, what the channel cost and what
// it brought in. It reads the day-by-channel-by-stage counts the
// database keeps (view lead_counts_now), so its cost does not grow with
// the number of leads.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"leadflow/internal/lead"
	"leadflow/internal/product"
	"leadflow/internal/sqldb"
)

// Service computes KPIs and keeps channel spend.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

// Row is one channel's figures, or the total's, for the leads that
// arrived in a period: how many reached each stage by now, the deals they
// won, and what the channel cost over the period.
type Row struct {
	Source        string `json:"source"`
	Leads         int64  `json:"leads"`
	MQL           int64  `json:"mql"`           // reached MQL or further
	SQL           int64  `json:"sql"`           // reached SQL or further
	Opportunities int64  `json:"opportunities"` // reached opportunity or further
	Customers     int64  `json:"customers"`
	Nurturing     int64  `json:"nurturing"`
	Disqualified  int64  `json:"disqualified"`
	Won           int64  `json:"won_deals"`
	Revenue       int64  `json:"revenue"` // won deals' amounts, in the report's currency
	Spend         int64  `json:"spend"`   // in the report's currency, pro rata over the period
	// Margin is the gross margin of the won deals whose margin is known
	// (MarginDeals of Won): from their invoices less credit notes, or,
	// before invoicing, from their products' prices less costs.
	Margin      int64 `json:"margin"`
	MarginDeals int64 `json:"margin_deals"`
}

// Rate is n as a share of the row's leads, 0 to 1; 0 without leads.
func (r Row) Rate(n int64) float64 {
	if r.Leads == 0 {
		return 0
	}
	return float64(n) / float64(r.Leads)
}

// CostPerLead is spend over leads; ok is false when either is zero.
func (r Row) CostPerLead() (float64, bool) { return per(r.Spend, r.Leads) }

// CostPerAcquisition is spend over customers won; ok is false when
// either is zero.
func (r Row) CostPerAcquisition() (float64, bool) { return per(r.Spend, r.Customers) }

// ROI is the return on the channel's spend: (revenue - spend) / spend.
func (r Row) ROI() (float64, bool) {
	if r.Spend == 0 {
		return 0, false
	}
	return float64(r.Revenue-r.Spend) / float64(r.Spend), true
}

// ROIOnMargin is the return on spend counted on margin, not revenue:
// (margin - spend) / spend.
func (r Row) ROIOnMargin() (float64, bool) {
	if r.Spend == 0 || r.MarginDeals == 0 {
		return 0, false
	}
	return float64(r.Margin-r.Spend) / float64(r.Spend), true
}

func per(amount, n int64) (float64, bool) {
	if amount == 0 || n == 0 {
		return 0, false
	}
	return float64(amount) / float64(n), true
}

// add counts n leads now in stage st.
func (r *Row) add(st lead.Stage, n int64) {
	r.Leads += n
	switch rank := reached[st]; {
	case st == lead.Nurturing:
		r.Nurturing += n
	case st == lead.Disqualified:
		r.Disqualified += n
	default:
		if rank >= 2 {
			r.MQL += n
		}
		if rank >= 3 {
			r.SQL += n
		}
		if rank >= 4 {
			r.Opportunities += n
		}
		if rank >= 5 {
			r.Customers += n
		}
	}
}

// sum adds o's figures to r's.
func (r *Row) sum(o Row) {
	r.Leads += o.Leads
	r.MQL += o.MQL
	r.SQL += o.SQL
	r.Opportunities += o.Opportunities
	r.Customers += o.Customers
	r.Nurturing += o.Nurturing
	r.Disqualified += o.Disqualified
	r.Won += o.Won
	r.Revenue += o.Revenue
	r.Spend += o.Spend
	r.Margin += o.Margin
	r.MarginDeals += o.MarginDeals
}

// reached ranks the lifecycle stages: a lead now in a stage has been
// through every stage of a lower rank. Nurturing and disqualified leads
// are counted apart, since the lifecycle does not say how far they got.
var reached = map[lead.Stage]int{lead.Subscriber: 0, lead.StageLead: 1, lead.MQL: 2, lead.SQL: 3, lead.Opportunity: 4, lead.Customer: 5}

// Day is the number of leads that arrived on one day (UTC).
type Day struct {
	Date  time.Time `json:"date"`
	Leads int64     `json:"leads"`
}

// KPIs are the dashboard's figures for a period.
type KPIs struct {
	Period     Period   `json:"period"`
	Currency   string   `json:"currency"`
	Currencies []string `json:"currencies"` // every currency deals or spend are in
	Total      Row      `json:"total"`
	Channels   []Row    `json:"channels"` // most leads first
	Days       []Day    `json:"days"`     // every day of the period, oldest first
}

// KPIs computes the figures of the leads that arrived in p, with money
// in currency (empty: the currency most won revenue is in).
func (s *Service) KPIs(ctx context.Context, p Period, currency string) (KPIs, error) {
	k := KPIs{Period: p}
	byDay, rows, err := s.counts(ctx, p)
	if err != nil {
		return k, err
	}
	revenue, err := s.revenue(ctx, p)
	if err != nil {
		return k, err
	}
	spend, err := s.spend(ctx, p)
	if err != nil {
		return k, err
	}
	k.Currencies, k.Currency = currencies(revenue, spend, currency)
	for key, m := range revenue {
		if key.currency == k.Currency {
			r := rowOf(rows, key.source)
			r.Won += m.count
			r.Revenue += m.amount
			r.Margin += m.margin
			r.MarginDeals += m.marginDeals
		}
	}
	for key, amount := range spend {
		if key.currency == k.Currency {
			rowOf(rows, key.source).Spend += amount
		}
	}
	for _, r := range rows {
		k.Total.sum(*r)
		k.Channels = append(k.Channels, *r)
	}
	slices.SortFunc(k.Channels, func(a, b Row) int {
		if a.Leads != b.Leads {
			return cmp.Compare(b.Leads, a.Leads)
		}
		return cmp.Compare(a.Source, b.Source)
	})
	for d := p.From; d.Before(p.To); d = d.AddDate(0, 0, 1) {
		k.Days = append(k.Days, Day{Date: d, Leads: byDay[dayOf(d)]})
	}
	return k, nil
}

func rowOf(rows map[string]*Row, source string) *Row {
	r, ok := rows[source]
	if !ok {
		r = &Row{Source: source}
		rows[source] = r
	}
	return r
}

const msPerDay = 24 * 60 * 60 * 1000

func dayOf(t time.Time) int64 { return t.UnixMilli() / msPerDay }

// counts reads the kept counts of the period, by day and by channel.
func (s *Service) counts(ctx context.Context, p Period) (map[int64]int64, map[string]*Row, error) {
	rows, err := s.db.R.Query(ctx, `SELECT day, source, stage, n FROM lead_counts_now WHERE day >= ? AND day < ? AND n <> 0`,
		dayOf(p.From), dayOf(p.To))
	if err != nil {
		return nil, nil, fmt.Errorf("report: lead counts: %w", err)
	}
	defer rows.Close()
	byDay, bySource := map[int64]int64{}, map[string]*Row{}
	for rows.Next() {
		var day, n int64
		var source, stage string
		if err := rows.Scan(&day, &source, &stage, &n); err != nil {
			return nil, nil, err
		}
		byDay[day] += n
		rowOf(bySource, source).add(lead.Stage(stage), n)
	}
	return byDay, bySource, rows.Err()
}

// moneyKey is a channel and a currency, what revenue and spend are summed by.
type moneyKey struct{ source, currency string }

type won struct{ count, amount, margin, marginDeals int64 }

// revenue sums the won deals of the period's leads by channel and
// currency, with the margin of those whose margin is known. Deals
// opened on an account without a lead have no channel and are not
// counted. The query starts from the won deals, which are few, and finds
// each one's lead by index: joined the other way, a planner may walk
// every lead of the period instead (a second a look at a million leads).
func (s *Service) revenue(ctx context.Context, p Period) (map[moneyKey]won, error) {
	margins, err := s.margins(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, revenueQuery, p.From.UnixMilli(), p.To.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("report: revenue: %w", err)
	}
	defer rows.Close()
	out := map[moneyKey]won{}
	for rows.Next() {
		var k moneyKey
		var id, amount int64
		if err := rows.Scan(&id, &k.source, &k.currency, &amount); err != nil {
			return nil, err
		}
		w := out[k]
		w.count++
		w.amount += amount
		if m, ok := margins[id]; ok {
			w.margin += wholeUnits(m, k.currency)
			w.marginDeals++
		}
		out[k] = w
	}
	return out, rows.Err()
}

const revenueQuery = `SELECT w.id, w.source, w.currency, COALESCE(w.amount, 0) FROM (
		SELECT o.id, o.currency, o.amount, (SELECT l.source FROM leads l
			WHERE l.opportunity_id = o.id AND l.opportunity_id IS NOT NULL AND l.created_at >= ? AND l.created_at < ? LIMIT 1) AS source
		FROM opportunities o JOIN pipeline_stages ps ON ps.key = o.stage WHERE ps.outcome = 'won'
	) w WHERE w.source IS NOT NULL`

// wonDeals joins the won deals to a table t with an opportunity_id.
const wonDeals = ` JOIN opportunities o ON o.id = t.opportunity_id JOIN pipeline_stages ps ON ps.key = o.stage AND ps.outcome = 'won'`

// margins is the gross margin of each won deal whose margin is known, in
// minor units of its currency. An invoiced deal's is its issued invoices'
// net amounts less their costs, less its credit notes' (a void invoice
// and the credit note that voids it cancel out), known when every line
// had a cost. A deal not yet invoiced has its products' margin.
func (s *Service) margins(ctx context.Context) (map[int64]int64, error) {
	out := map[int64]int64{}
	invoiced := map[int64]bool{}
	rows, err := s.db.R.Query(ctx, `SELECT t.opportunity_id,
		SUM(CASE WHEN t.kind = 'invoice' THEN t.tax_exclusive - t.cost_total ELSE t.cost_total - t.tax_exclusive END), MIN(t.cost_known)
		FROM invoices t`+wonDeals+` WHERE t.status <> 'draft' AND t.currency = o.currency GROUP BY t.opportunity_id`)
	if err != nil {
		return nil, fmt.Errorf("report: invoiced margins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, margin, known int64
		if err := rows.Scan(&id, &margin, &known); err != nil {
			return nil, err
		}
		invoiced[id] = true
		if known == 1 {
			out[id] = margin
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lines, err := s.db.R.Query(ctx, `SELECT t.opportunity_id, SUM(t.quantity * (t.unit_price - t.unit_cost))
		FROM opportunity_lines t`+wonDeals+` GROUP BY t.opportunity_id`)
	if err != nil {
		return nil, fmt.Errorf("report: product margins: %w", err)
	}
	defer lines.Close()
	for lines.Next() {
		var id, margin int64
		if err := lines.Scan(&id, &margin); err != nil {
			return nil, err
		}
		if !invoiced[id] {
			out[id] = margin
		}
	}
	return out, lines.Err()
}

// wholeUnits turns minor units of currency into whole ones, as the
// report counts money, rounding half away from zero.
func wholeUnits(minor int64, currency string) int64 {
	d := int64(1)
	for range product.Decimals(currency) {
		d *= 10
	}
	if minor < 0 {
		return -((-minor + d/2) / d)
	}
	return (minor + d/2) / d
}

// currencies lists the currencies in use and picks the report's: the one
// asked for, else the one most revenue is in, else the spend's.
func currencies(revenue map[moneyKey]won, spend map[moneyKey]int64, asked string) ([]string, string) {
	weight := map[string]int64{}
	for k, w := range revenue {
		weight[k.currency] += w.amount + 1
	}
	for k := range spend {
		if _, ok := weight[k.currency]; !ok {
			weight[k.currency] = 0
		}
	}
	var all []string
	for c := range weight {
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b string) int {
		if weight[a] != weight[b] {
			return cmp.Compare(weight[b], weight[a])
		}
		return cmp.Compare(a, b)
	})
	switch {
	case asked != "":
		if !slices.Contains(all, asked) {
			all = append(all, asked)
		}
		return all, asked
	case len(all) > 0:
		return all, all[0]
	}
	return all, ""
}

// FoldJob names the periodic job that runs Fold.
const FoldJob = "kpi.fold"

// Fold adds the count changes that PostgreSQL's trigger appends to
// lead_count_deltas into lead_counts, and deletes them, in one statement:
// a dashboard read sees them either side, never both or neither. Changes
// are appended rather than counted in place so that concurrent intake
// never waits on a shared counter row (see migration 0017). On SQLite,
// which counts in place, there is nothing to fold.
func (s *Service) Fold(ctx context.Context) (int64, error) {
	if s.db.Dialect != sqldb.Postgres {
		return 0, nil
	}
	res, err := s.db.W.Exec(ctx, `WITH d AS (DELETE FROM lead_count_deltas RETURNING day, source, stage, n)
		INSERT INTO lead_counts (day, source, stage, n) SELECT day, source, stage, SUM(n) FROM d GROUP BY day, source, stage
		ON CONFLICT (day, source, stage) DO UPDATE SET n = lead_counts.n + EXCLUDED.n`)
	if err != nil {
		return 0, fmt.Errorf("report: fold lead counts: %w", err)
	}
	return res.RowsAffected()
}

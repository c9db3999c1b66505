package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/brief"
	"leadflow/internal/catalog"
	"leadflow/internal/fault"
	"leadflow/internal/matching"
	"leadflow/internal/report"
)

type requestJSON struct {
	LeadID        int64     `json:"lead_id"`
	Industry      string    `json:"industry"`
	Category      string    `json:"category"`
	Deployments   []string  `json:"deployments"`
	Licences      int       `json:"licences"`
	Budget        *string   `json:"budget"`
	Currency      string    `json:"currency"`
	BudgetPeriod  string    `json:"budget_period"`
	HorizonMonths int       `json:"horizon_months"`
	Timeline      string    `json:"timeline"`
	MustHave      []string  `json:"must_have"`
	NiceToHave    []string  `json:"nice_to_have"`
	Integrations  []string  `json:"integrations"`
	Languages     []string  `json:"languages"`
	Notes         string    `json:"notes"`
	Version       int64     `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func requestOut(r brief.Request) requestJSON {
	j := requestJSON{LeadID: r.LeadID, Industry: r.Industry, Category: r.Category, Deployments: nonNil(r.Deployments),
		Licences: r.Licences, Currency: r.Currency, BudgetPeriod: string(r.BudgetPeriod), HorizonMonths: r.HorizonMonths(),
		Timeline: r.Timeline, MustHave: nonNil(r.MustHave), NiceToHave: nonNil(r.NiceToHave), Integrations: nonNil(r.Integrations),
		Languages: nonNil(r.Languages), Notes: r.Notes, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.Budget != 0 {
		b := catalog.Decimal(r.Budget)
		j.Budget = &b
	}
	return j
}

// requestIn is a request as a client sends it; numbers may come as
// numbers or strings, lists as arrays or one comma-separated string.
type requestIn struct {
	Industry      string       `json:"industry"`
	Category      string       `json:"category"`
	Deployments   catalog.List `json:"deployments"`
	Licences      catalog.Text `json:"licences"`
	Budget        catalog.Text `json:"budget"`
	Currency      string       `json:"currency"`
	BudgetPeriod  string       `json:"budget_period"`
	HorizonMonths catalog.Text `json:"horizon_months"`
	Timeline      string       `json:"timeline"`
	MustHave      catalog.List `json:"must_have"`
	NiceToHave    catalog.List `json:"nice_to_have"`
	Integrations  catalog.List `json:"integrations"`
	Languages     catalog.List `json:"languages"`
	Notes         string       `json:"notes"`
}

func (in requestIn) input() brief.Input {
	return brief.Input{Industry: in.Industry, Category: in.Category, Deployments: in.Deployments, Licences: string(in.Licences),
		Budget: string(in.Budget), Currency: in.Currency, BudgetPeriod: in.BudgetPeriod, Horizon: string(in.HorizonMonths),
		Timeline: in.Timeline, MustHave: in.MustHave, NiceToHave: in.NiceToHave, Integrations: in.Integrations,
		Languages: in.Languages, Notes: in.Notes}
}

func (a *API) getRequest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var req brief.Request
		if req, err = a.Briefs.Get(r.Context(), actor(r), id); err == nil {
			w.Header().Set("ETag", etag(req.Version))
			writeJSON(w, http.StatusOK, requestOut(req))
			return
		}
	}
	a.fail(w, r, err)
}

// putRequest makes the body the lead's software request; If-Match
// refuses it when the stored request has moved on from that version.
func (a *API) putRequest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in requestIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	req, err := a.Briefs.Save(r.Context(), actor(r), id, version, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(req.Version))
	writeJSON(w, http.StatusOK, requestOut(req))
}

type cellJSON struct {
	Criterion string  `json:"criterion"`
	Applies   bool    `json:"applies"`
	Pass      bool    `json:"pass"`
	Points    float64 `json:"points"`
	Max       float64 `json:"max"`
	Note      string  `json:"note"`
}

type matchSolutionJSON struct {
	ID       int64  `json:"id"`
	Vendor   string `json:"vendor"`
	Product  string `json:"product"`
	Category string `json:"category"`
}

type matchJSON struct {
	Rank       int               `json:"rank,omitempty"`
	Solution   matchSolutionJSON `json:"solution"`
	Score      int               `json:"score"`
	ExcludedBy string            `json:"excluded_by,omitempty"`
	Reason     string            `json:"reason,omitempty"`
	Cost       *string           `json:"cost,omitempty"` // over the horizon, for the requested licences
	Currency   string            `json:"currency"`
	Cells      []cellJSON        `json:"cells"`
}

func matchOut(m matching.Match, rank int, req brief.Request) matchJSON {
	s := m.Solution
	j := matchJSON{Rank: rank, Solution: matchSolutionJSON{ID: s.ID, Vendor: s.Vendor, Product: s.Product, Category: s.Category},
		Score: m.Score, ExcludedBy: string(m.Excluded), Currency: s.Currency, Cells: make([]cellJSON, 0, len(m.Cells))}
	if m.Excluded != "" {
		j.Score, j.Reason = 0, m.Reason()
	} else {
		c := catalog.Decimal(matching.Cost(*s, req.Licences, req.HorizonMonths()))
		j.Cost = &c
	}
	for _, c := range m.Cells {
		j.Cells = append(j.Cells, cellJSON{Criterion: string(c.Criterion), Applies: c.Applies, Pass: c.Pass,
			Points: math.Round(c.Points*10) / 10, Max: c.Max, Note: c.Note()})
	}
	return j
}

// getMatches ranks the catalog against the lead's request: the ranked
// solutions with a 0–100 score and every cell explained, and those a hard
// filter excluded with the criterion that did. limit (default 100)
// bounds each list; the totals say how many there are.
func (a *API) getMatches(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 10_000 {
			a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "limit is out of range", Fields: map[string]string{"limit": "must be a whole number from 1 to 10000"}})
			return
		}
	}
	req, res, err := a.Briefs.Matches(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		LeadID        int64        `json:"lead_id"`
		NeedsCustom   bool         `json:"needs_custom"`
		Threshold     int          `json:"threshold"`
		Tolerance     float64      `json:"tolerance"`
		Weights       matching.Set `json:"weights"`
		HorizonMonths int          `json:"horizon_months"`
		TotalRanked   int          `json:"total_ranked"`
		TotalExcluded int          `json:"total_excluded"`
		Matches       []matchJSON  `json:"matches"`
		Excluded      []matchJSON  `json:"excluded"`
		Request       requestJSON  `json:"request"`
	}{LeadID: id, NeedsCustom: res.NeedsCustom(), Threshold: res.Threshold, Tolerance: res.Tolerance, Weights: res.Weights,
		HorizonMonths: req.HorizonMonths(), TotalRanked: len(res.Ranked), TotalExcluded: len(res.Excluded),
		Matches: []matchJSON{}, Excluded: []matchJSON{}, Request: requestOut(req)}
	for i, m := range res.Ranked[:min(limit, len(res.Ranked))] {
		out.Matches = append(out.Matches, matchOut(m, i+1, req))
	}
	for _, m := range res.Excluded[:min(limit, len(res.Excluded))] {
		out.Excluded = append(out.Excluded, matchOut(m, 0, req))
	}
	writeJSON(w, http.StatusOK, out)
}

// getBriefPDF answers the lead's brief as a PDF.
func (a *API) getBriefPDF(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var doc []byte
	if err == nil {
		var d brief.Document
		if d, err = a.Briefs.Brief(r.Context(), actor(r), id); err == nil {
			doc, err = d.PDF()
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(doc)
}

type softwareKPIJSON struct {
	Industry       string            `json:"industry"`
	Category       *string           `json:"category"` // null on an industry's total
	Requests       int               `json:"requests"`
	Validated      int               `json:"validated"`
	Matched        int               `json:"matched"`
	CustomProjects int               `json:"custom_projects"`
	Converted      int               `json:"converted"`
	ConversionRate *float64          `json:"conversion_rate"`
	AvgBudget      map[string]string `json:"avg_budget"`
}

// getSoftwareKPIs answers the software requests of a period (as the KPI
// dashboard's: period or from and to) by industry and category.
func (a *API) getSoftwareKPIs(w http.ResponseWriter, r *http.Request) {
	p, err := report.ParsePeriod(r.URL.Query(), time.Now())
	var rows []brief.KPIRow
	if err == nil {
		rows, err = a.Briefs.KPIs(r.Context(), p.From, p.To)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		From string            `json:"from"`
		To   string            `json:"to"`
		Data []softwareKPIJSON `json:"data"`
	}{From: p.From.Format(time.DateOnly), To: p.LastDay().Format(time.DateOnly), Data: []softwareKPIJSON{}}
	for _, row := range rows {
		j := softwareKPIJSON{Industry: row.Industry, Category: optional(row.Category), Requests: row.Requests, Validated: row.Validated,
			Matched: row.Matched, CustomProjects: row.Custom, Converted: row.Converted, AvgBudget: map[string]string{}}
		if rate, ok := row.ConversionRate(); ok {
			j.ConversionRate = &rate
		}
		for cur, v := range row.AvgBudget {
			j.AvgBudget[cur] = catalog.Decimal(v)
		}
		out.Data = append(out.Data, j)
	}
	writeJSON(w, http.StatusOK, out)
}

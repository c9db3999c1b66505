package api

import (
	"encoding/json"
	"net/http"
	"time"

	"leadflow/internal/report"
)

// rowJSON is a channel's figures with the ratios worked out; a ratio
// without a base (no spend, no customers) is null rather than 0.
type rowJSON struct {
	report.Row
	MQLRate            float64  `json:"mql_rate"`
	SQLRate            float64  `json:"sql_rate"`
	CustomerRate       float64  `json:"customer_rate"`
	CostPerLead        *float64 `json:"cost_per_lead"`
	CostPerAcquisition *float64 `json:"cost_per_acquisition"`
	ROI                *float64 `json:"roi"`
	ROIOnMargin        *float64 `json:"roi_on_margin"`
}

func rowOut(r report.Row) rowJSON {
	opt := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	return rowJSON{Row: r, MQLRate: r.Rate(r.MQL), SQLRate: r.Rate(r.SQL), CustomerRate: r.Rate(r.Customers),
		CostPerLead: opt(r.CostPerLead()), CostPerAcquisition: opt(r.CostPerAcquisition()), ROI: opt(r.ROI()),
		ROIOnMargin: opt(r.ROIOnMargin())}
}

func (a *API) getKPIs(w http.ResponseWriter, r *http.Request) {
	p, err := report.ParsePeriod(r.URL.Query(), time.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	k, err := a.Reports.KPIs(r.Context(), p, r.URL.Query().Get("currency"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		report.KPIs
		Total    rowJSON   `json:"total"`
		Channels []rowJSON `json:"channels"`
	}{KPIs: k, Total: rowOut(k.Total), Channels: []rowJSON{}}
	for _, c := range k.Channels {
		out.Channels = append(out.Channels, rowOut(c))
	}
	if out.Currencies == nil {
		out.Currencies = []string{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) listSpend(w http.ResponseWriter, r *http.Request) {
	all, err := a.Reports.Spends(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if all == nil {
		all = []report.Spend{}
	}
	writeJSON(w, http.StatusOK, map[string][]report.Spend{"spend": all})
}

func (a *API) putSpend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Source   string      `json:"source"`
		Month    string      `json:"month"`
		Amount   json.Number `json:"amount"`
		Currency string      `json:"currency"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	sp, err := a.Reports.SetSpend(r.Context(), actor(r), report.SpendInput{Source: in.Source, Month: in.Month, Amount: in.Amount.String(), Currency: in.Currency})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sp)
}

package web

import (
	"net/http"
	"net/url"
	"time"

	"leadflow/internal/brief"
	"leadflow/internal/fault"
	"leadflow/internal/report"
)

type softwareKPIs struct {
	Period  report.Period
	Presets []struct{ Key, Label string }
	Rows    []brief.KPIRow
	Errors  map[string]string
}

// softwareReport shows software requests by industry and category.
func (h *Web) softwareReport(w http.ResponseWriter, r *http.Request) {
	d := softwareKPIs{Presets: report.Presets}
	p, err := report.ParsePeriod(r.URL.Query(), time.Now())
	if e := fault.As(err); e != nil && e.Fields != nil {
		d.Errors = e.Fields
		p, err = report.ParsePeriod(url.Values{}, time.Now())
	}
	if err == nil {
		d.Rows, err = h.Briefs.KPIs(r.Context(), p.From, p.To)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Period = p
	h.render(w, r, "software_report", page{Title: "Software requests by industry", Nav: "reports", Data: d})
}

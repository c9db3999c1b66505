package web

import (
	"cmp"
	"net/http"
	"net/url"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/invoice"
	"leadflow/internal/live"
	"leadflow/internal/project"
	"leadflow/internal/report"
)

// defaultCurrency is offered for the first spend, before any deal or
// spend names one.
const defaultCurrency = "EUR"

type reportsData struct {
	K          report.KPIs
	Query      url.Values // the period and currency asked for, for links
	Errors     map[string]string
	MaxDay     int64
	SpendTable *spendTable
	Spend      report.SpendInput // the spend form, as typed
	Sources    []string          // channels to suggest in the spend form, by name
	SpendName  string            // the spend form's channel, by name where that reads back
	Presets    []struct{ Key, Label string }
	Currency   string
	// Owed is what issued invoices still owe, per currency, and how
	// much of it is overdue: today's, whatever the period.
	Owed []invoice.Due
	// Projects is delivery by the leads' channel: which channels bring
	// requests that end as profitable projects.
	Projects project.Report
}

// reports is the KPI dashboard: leads by channel, how far they got, and
// what each channel cost and brought in.
func (h *Web) reports(w http.ResponseWriter, r *http.Request) {
	h.renderReports(w, r, reportsData{}, http.StatusOK)
}

func (h *Web) renderReports(w http.ResponseWriter, r *http.Request, d reportsData, status int) {
	q := r.URL.Query()
	d.Query, d.Presets, d.Currency = q, report.Presets, q.Get("currency")
	p, err := report.ParsePeriod(q, time.Now())
	if e := fault.As(err); e != nil && e.Fields != nil {
		// A bad period is shown beside the period form, with the default
		// period's figures, rather than as an error page.
		if d.Errors == nil {
			d.Errors = map[string]string{}
		}
		for k, v := range e.Fields {
			d.Errors[k] = v
		}
		p, err = report.ParsePeriod(url.Values{}, time.Now())
		status = http.StatusUnprocessableEntity
	}
	if err == nil {
		d.K, err = h.Reports.KPIs(r.Context(), p, d.Currency)
	}
	if err == nil && actor(r).ManagesMarketing() { // the spend table and form are for those who record spend
		var all []report.Spend
		all, err = h.Reports.Spends(r.Context())
		d.SpendTable = pivot(all)
		var names sourceNames
		if err == nil {
			names, err = h.sourceNamesWith(r, all)
		}
		if err == nil {
			d.Sources, d.SpendName = names.names(), names.name(d.Spend.Source)
		}
	}
	if err == nil {
		d.Owed, err = h.Invoices.Owed(r.Context(), actor(r), h.Invoices.Today(h.zone(r)))
	}
	if err == nil {
		d.Projects, err = h.Projects.DeliveryReport(r.Context(), project.ByChannel, "")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, day := range d.K.Days {
		d.MaxDay = max(d.MaxDay, day.Leads)
	}
	// A fresh form proposes this month in the dashboard's currency; one
	// refused comes back as it was sent.
	if d.Errors == nil {
		d.Spend.Month = time.Now().UTC().Format("2006-01")
		d.Spend.Currency = cmp.Or(d.K.Currency, defaultCurrency)
	}
	h.render(w, r, "reports", page{Title: "Reports", Nav: "reports", Data: d, Status: status, Live: live.Leads + " " + live.Deals})
}

func (h *Web) saveSpend(w http.ResponseWriter, r *http.Request) {
	in := report.SpendInput{Source: r.PostFormValue("source"), Month: r.PostFormValue("month"),
		Amount: r.PostFormValue("amount"), Currency: r.PostFormValue("currency")}
	// A channel typed by the name the page shows is that channel.
	names, err := h.sourceNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in.Source = names.code(in.Source)
	_, err = h.Reports.SetSpend(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderReports(w, r, reportsData{Spend: in, Errors: e.Fields}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, tr(r, "flash.spend_saved"))
	http.Redirect(w, r, "/reports?"+r.URL.RawQuery+"#spend", http.StatusSeeOther)
}

// spendTable is the recorded spend as months by channels.
type spendTable struct {
	Sources []string
	Months  []struct {
		Month string
		Cells [][]spendCell // one per source: its amounts, one per currency
	}
}

// spendCell is one amount of a month's spend on a channel, written by
// the page in its reader's number format.
type spendCell struct {
	Amount   *int64
	Currency string
}

// pivot lays spends (latest month first) out as a table; nil for none.
func pivot(spends []report.Spend) *spendTable {
	if len(spends) == 0 {
		return nil
	}
	t := &spendTable{}
	col := map[string]int{}
	for _, sp := range spends {
		if _, ok := col[sp.Source]; !ok {
			col[sp.Source] = len(t.Sources)
			t.Sources = append(t.Sources, sp.Source)
		}
	}
	for _, sp := range spends {
		if n := len(t.Months); n == 0 || t.Months[n-1].Month != sp.Month {
			t.Months = append(t.Months, struct {
				Month string
				Cells [][]spendCell
			}{Month: sp.Month, Cells: make([][]spendCell, len(t.Sources))})
		}
		row := &t.Months[len(t.Months)-1]
		amount := sp.Amount
		row.Cells[col[sp.Source]] = append(row.Cells[col[sp.Source]], spendCell{&amount, sp.Currency})
	}
	return t
}

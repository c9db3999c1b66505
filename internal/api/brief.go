package api

import (
	"net/http"
	"time"

	"leadflow/internal/brief"
	"leadflow/internal/catalog"
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

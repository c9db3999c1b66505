package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/catalog"
	"leadflow/internal/project"
)

type projectFeatureJSON struct {
	Name     string       `json:"name"`
	DaysLow  catalog.Text `json:"days_low"`
	DaysHigh catalog.Text `json:"days_high"`
}

type estimateJSON struct {
	DaysLow  float64 `json:"days_low"`
	DaysHigh float64 `json:"days_high"`
	Low      string  `json:"low"`
	High     string  `json:"high"`
	Currency string  `json:"currency"`
}

type projectJSON struct {
	ID          int64                    `json:"id"`
	LeadID      *int64                   `json:"lead_id"`
	Title       string                   `json:"title"`
	Status      *string                  `json:"status"` // the pre-sale status; null for a project that had none
	Reason      string                   `json:"reason"`
	AppTypes    []string                 `json:"app_types"`
	Checklist   map[string]project.Check `json:"checklist"`
	Features    []projectFeatureJSON     `json:"features"`
	Constraints string                   `json:"constraints"`
	DayRate     string                   `json:"day_rate"`
	Currency    string                   `json:"currency"`
	Estimate    estimateJSON             `json:"estimate"`
	Version     int64                    `json:"version"`
	CreatedAt   time.Time                `json:"created_at"`
	UpdatedAt   time.Time                `json:"updated_at"`
	projectDeliveryJSON
}

func projectOut(p project.Project) projectJSON {
	in := project.InputOf(p)
	e := p.Estimate()
	j := projectJSON{ID: p.ID, LeadID: optionalID(p.LeadID), Title: p.Title, Status: optional(string(p.Status)), Reason: p.Reason, AppTypes: nonNil(p.AppTypes),
		Checklist: p.Checklist, Features: []projectFeatureJSON{}, Constraints: p.Constraints, DayRate: catalog.Decimal(p.DayRate),
		Currency: p.Currency, Estimate: estimateJSON{DaysLow: e.DaysLow, DaysHigh: e.DaysHigh, Low: catalog.Decimal(e.Low),
			High: catalog.Decimal(e.High), Currency: p.Currency}, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		projectDeliveryJSON: deliveryOut(p)}
	for _, f := range in.Features {
		j.Features = append(j.Features, projectFeatureJSON{Name: f.Name, DaysLow: catalog.Text(f.DaysLow), DaysHigh: catalog.Text(f.DaysHigh)})
	}
	return j
}

// projectIn is a project as a client sends it; absent members keep the
// stored values on PATCH.
type projectIn struct {
	Title       string                   `json:"title"`
	Status      string                   `json:"status"`
	AppTypes    catalog.List             `json:"app_types"`
	Checklist   map[string]project.Check `json:"checklist"`
	Features    []projectFeatureJSON     `json:"features"`
	Constraints string                   `json:"constraints"`
	DayRate     catalog.Text             `json:"day_rate"`
	Currency    string                   `json:"currency"`
}

func (in projectIn) input() project.Input {
	out := project.Input{Title: in.Title, Status: in.Status, AppTypes: in.AppTypes, Checklist: in.Checklist,
		Constraints: in.Constraints, DayRate: string(in.DayRate), Currency: in.Currency}
	for _, f := range in.Features {
		out.Features = append(out.Features, project.FeatureInput{Name: f.Name, DaysLow: string(f.DaysLow), DaysHigh: string(f.DaysHigh)})
	}
	return out
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var ps []project.Project
	if err == nil {
		ps, err = a.Projects.ForLead(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []projectJSON `json:"data"`
	}{Data: []projectJSON{}}
	for _, p := range ps {
		out.Data = append(out.Data, projectOut(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// openProject opens a custom project for the lead by hand.
func (a *API) openProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in projectIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Projects.Open(r.Context(), actor(r), id, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/projects/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, projectOut(p))
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var p project.Project
		if p, err = a.Projects.Get(r.Context(), actor(r), id); err == nil {
			a.writeProject(w, r, http.StatusOK, p)
			return
		}
	}
	a.fail(w, r, err)
}

// updateProject changes the members present; If-Match refuses a change
// to a project that has moved on. A project in pre-sale takes its
// estimate's members, one in delivery its delivery's; each refuses the
// other's by name.
func (a *API) updateProject(w http.ResponseWriter, r *http.Request) {
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
	old, err := a.Projects.Get(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := wrongPhase(obj, old.InDelivery()); err != nil {
		a.fail(w, r, err)
		return
	}
	var p project.Project
	if old.InDelivery() {
		var in deliveryIn
		if err = decodeMembers(obj, &in); err == nil {
			p, err = a.Projects.ChangeDelivery(r.Context(), actor(r), id, version, in.input())
		}
	} else {
		cur := projectOut(old)
		in := projectIn{Title: cur.Title, Status: string(old.Status), AppTypes: cur.AppTypes, Checklist: cur.Checklist, Features: cur.Features,
			Constraints: cur.Constraints, DayRate: catalog.Text(cur.DayRate), Currency: cur.Currency}
		if err = decodeMembers(obj, &in); err == nil {
			if version == 0 {
				version = old.Version // what the body was merged onto
			}
			p, err = a.Projects.Update(r.Context(), actor(r), id, version, in.input())
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeProject(w, r, http.StatusOK, p)
}

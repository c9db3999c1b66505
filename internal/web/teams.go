package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/salesteam"
)

// teamRoutes adds the sales teams' settings, the hand-overs and the
// team report.
func (h *Web) teamRoutes(mux routeMux) {
	mux.HandleFunc("GET /settings/teams", h.showTeams)
	mux.HandleFunc("POST /settings/teams", h.saveTeam)
	mux.HandleFunc("POST /settings/teams/{id}", h.saveTeam)
	mux.HandleFunc("POST /settings/teams/{id}/delete", h.deleteTeam)
	mux.HandleFunc("GET /handovers", h.listHandovers)
	mux.HandleFunc("GET /handovers/{id}", h.showHandover)
	mux.HandleFunc("POST /handovers/{id}/accept", h.acceptHandover)
	mux.HandleFunc("POST /handovers/{id}/reject", h.rejectHandover)
	mux.HandleFunc("GET /reports/teams", h.teamReport)
}

type teamsData struct {
	Teams  []salesteam.Team
	Form   int64             // which form the errors and values are of: 0 the new one, -1 none
	Errors map[string]string // of the form that was refused
	Values map[string]string
}

// ValuesFor are the values team t's form shows: what was typed when it
// was that form that was refused, else t's.
func (d teamsData) ValuesFor(t salesteam.Team) map[string]string {
	if d.Form == t.ID {
		return d.Values
	}
	emails := make([]string, len(t.Members))
	for i, m := range t.Members {
		emails[i] = m.Email
	}
	return map[string]string{"name": t.Name, "role": string(t.Role), "hands_to": strconv.FormatInt(t.HandsTo, 10),
		"members": strings.Join(emails, "\n")}
}

// NewValues are the values the new team's form shows.
func (d teamsData) NewValues() map[string]string {
	if d.Form == 0 {
		return d.Values
	}
	return map[string]string{"role": string(salesteam.Qualifying)}
}

// ErrorsFor are the errors of team id's form (0 the new one).
func (d teamsData) ErrorsFor(id int64) map[string]string {
	if d.Form == id {
		return d.Errors
	}
	return nil
}

// Closing are the closing teams, for a qualifying team's choice.
func (d teamsData) Closing() []salesteam.Team {
	var out []salesteam.Team
	for _, t := range d.Teams {
		if t.Role == salesteam.Closing {
			out = append(out, t)
		}
	}
	return out
}

func (h *Web) showTeams(w http.ResponseWriter, r *http.Request) {
	h.renderTeams(w, r, teamsData{Form: -1}, 0)
}

func (h *Web) renderTeams(w http.ResponseWriter, r *http.Request, d teamsData, status int) {
	if err := salesteam.MayChange(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	var err error
	if d.Teams, err = h.Teams.Teams(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "teams", page{Title: "Sales teams", Nav: "teams", Data: d, Status: status})
}

func (h *Web) saveTeam(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	values := map[string]string{}
	for _, k := range []string{"name", "role", "hands_to", "members"} {
		values[k] = r.PostFormValue(k)
	}
	in := salesteam.Input{Name: values["name"], Role: values["role"], Members: salesteam.MembersOf(values["members"])}
	var err error
	if v := values["hands_to"]; v != "" {
		// The form offers the closing teams by id: anything else was sent
		// by hand, or the list is stale; say so rather than hand over to
		// the first closing team.
		if in.HandsTo, err = strconv.ParseInt(v, 10, 64); err != nil || in.HandsTo < 0 {
			err = &fault.Error{Code: fault.Invalid, Message: "the team to hand over to is not a team",
				Fields: map[string]string{"hands_to": "must be a closing team"}}
		}
	}
	if err == nil {
		_, err = h.Teams.Save(r.Context(), actor(r), id, in)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderTeams(w, r, teamsData{Form: id, Errors: e.Fields, Values: values}, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Team saved.")
	http.Redirect(w, r, "/settings/teams", http.StatusSeeOther)
}

func (h *Web) deleteTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.Teams.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Team deleted; its hand-overs stay.")
	http.Redirect(w, r, "/settings/teams", http.StatusSeeOther)
}

type handoversData struct {
	Page   salesteam.Page
	Status string
	Mine   bool
}

// listHandovers shows the hand-overs the user may see: the AE's to
// answer, the SDR's sent and those rejected back to the team.
func (h *Web) listHandovers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := handoversData{Status: q.Get("status"), Mine: q.Get("mine") == "1"}
	f := salesteam.Filter{Status: d.Status, Limit: 50}
	if d.Mine {
		f.AE = actor(r).ID
	}
	if n, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && n > 0 {
		f.Before = n
	}
	var err error
	if d.Page, err = h.Teams.List(r.Context(), actor(r), f); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "handovers", page{Title: "Hand-overs", Nav: "handovers", Data: d})
}

type handoverData struct {
	salesteam.Handover
	MayAnswer bool
	SeesLead  bool // the lead went to the AE: its SDR no longer sees it
	Reasons   []string
	Errors    map[string]string
	Values    map[string]string
}

func (h *Web) showHandover(w http.ResponseWriter, r *http.Request) {
	h.renderHandover(w, r, nil, nil, 0)
}

func (h *Web) renderHandover(w http.ResponseWriter, r *http.Request, errs, values map[string]string, status int) {
	id, err := pathID(r)
	var ho salesteam.Handover
	if err == nil {
		ho, err = h.Teams.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := handoverData{Handover: ho, MayAnswer: ho.Status == salesteam.Pending && salesteam.MayAnswer(actor(r), ho),
		Reasons: salesteam.RejectReasons, Errors: errs, Values: values}
	if _, err := h.Leads.Get(r.Context(), actor(r), ho.LeadID); err == nil {
		d.SeesLead = true
	}
	h.render(w, r, "handover", page{Title: "Hand-over", Nav: "handovers", Data: d, Status: status})
}

func (h *Web) acceptHandover(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = h.Teams.Accept(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Hand-over accepted.")
	http.Redirect(w, r, fmt.Sprintf("/handovers/%d", id), http.StatusSeeOther)
}

func (h *Web) rejectHandover(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	values := map[string]string{"reason": r.PostFormValue("reason"), "reason_text": r.PostFormValue("reason_text")}
	_, err = h.Teams.Reject(r.Context(), actor(r), id, values["reason"], values["reason_text"])
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderHandover(w, r, e.Fields, values, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Hand-over rejected; it went back to the SDR.")
	http.Redirect(w, r, fmt.Sprintf("/handovers/%d", id), http.StatusSeeOther)
}

// handoversOn lists the hand-overs of an account or deal page that the
// user may see; a failure leaves the card out rather than the page.
func (h *Web) handoversOn(r *http.Request, f salesteam.Filter) []salesteam.Handover {
	if h.Teams == nil {
		return nil
	}
	f.Limit = 20
	p, err := h.Teams.List(r.Context(), actor(r), f)
	if err != nil {
		h.Log.ErrorContext(r.Context(), "hand-overs", "err", err)
		return nil
	}
	return p.Items
}

type teamReportData struct {
	Teams    []salesteam.TeamFigures
	Days     int
	DaysText string // as typed
	Error    string // why DaysText is refused
}

// teamReport shows each team's and member's part in the hand-overs.
func (h *Web) teamReport(w http.ResponseWriter, r *http.Request) {
	// A period that is not a number of days is said next to the field,
	// kept as typed, over the default period's figures.
	typed := r.URL.Query().Get("days")
	d := teamReportData{DaysText: typed}
	status := 0
	rep, days, err := h.Teams.ReportDays(r.Context(), typed)
	if e := fault.As(err); e != nil && e.Fields["days"] != "" {
		d.Error, status = e.Fields["days"], formStatus(e)
		rep, days, err = h.Teams.ReportDays(r.Context(), "")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Teams, d.Days = rep, days
	if typed == "" {
		d.DaysText = strconv.Itoa(days)
	}
	h.render(w, r, "team_report", page{Title: "Team report", Nav: "reports", Data: d, Status: status})
}

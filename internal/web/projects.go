package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/project"
)

type projectData struct {
	Project project.Project
	Lead    lead.Lead
	In      project.Input
	Version int64
	Errors  map[string]string
	// Convert proposes the accepted project as the lead's deal, when the
	// lead can be converted; "" otherwise.
	Convert string
}

// projectConvertLink proposes the project as the deal: its title, and the
// middle of its estimate in whole units.
func projectConvertLink(l lead.Lead, p project.Project) string {
	if p.Status != project.Accepted || !lead.CanConvert(l) {
		return ""
	}
	e := p.Estimate()
	q := url.Values{"deal_name": {p.Title}, "amount": {strconv.FormatInt((e.Low+e.High)/200, 10)}, "currency": {p.Currency}}
	return fmt.Sprintf("/leads/%d/convert?%s", l.ID, q.Encode())
}

// blankFeatureRows are the empty rows the project form offers for new
// features.
const blankFeatureRows = 3

// projectForm reads the project page's form: the checklist's ticks and
// notes, and the feature rows (features.N.name, .days_low, .days_high).
func projectForm(r *http.Request) project.Input {
	r.ParseForm()
	in := project.Input{Title: r.PostFormValue("title"), Status: r.PostFormValue("status"), AppTypes: r.PostForm["app_types"],
		Constraints: r.PostFormValue("constraints"), DayRate: r.PostFormValue("day_rate"), Currency: r.PostFormValue("currency"),
		Checklist: map[string]project.Check{}}
	for _, c := range project.ChecklistItems {
		in.Checklist[c.Key] = project.Check{Done: r.PostFormValue("check."+c.Key) != "", Notes: r.PostFormValue("notes." + c.Key)}
	}
	rows, _ := strconv.Atoi(r.PostFormValue("feature_rows"))
	for i := range min(rows, 300) {
		p := fmt.Sprintf("features.%d.", i)
		in.Features = append(in.Features, project.FeatureInput{Name: r.PostFormValue(p + "name"),
			DaysLow: r.PostFormValue(p + "days_low"), DaysHigh: r.PostFormValue(p + "days_high")})
	}
	return in
}

func (h *Web) showProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p project.Project
	if err == nil {
		p, err = h.Projects.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// In delivery a project's page is its delivery; a custom project's
	// pre-sale estimate stays a click away.
	if p.InDelivery() && (r.URL.Query().Get("view") != "estimate" || p.LeadID == 0) {
		h.renderDelivery(w, r, p, deliveryData{}, 0)
		return
	}
	h.renderProject(w, r, p, project.InputOf(p), p.Version, nil, 0)
}

func (h *Web) renderProject(w http.ResponseWriter, r *http.Request, p project.Project, in project.Input, version int64, errs map[string]string, status int) {
	l, err := h.Leads.Get(r.Context(), actor(r), p.LeadID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for range blankFeatureRows {
		in.Features = append(in.Features, project.FeatureInput{})
	}
	h.render(w, r, "project", page{Title: p.Title, Nav: "leads", Status: status,
		Data: projectData{Project: p, Lead: l, In: in, Version: version, Errors: errs, Convert: projectConvertLink(l, p)}})
}

func (h *Web) updateProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p project.Project
	if err == nil {
		p, err = h.Projects.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := projectForm(r)
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err = h.Projects.Update(r.Context(), actor(r), id, version, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		var trimmed []project.FeatureInput
		for _, f := range in.Features {
			if f != (project.FeatureInput{}) {
				trimmed = append(trimmed, f)
			}
		}
		in.Features = trimmed
		h.renderProject(w, r, p, in, version, e.Fields, refusedStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Custom project saved.")
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", id), http.StatusSeeOther)
}

// openProject opens a custom project by hand from a lead's software page.
func (h *Web) openProject(w http.ResponseWriter, r *http.Request) {
	l, ok := h.leadInPath(w, r)
	if !ok {
		return
	}
	title := r.PostFormValue("title")
	p, err := h.Projects.Open(r.Context(), actor(r), l.ID, project.Input{Title: title})
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderSoftware(w, r, l, nil, nil, formStatus(e), refused{project: openProjectForm{Title: title, Error: e.Fields["title"]}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Custom project opened.")
	http.Redirect(w, r, fmt.Sprintf("/projects/%d", p.ID), http.StatusSeeOther)
}

// openProjectForm is the software page's "open a project" form, shown
// again when refused.
type openProjectForm struct {
	Title, Error string
}

func init() {
	funcs["projectStatuses"] = func() []project.Status { return project.Statuses }
	funcs["checklistItems"] = func() []struct{ Key, Label string } { return project.ChecklistItems }
	funcs["featureField"] = func(i int, f string) string { return fmt.Sprintf("features.%d.%s", i, f) }
}

package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/assign"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/user"
)

type ruleRow struct {
	assign.Rule
	Input assign.Input
}

type assignmentData struct {
	Rules    []ruleRow
	Settings assign.Settings
	Users    []user.User
	// A refused form: which (new, settings or a rule's id), its errors
	// and what was typed.
	Form   string
	Errors map[string]string
	Input  assign.Input
	SLA    map[string]string
}

// ErrorsFor returns the errors of form, none when another was refused.
func (d assignmentData) ErrorsFor(form string) map[string]string {
	if d.Form == form {
		return d.Errors
	}
	return nil
}

// InputFor returns what was typed into form if it was refused, else def.
func (d assignmentData) InputFor(form string, def assign.Input) assign.Input {
	if d.Form == form {
		return d.Input
	}
	return def
}

// Blank is the new-rule form's starting point.
func (d assignmentData) Blank() assign.Input { return assign.Input{AppliesTo: string(assign.New)} }

// showAssignment shows the rules' editor to those who may save it.
func (h *Web) showAssignment(w http.ResponseWriter, r *http.Request) {
	if err := h.Leads.Assignment().MayChange(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAssignment(w, r, assignmentData{}, 0)
}

func (h *Web) renderAssignment(w http.ResponseWriter, r *http.Request, d assignmentData, status int) {
	store := h.Leads.Assignment()
	rules, err := store.Rules(r.Context())
	if err == nil {
		d.Settings, err = store.Settings(r.Context())
	}
	if err == nil {
		d.Users, err = h.Users.List(r.Context())
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i, rule := range rules {
		d.Rules = append(d.Rules, ruleRow{Rule: rule, Input: assign.InputOf(rule, i+1)})
	}
	if d.SLA == nil {
		d.SLA = map[string]string{}
		for g, n := range d.Settings.SLAHours {
			d.SLA[g] = strconv.Itoa(n)
		}
	}
	h.render(w, r, "assignment", page{Title: "Assignment", Nav: "assignment", Data: d, Status: status})
}

func ruleInput(r *http.Request) assign.Input {
	return assign.Input{Name: r.PostFormValue("name"), AppliesTo: r.PostFormValue("applies_to"), Countries: r.PostFormValue("countries"),
		Industries: r.PostFormValue("industries"), MinEmployees: r.PostFormValue("min_employees"),
		MaxEmployees: r.PostFormValue("max_employees"), Members: strings.Join(r.PostForm["members"], ","), Position: r.PostFormValue("position")}
}

// saveRule answers the new-rule form and each rule's edit form.
func (h *Web) saveRule(w http.ResponseWriter, r *http.Request) {
	var id int64
	form := "new"
	if s := r.PathValue("id"); s != "" {
		var err error
		if id, err = pathID(r); err != nil {
			h.fail(w, r, err)
			return
		}
		form = s
	}
	r.ParseForm()
	in := ruleInput(r)
	_, err := h.Leads.Assignment().Save(r.Context(), actor(r), id, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAssignment(w, r, assignmentData{Form: form, Errors: e.Fields, Input: in}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.rule_saved", "Name", strings.TrimSpace(in.Name)))
	http.Redirect(w, r, "/assignment", http.StatusSeeOther)
}

func (h *Web) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		if err := h.Leads.Assignment().MayChange(actor(r)); err != nil {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_rule"), Nav: "assignment", Data: confirmData{
			Question: tr(r, "confirm.delete_rule_q"), Detail: tr(r, "confirm.delete_rule_detail"),
			Action: fmt.Sprintf("/assignment/rules/%d/delete", id), Button: tr(r, "confirm.delete_rule"), Cancel: "/assignment"}})
		return
	}
	if err := h.Leads.Assignment().Delete(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Rule deleted.")
	http.Redirect(w, r, "/assignment", http.StatusSeeOther)
}

func (h *Web) saveAssignmentSettings(w http.ResponseWriter, r *http.Request) {
	sla := map[string]string{}
	for g := range assign.DefaultSLAHours {
		sla[g] = r.PostFormValue("sla_" + g)
	}
	err := h.Leads.Assignment().SaveSettings(r.Context(), actor(r), r.PostFormValue("fallback_owner"), sla)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAssignment(w, r, assignmentData{Form: "settings", Errors: e.Fields, SLA: sla}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Assignment settings saved.")
	http.Redirect(w, r, "/assignment", http.StatusSeeOther)
}

type pipelineData struct {
	Pipeline crm.Pipeline
	Stages   string // the open stages as typed
	Reasons  string // the disqualify reasons as typed
	Errors   map[string]string
}

// showPipelineSettings shows the settings' form to those who may save it.
func (h *Web) showPipelineSettings(w http.ResponseWriter, r *http.Request) {
	if err := h.CRM.MayChangePipeline(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPipelineSettings(w, r, pipelineData{}, 0)
}

func (h *Web) renderPipelineSettings(w http.ResponseWriter, r *http.Request, d pipelineData, status int) {
	stored, err := h.CRM.Pipeline(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The open stages are edited as stored; won and lost are named.
	d.Pipeline = localPipeline(i18n.From(r.Context()), stored)
	if d.Stages == "" {
		d.Stages = stored.OpenLabels()
	}
	if d.Reasons == "" {
		reasons, err := h.Leads.DisqualifyReasons(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Reasons = strings.Join(reasons, "\n")
	}
	h.render(w, r, "pipeline_settings", page{Title: "Pipeline settings", Nav: "deals", Data: d, Status: status})
}

func (h *Web) savePipelineSettings(w http.ResponseWriter, r *http.Request) {
	d := pipelineData{Stages: r.PostFormValue("stages"), Reasons: r.PostFormValue("disqualify_reasons")}
	var err error
	if r.PostForm.Has("stages") {
		_, err = h.CRM.SetPipeline(r.Context(), actor(r), d.Stages)
	} else {
		_, err = h.Leads.SetDisqualifyReasons(r.Context(), actor(r), d.Reasons)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		d.Errors = e.Fields
		h.renderPipelineSettings(w, r, d, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Saved.")
	http.Redirect(w, r, "/settings/pipeline", http.StatusSeeOther)
}

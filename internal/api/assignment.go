package api

import (
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/assign"
)

type ruleJSON struct {
	ID           int64    `json:"id"`
	Position     int      `json:"position"`
	Name         string   `json:"name"`
	AppliesTo    string   `json:"applies_to"`
	Countries    []string `json:"countries"`
	Industries   []string `json:"industries"`
	MinEmployees *int64   `json:"min_employees"`
	MaxEmployees *int64   `json:"max_employees"`
	Members      []string `json:"members"`
}

func ruleOut(r assign.Rule, position int) ruleJSON {
	j := ruleJSON{ID: r.ID, Position: position, Name: r.Name, AppliesTo: string(r.AppliesTo), Countries: r.Countries,
		Industries: r.Industries, MinEmployees: r.MinEmployees, MaxEmployees: r.MaxEmployees, Members: []string{}}
	if j.Countries == nil {
		j.Countries = []string{}
	}
	if j.Industries == nil {
		j.Industries = []string{}
	}
	for _, m := range r.Members {
		j.Members = append(j.Members, m.Email)
	}
	return j
}

func (in ruleJSON) input() assign.Input {
	out := assign.Input{Name: in.Name, AppliesTo: in.AppliesTo, Countries: strings.Join(in.Countries, ","),
		Industries: strings.Join(in.Industries, ","), Members: strings.Join(in.Members, ",")}
	if in.MinEmployees != nil {
		out.MinEmployees = strconv.FormatInt(*in.MinEmployees, 10)
	}
	if in.MaxEmployees != nil {
		out.MaxEmployees = strconv.FormatInt(*in.MaxEmployees, 10)
	}
	if in.Position > 0 {
		out.Position = strconv.Itoa(in.Position)
	}
	return out
}

// getAssignment answers with the rules, the fallback owner and the SLAs.
func (a *API) getAssignment(w http.ResponseWriter, r *http.Request) {
	store := a.Leads.Assignment()
	rules, err := store.Rules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := store.Settings(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Rules        []ruleJSON     `json:"rules"`
		Fallback     *string        `json:"fallback_owner"`
		SLAHours     map[string]int `json:"sla_hours"`
		AccountOwner bool           `json:"account_owner"`
	}{Rules: []ruleJSON{}, Fallback: optional(st.Fallback.Email), SLAHours: st.SLAHours, AccountOwner: st.AccountOwner}
	for i, rule := range rules {
		out.Rules = append(out.Rules, ruleOut(rule, i+1))
	}
	writeJSON(w, http.StatusOK, out)
}

// putAssignmentSettings sets the fallback owner and the SLA hours.
func (a *API) putAssignmentSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Fallback     *string        `json:"fallback_owner"`
		SLAHours     map[string]int `json:"sla_hours"`
		AccountOwner *bool          `json:"account_owner"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	sla := map[string]string{}
	for g, h := range in.SLAHours {
		sla[g] = strconv.Itoa(h)
	}
	fallback := ""
	if in.Fallback != nil {
		fallback = *in.Fallback
	}
	if err := a.Leads.Assignment().SaveSettings(r.Context(), actor(r), fallback, sla); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.AccountOwner != nil {
		if err := a.Leads.Assignment().SetAccountOwner(r.Context(), actor(r), *in.AccountOwner); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.getAssignment(w, r)
}

// saveRule answers POST (create) and PUT (replace) of a rule.
func (a *API) saveRule(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.Method == http.MethodPut {
		var err error
		if id, err = pathID(r); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var in ruleJSON
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	rule, err := a.Leads.Assignment().Save(r.Context(), actor(r), id, in.input())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	position := 0
	if rules, err := a.Leads.Assignment().Rules(r.Context()); err == nil {
		for i, x := range rules {
			if x.ID == rule.ID {
				position = i + 1
			}
		}
	}
	writeSaved(w, id == 0, "/api/v1/assignment/rules/"+strconv.FormatInt(rule.ID, 10), ruleOut(rule, position))
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Leads.Assignment().Delete(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) getDisqualifyReasons(w http.ResponseWriter, r *http.Request) {
	reasons, err := a.Leads.DisqualifyReasons(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]string{"reasons": reasons})
}

func (a *API) putDisqualifyReasons(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reasons []string `json:"reasons"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	reasons, err := a.Leads.SetDisqualifyReasons(r.Context(), actor(r), strings.Join(in.Reasons, "\n"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]string{"reasons": reasons})
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/predict"
)

type predictionData struct {
	Versions []predict.Version
	Active   *predict.Version
	Error    string
}

// showPrediction is the model's page: how the model in use did on the
// held-out leads, its earlier versions, and the button that trains anew.
func (h *Web) showPrediction(w http.ResponseWriter, r *http.Request) {
	h.renderPrediction(w, r, "", 0)
}

func (h *Web) renderPrediction(w http.ResponseWriter, r *http.Request, problem string, status int) {
	vs, err := h.Predict.Versions(r.Context(), actor(r), 20)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := predictionData{Versions: vs, Error: problem}
	for i := range vs {
		if vs[i].Active {
			d.Active = &vs[i]
		}
	}
	h.render(w, r, "prediction", page{Title: "Prediction", Nav: "prediction", Data: d, Status: status})
}

func (h *Web) trainModel(w http.ResponseWriter, r *http.Request) {
	v, err := h.Predict.Train(r.Context(), actor(r))
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		h.renderPrediction(w, r, e.Message, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, tr(r, "flash.model_trained", "ID", v.ID, "Count", v.Metrics.Closed,
		"AUC", i18n.From(r.Context()).Decimal(v.Metrics.AUC, 3), "HeldOut", v.Metrics.HeldOut))
	http.Redirect(w, r, "/prediction", http.StatusSeeOther)
}

func (h *Web) restoreModel(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no model %q.", r.PathValue("id")))
		return
	}
	if _, err := h.Predict.Restore(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.model_restored", "ID", id))
	http.Redirect(w, r, "/prediction", http.StatusSeeOther)
}

// whatIfScoring replays the rules in the editor, unsaved, against the
// closed leads of the last months, and shows the editor again with them
// and the answer.
func (h *Web) whatIfScoring(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	rules, typed, bad := rulesFromPost(r)
	months := 6
	if s := strings.TrimSpace(r.PostFormValue("months")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add("months", "must be a whole number of months")
		}
		months = n
	}
	d := scoringData{Rules: rules, Typed: typed, Note: strings.TrimSpace(r.PostFormValue("note")), Months: months}
	err := bad.Err()
	if err == nil {
		var res predict.WhatIf
		res, err = h.Predict.WhatIf(r.Context(), actor(r), rules, months)
		d.WhatIf = &res
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		d.Errors, d.WhatIf = readableRuleErrors(e.Fields), nil
		h.renderScoring(w, r, d, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderScoring(w, r, d, 0)
}

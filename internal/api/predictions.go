package api

import (
	"net/http"
	"time"

	"leadflow/internal/predict"
	"leadflow/internal/scoring"
)

// modelJSON is one trained model as the API shows it.
type modelJSON struct {
	ID        int64           `json:"id"`
	Active    bool            `json:"active"`
	CreatedBy *string         `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	Threshold float64         `json:"threshold"`
	Inputs    int             `json:"inputs"`
	Metrics   predict.Metrics `json:"metrics"`
}

func toModelJSON(v predict.Version) modelJSON {
	j := modelJSON{ID: v.ID, Active: v.Active, CreatedAt: v.CreatedAt, Threshold: v.Model.Threshold,
		Inputs: len(v.Model.Spec.Columns), Metrics: v.Metrics}
	if v.CreatedBy != "" {
		by := v.CreatedBy
		j.CreatedBy = &by
	}
	return j
}

// trainModel answers POST /api/v1/predictions/train: a model of the
// closed leads, made the one in use; 422 names the numbers when there
// are too few.
func (a *API) trainModel(w http.ResponseWriter, r *http.Request) {
	v, err := a.Predict.Train(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toModelJSON(v))
}

func (a *API) listModels(w http.ResponseWriter, r *http.Request) {
	vs, err := a.Predict.Versions(r.Context(), actor(r), 50)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(vs, toModelJSON))
}

// restoreModel makes an earlier model the one in use again.
func (a *API) restoreModel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var v predict.Version
	if err == nil {
		v, err = a.Predict.Restore(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toModelJSON(v))
}

// leadPrediction answers GET /api/v1/leads/{id}/prediction: the lead's
// probability under the model in use and the factors for and against it.
func (a *API) leadPrediction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var e predict.Explanation
	var v predict.Version
	if err == nil {
		e, v, err = a.Predict.Explain(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if e.For == nil {
		e.For = []predict.Factor{}
	}
	if e.Against == nil {
		e.Against = []predict.Factor{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"probability": e.Probability, "model": v.ID,
		"likely": e.Probability >= v.Model.Threshold, "for": e.For, "against": e.Against})
}

// whatIf answers POST /api/v1/scoring/whatif {"rules": {...}, "months": N}:
// how draft rules would have sorted the leads closed in the last months,
// beside the current rules, with point values history suggests.
func (a *API) whatIf(w http.ResponseWriter, r *http.Request) {
	in := struct {
		Rules  scoring.Rules `json:"rules"`
		Months int           `json:"months"`
	}{Months: 6}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Predict.WhatIf(r.Context(), actor(r), in.Rules, in.Months)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if res.Suggested == nil {
		res.Suggested = []predict.Suggestion{}
	}
	writeJSON(w, http.StatusOK, res)
}

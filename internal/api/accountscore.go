package api

import (
	"net/http"
	"time"

	"leadflow/internal/accountscore"
)

type accountScoreJSON struct {
	Score         int     `json:"score"`
	Fit           int     `json:"fit"`
	Engagement    float64 `json:"engagement"`
	Grade         string  `json:"grade"`
	SuggestedTier int     `json:"suggested_tier"`
	Tier          *int    `json:"tier"`
	FitRules      []struct {
		Label  string `json:"label"`
		Points int    `json:"points"`
	} `json:"fit_rules"`
	People []struct {
		LeadID int64   `json:"lead_id"`
		Name   string  `json:"name"`
		Points float64 `json:"points"`
	} `json:"people"`
}

// getAccountScore answers with an account's score, grade and tiers, and why.
func (a *API) getAccountScore(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.CRM.Account(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.AccountScores.Score(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := accountScoreJSON{Score: res.Score, Fit: res.Fit, Engagement: res.Engagement, Grade: res.Grade, SuggestedTier: res.Suggested}
	out.FitRules = make([]struct {
		Label  string `json:"label"`
		Points int    `json:"points"`
	}, len(res.FitFired))
	for i, f := range res.FitFired {
		out.FitRules[i].Label, out.FitRules[i].Points = f.Label, int(f.Points)
	}
	out.People = make([]struct {
		LeadID int64   `json:"lead_id"`
		Name   string  `json:"name"`
		Points float64 `json:"points"`
	}, len(res.People))
	for i, p := range res.People {
		out.People[i].LeadID, out.People[i].Name, out.People[i].Points = p.LeadID, p.Name, p.Points
	}
	if v.Tier != 0 {
		out.Tier = &v.Tier
	}
	writeJSON(w, http.StatusOK, out)
}

// putAccountTier sets or clears an account's target tier.
func (a *API) putAccountTier(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Tier *int `json:"tier"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	tier := 0
	if in.Tier != nil {
		tier = *in.Tier
		if tier == 0 {
			tier = -1 // 0 is no tier only as null; a number must be 1-3
		}
	}
	if err := a.AccountScores.SetTier(r.Context(), actor(r), id, tier); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getAccountScore(w, r)
}

// getAccountTimeline answers with what an account's people did, newest first.
func (a *API) getAccountTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.CRM.Account(r.Context(), actor(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	entries, err := a.AccountScores.Timeline(r.Context(), actor(r), id, 200)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type entryJSON struct {
		At     time.Time `json:"at"`
		Type   string    `json:"type"`
		URL    string    `json:"url"`
		LeadID int64     `json:"lead_id"`
		Name   string    `json:"name"`
	}
	out := struct {
		Data []entryJSON `json:"data"`
	}{Data: []entryJSON{}}
	for _, e := range entries {
		out.Data = append(out.Data, entryJSON{At: e.At, Type: e.Type, URL: e.URL, LeadID: e.LeadID, Name: e.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getAccountScoring(w http.ResponseWriter, r *http.Request) {
	rules, err := a.AccountScores.Rules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rules)
}

func (a *API) putAccountScoring(w http.ResponseWriter, r *http.Request) {
	if err := accountscore.MayChange(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	var in accountscore.Rules
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.AccountScores.SaveRules(r.Context(), actor(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

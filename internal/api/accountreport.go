package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
)

// getAccountReport answers with engaged accounts, open pipeline and won
// amounts per tier, and target accounts' days from first touch to their
// first opportunity (-1 while none).
func (a *API) getAccountReport(w http.ResponseWriter, r *http.Request) {
	days := 30
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "bad days", Fields: map[string]string{"days": "must be a number of days from 1 to 3650"}})
			return
		}
		days = n
	}
	rep, err := a.AccountScores.AccountReport(r.Context(), time.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type tierJSON struct {
		Tier     *int             `json:"tier"`
		Accounts int              `json:"accounts"`
		Engaged  int              `json:"engaged"`
		Pipeline map[string]int64 `json:"pipeline"`
		Won      map[string]int64 `json:"won"`
	}
	type targetJSON struct {
		AccountID  int64     `json:"account_id"`
		Name       string    `json:"name"`
		Tier       int       `json:"tier"`
		FirstTouch time.Time `json:"first_touch"`
		Days       *float64  `json:"days_to_opportunity"`
	}
	out := struct {
		Days    int          `json:"days"`
		Tiers   []tierJSON   `json:"tiers"`
		Targets []targetJSON `json:"targets"`
	}{Days: days, Tiers: []tierJSON{}, Targets: []targetJSON{}}
	for _, t := range rep.Tiers {
		row := tierJSON{Accounts: t.Accounts, Engaged: t.Engaged, Pipeline: t.Pipeline, Won: t.Won}
		if t.Tier != 0 {
			row.Tier = &t.Tier
		}
		out.Tiers = append(out.Tiers, row)
	}
	for _, t := range rep.Targets {
		row := targetJSON{AccountID: t.AccountID, Name: t.Name, Tier: t.Tier, FirstTouch: t.Touch}
		if t.Days >= 0 {
			row.Days = &t.Days
		}
		out.Targets = append(out.Targets, row)
	}
	writeJSON(w, http.StatusOK, out)
}

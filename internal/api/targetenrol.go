package api

import (
	"net/http"
)

// enrolTargets puts the people of a tier's target accounts, or of one
// account, into a nurturing sequence.
func (a *API) enrolTargets(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SequenceID int64 `json:"sequence_id"`
		Tier       int   `json:"tier"`
		AccountID  int64 `json:"account_id"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.AccountScores.EnrolTargets(r.Context(), actor(r), a.Nurture, in.SequenceID, in.Tier, in.AccountID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"enrolled": n})
}

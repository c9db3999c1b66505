package api

import (
	"net/http"

	"leadflow/internal/accountscore"
)

// enrolTargets puts the people of an account segment's accounts, of a
// tier's target accounts, or of one account, into a nurturing sequence.
func (a *API) enrolTargets(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SequenceID int64 `json:"sequence_id"`
		Tier       int   `json:"tier"`
		AccountID  int64 `json:"account_id"`
		SegmentID  int64 `json:"segment_id"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.AccountScores.EnrolTargets(r.Context(), actor(r), a.Nurture, in.SequenceID,
		accountscore.Targets{SegmentID: in.SegmentID, Tier: in.Tier, AccountID: in.AccountID})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"enrolled": n})
}

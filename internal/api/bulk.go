package api

import (
	"net/http"

	"leadflow/internal/bulk"
)

// bulkLeads applies {"ids", "action", "value", "reason"} to each lead:
// assign (value: an owner's email, "" for nobody), stage (value: the
// stage; reason when it needs one), enrol (value: a sequence id) or
// delete. It answers which leads were done and why each other was
// refused.
func (a *API) bulkLeads(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IDs    []int64 `json:"ids"`
		Action string  `json:"action"`
		Value  string  `json:"value"`
		Reason string  `json:"reason"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Bulk.Apply(r.Context(), actor(r), in.IDs, bulk.Action{Kind: in.Action, Value: in.Value, Reason: in.Reason})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

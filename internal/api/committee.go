package api

import (
	"net/http"

	"leadflow/internal/crm"
)

type committeeJSON struct {
	OpportunityID *int64             `json:"opportunity_id"`
	Roles         map[string][]int64 `json:"roles"`
	Missing       []string           `json:"missing"`
	Unassigned    []int64            `json:"unassigned"`
}

func committeeOut(c crm.Committee) committeeJSON {
	out := committeeJSON{Roles: map[string][]int64{}, Missing: []string{}, Unassigned: []int64{}}
	if c.Opportunity != nil {
		out.OpportunityID = &c.Opportunity.ID
	}
	for _, s := range c.Seats {
		ids := []int64{}
		for _, ct := range s.Contacts {
			ids = append(ids, ct.ID)
		}
		out.Roles[string(s.Role)] = ids
	}
	for _, r := range c.Missing {
		out.Missing = append(out.Missing, string(r))
	}
	for _, ct := range c.Unassigned {
		out.Unassigned = append(out.Unassigned, ct.ID)
	}
	return out
}

// putContactRole sets a contact's part in the buying decision.
func (a *API) putContactRole(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.CRM.SetContactRole(r.Context(), actor(r), id, in.Role)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, contactOut(c))
}

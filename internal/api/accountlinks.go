package api

import (
	"net/http"
	"time"

	"leadflow/internal/accountmatch"
	"leadflow/internal/fault"
)

type accountLinkJSON struct {
	LeadID    int64      `json:"lead_id"`
	AccountID int64      `json:"account_id"`
	Account   string     `json:"account"`
	MatchedBy string     `json:"matched_by"`
	MatchedOn string     `json:"matched_on"`
	Reason    string     `json:"reason"`
	LinkedAt  time.Time  `json:"linked_at"`
	UndoneAt  *time.Time `json:"undone_at"`
	UndoneBy  *string    `json:"undone_by"`
}

func accountLinkOut(l accountmatch.Link) accountLinkJSON {
	return accountLinkJSON{LeadID: l.LeadID, AccountID: l.AccountID, Account: l.AccountName, MatchedBy: l.By, MatchedOn: l.Value,
		Reason: l.Reason(), LinkedAt: l.LinkedAt, UndoneAt: l.UndoneAt, UndoneBy: optional(l.UndoneBy)}
}

type linkedLeadJSON struct {
	LeadID    int64     `json:"lead_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Stage     string    `json:"stage"`
	Owner     *string   `json:"owner"`
	MatchedBy string    `json:"matched_by"`
	MatchedOn string    `json:"matched_on"`
	LinkedAt  time.Time `json:"linked_at"`
}

func linkedLeadsOut(ls []accountmatch.LinkedLead) []linkedLeadJSON {
	out := []linkedLeadJSON{}
	for _, l := range ls {
		out = append(out, linkedLeadJSON{LeadID: l.LeadID, Name: l.Name, Email: l.Email, Stage: l.Stage, Owner: optional(l.OwnerEmail),
			MatchedBy: l.By, MatchedOn: l.Value, LinkedAt: l.LinkedAt})
	}
	return out
}

// getAccountLink answers with the account a lead was linked to at intake.
func (a *API) getAccountLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	link, ok, err := a.Leads.AccountLink(r.Context(), actor(r), id)
	if err == nil && !ok {
		err = fault.Errorf(fault.NotFound, "lead %d was never linked to an account", id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountLinkOut(link))
}

// deleteAccountLink undoes a lead's link to its account.
func (a *API) deleteAccountLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	link, err := a.Leads.UnlinkAccount(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountLinkOut(link))
}

package web

import (
	"fmt"
	"net/http"
)

// unlinkAccount undoes a lead's link to the account it was matched to,
// and goes back where the form was (the lead's or the account's page).
func (h *Web) unlinkAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = h.Leads.UnlinkAccount(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Link to the account undone.")
	http.Redirect(w, r, next(r, fmt.Sprintf("/leads/%d", id)), http.StatusSeeOther)
}

// saveAccountRouting turns on or off giving new leads of an existing
// account to that account's owner.
func (h *Web) saveAccountRouting(w http.ResponseWriter, r *http.Request) {
	if err := h.Leads.Assignment().SetAccountOwner(r.Context(), actor(r), r.PostFormValue("account_owner") == "on"); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Routing to account owners saved.")
	http.Redirect(w, r, "/assignment", http.StatusSeeOther)
}

// setContactRole sets a contact's part in the buying decision, from the
// account's page or the contact's.
func (h *Web) setContactRole(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = h.CRM.SetContactRole(r.Context(), actor(r), id, r.PostFormValue("role"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Role saved.")
	http.Redirect(w, r, next(r, fmt.Sprintf("/contacts/%d", id)), http.StatusSeeOther)
}

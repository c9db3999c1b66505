package web

import (
	"net/http"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/user"
)

type inviteData struct {
	Invitation user.Invitation
	Problem    string
	Errors     map[string]string
	Name       string
}

// invitePage is where an invited person chooses their password. It
// needs no sign-in: the link's token is the credential.
func (h *Web) invitePage(w http.ResponseWriter, r *http.Request) {
	inv, err := h.Users.InvitationByToken(r.Context(), r.PathValue("token"))
	h.renderInvite(w, r, inviteData{Invitation: inv, Name: inv.Name}, err)
}

func (h *Web) acceptInvite(w http.ResponseWriter, r *http.Request) {
	token, name, password := r.PathValue("token"), r.PostFormValue("name"), r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		inv, err := h.Users.InvitationByToken(r.Context(), token)
		h.renderInvite(w, r, inviteData{Invitation: inv, Name: name, Errors: map[string]string{"password2": "does not match the password"}}, err)
		return
	}
	u, err := h.Users.AcceptInvitation(r.Context(), token, name, password)
	if e := fault.As(err); e != nil && e.Fields != nil {
		inv, err := h.Users.InvitationByToken(r.Context(), token)
		h.renderInvite(w, r, inviteData{Invitation: inv, Name: name, Errors: e.Fields}, err)
		return
	}
	if err != nil {
		h.renderInvite(w, r, inviteData{}, err)
		return
	}
	secret, _, err := h.Users.Login(r.Context(), u.Email, password, h.Proxies.IP(r))
	if err != nil {
		h.flash(w, i18n.T(r.Context(), "flash.account_ready", "Email", u.Email))
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	h.setSession(w, secret)
	h.flash(w, i18n.T(r.Context(), "flash.welcome"))
	http.Redirect(w, r, "/home", http.StatusSeeOther)
}

func (h *Web) renderInvite(w http.ResponseWriter, r *http.Request, d inviteData, err error) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	status := http.StatusOK
	if d.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	if e := fault.As(err); e != nil && (e.Code == fault.NotFound || e.Code == fault.Conflict) {
		d.Problem, status = e.Message, http.StatusGone
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, "invite", page{Title: "Join leadflow", Data: d, Status: status})
}

package web

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/user"
)

type usersData struct {
	Users []user.User
	// Tokens are each user's API tokens, by user id.
	Tokens map[int64][]user.Token
	Values map[string]string
	Errors map[string]string
	// Invitations are the recent and pending ones; Invited is the one
	// just made, whose link is shown once.
	Invitations  []user.Invitation
	Invited      *invited
	InviteValues map[string]string
	InviteErrors map[string]string
	MailOff      bool
	Now          time.Time
	// TeamLanguage is the language of emails to people who chose none.
	TeamLanguage string
}

type invited struct {
	Email   string
	Link    string
	Emailed bool
}

func (h *Web) listUsers(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, usersData{Values: map[string]string{"role": string(access.Sales)}}, 0)
}

func (h *Web) renderUsers(w http.ResponseWriter, r *http.Request, d usersData, status int) {
	// The page is where users are made: shown to those who may make them.
	if err := h.Users.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	var err error
	if d.Users, err = h.Users.List(r.Context()); err != nil {
		h.serverError(w, r, err)
		return
	}
	tokens, err := h.Users.AllTokens(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Invitations, err = h.Users.Invitations(r.Context(), actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	d.MailOff, d.Now = !h.Forms.MailConfigured(), time.Now()
	d.TeamLanguage = h.Users.TeamLanguage(r.Context())
	if d.Values == nil {
		d.Values = map[string]string{"role": string(access.Sales)}
	}
	if d.InviteValues == nil {
		d.InviteValues = map[string]string{"role": string(access.Sales)}
	}
	d.Tokens = map[int64][]user.Token{}
	for _, t := range tokens {
		d.Tokens[t.UserID] = append(d.Tokens[t.UserID], t)
	}
	h.render(w, r, "users", page{Title: "Users", Nav: "users", Data: d, Status: status})
}

func (h *Web) createUser(w http.ResponseWriter, r *http.Request) {
	in := user.Input{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Password: r.PostFormValue("password"), Role: access.Role(r.PostFormValue("role"))}
	_, err := h.Users.Create(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		// The password is not echoed back; everything else is.
		h.renderUsers(w, r, usersData{Errors: e.Fields,
			Values: map[string]string{"email": in.Email, "name": in.Name, "role": string(in.Role)}},
			http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.user_created", "Email", in.Email))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

func (h *Web) inviteUser(w http.ResponseWriter, r *http.Request) {
	in := user.InviteInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: access.Role(r.PostFormValue("role"))}
	inv, link, err := h.Users.Invite(r.Context(), actor(r), in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderUsers(w, r, usersData{InviteErrors: e.Fields,
			InviteValues: map[string]string{"email": in.Email, "name": in.Name, "role": string(in.Role)}}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderUsers(w, r, usersData{Invited: &invited{Email: inv.Email, Link: link, Emailed: inv.MailStatus != ""}}, http.StatusCreated)
}

func (h *Web) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := h.Users.RevokeInvitation(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Invitation withdrawn: its link no longer works.")
	http.Redirect(w, r, "/users#invitations", http.StatusSeeOther)
}

// saveTeamLanguage sets the language of emails to leads who came in
// through no form that spoke one, and to users who chose none.
func (h *Web) saveTeamLanguage(w http.ResponseWriter, r *http.Request) {
	if err := h.Users.SetTeamLanguage(r.Context(), actor(r), r.PostFormValue("team_language")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "users.team_language_saved"))
	http.Redirect(w, r, "/users#team-language", http.StatusSeeOther)
}

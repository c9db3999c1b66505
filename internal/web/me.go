package web

import (
	"net/http"
	"strconv"

	"leadflow/internal/fault"
	"leadflow/internal/user"
)

// meData is the Account page: the signed-in user's own password,
// sessions and API tokens.
type meData struct {
	User     user.User
	Sessions []user.Session
	Tokens   []user.Token
	// Secret is a token just created, shown this once.
	Secret    string
	TokenName string
	Errors    map[string]string
}

func sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (h *Web) showAccountPage(w http.ResponseWriter, r *http.Request) {
	h.renderAccountPage(w, r, meData{}, 0)
}

func (h *Web) renderAccountPage(w http.ResponseWriter, r *http.Request, d meData, status int) {
	a := actor(r)
	var err error
	if d.User, err = h.Users.ByID(r.Context(), a.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Sessions, err = h.Users.Sessions(r.Context(), a, sessionSecret(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Tokens, err = h.Users.Tokens(r.Context(), a, a.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	// A page with a secret on it is not kept by the browser's cache.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, "me", page{Title: "Account", Nav: "me", Data: d, Status: status})
}

func (h *Web) changePassword(w http.ResponseWriter, r *http.Request) {
	err := h.Users.ChangePassword(r.Context(), actor(r), r.PostFormValue("current_password"),
		r.PostFormValue("password"), sessionSecret(r))
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccountPage(w, r, meData{Errors: e.Fields}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Password changed. Your other sessions are signed out.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// createToken shows the new token's secret on the page it answers with,
// not after a redirect, so that it is never stored in a cookie.
func (h *Web) createToken(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	_, secret, err := h.Users.CreateOwnToken(r.Context(), actor(r), name)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccountPage(w, r, meData{Errors: e.Fields, TokenName: name}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAccountPage(w, r, meData{Secret: secret}, http.StatusCreated)
}

func (h *Web) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no token %q.", r.PathValue("id")))
		return
	}
	if err := h.Users.RevokeToken(r.Context(), actor(r), actor(r).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Token revoked.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (h *Web) revokeSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sessions, err := h.Users.Sessions(r.Context(), actor(r), sessionSecret(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	current := false
	for _, s := range sessions {
		current = current || (s.ID == id && s.Current)
	}
	if err := h.Users.RevokeSession(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if current {
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
		h.flash(w, "You are signed out.")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	h.flash(w, "Session signed out.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

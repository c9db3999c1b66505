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

// meData is the Account page: the signed-in user's own password,
// sessions and API tokens.
type meData struct {
	User     user.User
	Sessions []user.Session
	Tokens   []user.Token
	// Secret is a token just created, shown this once.
	Secret    string
	TokenName string
	// TokenScope and TokenDays are the new token's form: its scope and
	// how many days it lasts ("" for ever).
	TokenScope, TokenDays string
	Scopes                []string
	// Languages are the choices of the language setting.
	Languages []language
	Errors    map[string]string
}

// language is one choice of a language menu: its code and its name as
// its speakers write it.
type language struct{ Code, Name string }

func languages() []language {
	out := make([]language, len(i18n.Langs))
	for i, l := range i18n.Langs {
		out[i] = language{l, i18n.Name(l)}
	}
	return out
}

// tokenDays are the lifetimes the token form offers, in days.
var tokenDays = map[string]int{"7": 7, "30": 30, "90": 90, "365": 365}

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
	d.Scopes = user.Scopes
	d.Languages = languages()
	if a.Role != access.Admin {
		d.Scopes = d.Scopes[:2]
	}
	// A page with a secret on it is not kept by the browser's cache.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, "me", page{Title: i18n.T(r.Context(), "me.title"), Nav: "me", Data: d, Status: status})
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

// setLanguage saves the language the user reads the pages in and shows
// the account page in it.
func (h *Web) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("language")
	err := h.Users.SetLanguage(r.Context(), actor(r), lang)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccountPage(w, r, meData{Errors: e.Fields}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.For(i18n.Pick(r.Header.Get("Accept-Language"), lang)).T("me.language_saved"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// createToken shows the new token's secret on the page it answers with,
// not after a redirect, so that it is never stored in a cookie.
func (h *Web) createToken(w http.ResponseWriter, r *http.Request) {
	name, scope, days := r.PostFormValue("name"), r.PostFormValue("scope"), r.PostFormValue("days")
	spec := user.TokenSpec{Name: name, Scope: scope}
	var err error
	if n, ok := tokenDays[days]; ok {
		spec.ExpiresAt = time.Now().AddDate(0, 0, n)
	} else if days != "" {
		err = fault.Fields{"days": "must be 7, 30, 90 or 365, or empty for a token that does not expire"}.Err()
	}
	var secret string
	if err == nil {
		_, secret, err = h.Users.IssueOwnToken(r.Context(), actor(r), spec)
	}
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderAccountPage(w, r, meData{Errors: e.Fields, TokenName: name, TokenScope: scope, TokenDays: days}, http.StatusUnprocessableEntity)
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

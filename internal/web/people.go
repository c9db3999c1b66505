package web

import (
	"fmt"
	"net/http"
	"strconv"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/user"
)

// userInPath reads the {id} of a user page and finds the user; admins
// only, since only they reach these pages.
func (h *Web) userInPath(w http.ResponseWriter, r *http.Request) (user.User, bool) {
	if err := h.Users.MayManage(actor(r)); err != nil {
		h.fail(w, r, err)
		return user.User{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, fault.Errorf(fault.NotFound, "There is no user %q.", r.PathValue("id")))
		return user.User{}, false
	}
	u, err := h.Users.ByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return user.User{}, false
	}
	return u, true
}

// changeUser applies one change posted from a row of the users page.
func (h *Web) changeUser(w http.ResponseWriter, r *http.Request, c user.Change, done func(email string) string) {
	u, ok := h.userInPath(w, r)
	if !ok {
		return
	}
	if _, err := h.Users.Update(r.Context(), actor(r), u.ID, c); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, done(u.Email))
	http.Redirect(w, r, "/users#user-"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
}

func (h *Web) setUserRole(w http.ResponseWriter, r *http.Request) {
	role := access.Role(r.PostFormValue("role"))
	h.changeUser(w, r, user.Change{Role: &role}, func(e string) string {
		return i18n.T(r.Context(), "flash.user_role", "Email", e, "Role", i18n.T(r.Context(), "role."+string(role)))
	})
}

func (h *Web) disableUser(w http.ResponseWriter, r *http.Request) {
	yes := true
	h.changeUser(w, r, user.Change{Disabled: &yes}, func(e string) string { return i18n.T(r.Context(), "flash.user_disabled", "Email", e) })
}

func (h *Web) enableUser(w http.ResponseWriter, r *http.Request) {
	no := false
	h.changeUser(w, r, user.Change{Disabled: &no}, func(e string) string { return i18n.T(r.Context(), "flash.user_enabled", "Email", e) })
}

// deleteUser asks first on GET and deletes on POST.
func (h *Web) deleteUser(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userInPath(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		h.render(w, r, "confirm", page{Title: tr(r, "confirm.delete_user"), Nav: "users", Data: confirmData{
			Question: tr(r, "confirm.delete_user_q", "Email", u.Email),
			Detail:   tr(r, "confirm.delete_user_detail"),
			Action:   fmt.Sprintf("/users/%d/delete", u.ID), Button: tr(r, "confirm.delete_user"), Cancel: "/users"}})
		return
	}
	if err := h.Users.Delete(r.Context(), actor(r), u.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.user_deleted", "Email", u.Email))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

// revokeUserToken lets an admin revoke any user's API token.
func (h *Web) revokeUserToken(w http.ResponseWriter, r *http.Request) {
	u, ok := h.userInPath(w, r)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err == nil {
		err = h.Users.RevokeToken(r.Context(), actor(r), u.ID, tid)
	} else {
		err = fault.Errorf(fault.NotFound, "There is no token %q.", r.PathValue("tid"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.user_token_revoked", "Email", u.Email))
	http.Redirect(w, r, "/users#user-"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
}

package api

import (
	"net/http"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/user"
)

type userJSON struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Role      access.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
	Disabled  bool        `json:"disabled"`
}

func userToJSON(u user.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt, Disabled: u.Disabled()}
}

// listUsers answers GET /api/v1/users: everyone may see who can own leads.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := a.Users.List(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []userJSON `json:"data"`
	}{Data: make([]userJSON, 0, len(users))}
	for _, u := range users {
		out.Data = append(out.Data, userToJSON(u))
	}
	writeJSON(w, http.StatusOK, out)
}

// createUser answers POST /api/v1/users, for admins.
func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := user.Input{}
	bad := fault.Fields{}
	for name, raw := range obj {
		v, reason := textOf(raw, "")
		switch {
		case reason != "":
			bad.Add(name, reason)
		case name == "email":
			in.Email = v
		case name == "name":
			in.Name = v
		case name == "password":
			in.Password = v
		case name == "role":
			in.Role = access.Role(v)
		default:
			bad.Add(name, "is not a user field")
		}
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.Users.Create(r.Context(), actor(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, userToJSON(u))
}

// me answers GET /api/v1/me: the token's own user.
func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u, err := a.Users.ByEmail(r.Context(), actor(r).Email)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userToJSON(u))
}

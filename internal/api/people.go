package api

import (
	"net/http"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/user"
)

// updateUser answers PATCH /api/v1/users/{id}: an admin changes a user's
// role or disables or enables them.
func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Role     *access.Role `json:"role"`
		Disabled *bool        `json:"disabled"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.Users.Update(r.Context(), actor(r), id, user.Change{Role: in.Role, Disabled: in.Disabled})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userToJSON(u))
}

// deleteUser answers DELETE /api/v1/users/{id}, for admins.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Users.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changePassword answers PUT /api/v1/me/password. A token is no session,
// so every session of the user ends.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Users.ChangePassword(r.Context(), actor(r), in.Current, in.Password, ""); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	// Secret is set only in the answer that creates the token.
	Secret string `json:"secret,omitempty"`
}

func tokenToJSON(t user.Token) tokenJSON {
	out := tokenJSON{ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt}
	if !t.ExpiresAt.IsZero() {
		out.ExpiresAt = &t.ExpiresAt
	}
	if !t.LastUsedAt.IsZero() {
		out.LastUsedAt = &t.LastUsedAt
	}
	return out
}

// listTokens answers GET /api/v1/me/tokens.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := a.Users.Tokens(r.Context(), actor(r), actor(r).ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []tokenJSON `json:"data"`
	}{Data: make([]tokenJSON, 0, len(tokens))}
	for _, t := range tokens {
		out.Data = append(out.Data, tokenToJSON(t))
	}
	writeJSON(w, http.StatusOK, out)
}

// createToken answers POST /api/v1/me/tokens with the new token and its
// secret, which no later answer repeats.
func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string     `json:"name"`
		Scope     string     `json:"scope"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	spec := user.TokenSpec{Name: in.Name, Scope: in.Scope}
	if in.ExpiresAt != nil {
		spec.ExpiresAt = *in.ExpiresAt
	}
	t, secret, err := a.Users.IssueOwnToken(r.Context(), actor(r), spec)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := tokenToJSON(t)
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}

// revokeToken answers DELETE /api/v1/me/tokens/{id}.
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Users.RevokeToken(r.Context(), actor(r), actor(r).ID, id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type sessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// listSessions answers GET /api/v1/me/sessions: the user's signed-in
// browsers. A request with a token comes from none of them.
func (a *API) listSessions(w http.ResponseWriter, r *http.Request) {
	sessions, err := a.Users.Sessions(r.Context(), actor(r), "")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []sessionJSON `json:"data"`
	}{Data: make([]sessionJSON, 0, len(sessions))}
	for _, s := range sessions {
		out.Data = append(out.Data, sessionJSON{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt})
	}
	writeJSON(w, http.StatusOK, out)
}

// revokeSession answers DELETE /api/v1/me/sessions/{id}.
func (a *API) revokeSession(w http.ResponseWriter, r *http.Request) {
	if err := a.Users.RevokeSession(r.Context(), actor(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package api

import (
	"net/http"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/user"
)

// invitationJSON is an invitation as the API shows it.
type invitationJSON struct {
	ID         int64      `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	InvitedBy  string     `json:"invited_by"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
	MailStatus string     `json:"mail_status"`
	// Link is the invitation's link, given once, when it is made.
	Link string `json:"link,omitempty"`
}

func invitationToJSON(in user.Invitation, now time.Time) invitationJSON {
	j := invitationJSON{ID: in.ID, Email: in.Email, Name: in.Name, Role: string(in.Role), InvitedBy: in.InvitedBy,
		State: in.State(now), CreatedAt: in.CreatedAt, ExpiresAt: in.ExpiresAt, MailStatus: in.MailStatus}
	if !in.AcceptedAt.IsZero() {
		t := in.AcceptedAt
		j.AcceptedAt = &t
	}
	return j
}

// listInvitations answers GET /api/v1/invitations, for admins.
func (a *API) listInvitations(w http.ResponseWriter, r *http.Request) {
	invs, err := a.Users.Invitations(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := time.Now()
	writeJSON(w, http.StatusOK, dataOf(invs, func(in user.Invitation) invitationJSON { return invitationToJSON(in, now) }))
}

// createInvitation answers POST /api/v1/invitations, for admins: the
// invitation is emailed when email is configured, and its link is in the
// answer either way.
func (a *API) createInvitation(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	in := user.InviteInput{}
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
		case name == "role":
			in.Role = access.Role(v)
		default:
			bad.Add(name, "is not an invitation field")
		}
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	inv, link, err := a.Users.Invite(r.Context(), actor(r), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	j := invitationToJSON(inv, time.Now())
	j.Link = link
	writeJSON(w, http.StatusCreated, j)
}

// revokeInvitation answers DELETE /api/v1/invitations/{id}.
func (a *API) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Users.RevokeInvitation(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

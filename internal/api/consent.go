package api

import (
	"net/http"
	"time"

	"leadflow/internal/lead"
)

// consentJSON is one entry of a lead's consent history.
type consentJSON struct {
	At        time.Time  `json:"at"`
	Action    string     `json:"action"`
	Source    string     `json:"source"`
	Wording   string     `json:"wording"`
	IP        string     `json:"ip,omitempty"`
	UserAgent string     `json:"user_agent,omitempty"`
	Actor     *string    `json:"actor"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// leadConsent answers a lead's consent history, newest first: the proof
// of every consent given, asked for, confirmed or withdrawn.
func (a *API) leadConsent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	hist, err := a.Leads.ConsentHistory(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(hist, consentToJSON))
}

func consentToJSON(c lead.ConsentRecord) consentJSON {
	j := consentJSON{At: c.At, Action: c.Action, Source: c.Source, Wording: c.Wording, IP: c.IP, UserAgent: c.UserAgent, Note: c.Note}
	if c.ActorEmail != "" {
		who := c.ActorEmail
		j.Actor = &who
	}
	if !c.ExpiresAt.IsZero() {
		t := c.ExpiresAt
		j.ExpiresAt = &t
	}
	return j
}

package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/audit"
)

// auditJSON is one audit log entry as the API shows it.
type auditJSON struct {
	ID          int64           `json:"id"`
	At          time.Time       `json:"at"`
	ActorID     *int64          `json:"actor_id"`
	Actor       string          `json:"actor"`
	Action      string          `json:"action"`
	SubjectType string          `json:"subject_type"`
	SubjectID   *int64          `json:"subject_id"`
	Detail      json.RawMessage `json:"detail"`
}

func auditToJSON(e audit.Entry) auditJSON {
	out := auditJSON{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, SubjectType: e.SubjectType, Detail: e.Detail}
	if e.ActorID != 0 {
		out.ActorID = &e.ActorID
	}
	if e.SubjectID != 0 {
		out.SubjectID = &e.SubjectID
	}
	return out
}

// listAudit answers GET /api/v1/audit: the audit log, newest first, for
// admins; next_before pages on.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	f, err := audit.ParseFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Audit.List(r.Context(), actor(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []auditJSON `json:"data"`
		NextBefore *string     `json:"next_before"`
	}{Data: make([]auditJSON, 0, len(p.Entries))}
	for _, e := range p.Entries {
		out.Data = append(out.Data, auditToJSON(e))
	}
	if p.Next != 0 {
		s := strconv.FormatInt(p.Next, 10)
		out.NextBefore = &s
	}
	writeJSON(w, http.StatusOK, out)
}

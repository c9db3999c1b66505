package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/segment"
)

// segmentJSON is a segment as the API shows and takes it.
type segmentJSON struct {
	ID          int64               `json:"id"`
	Kind        string              `json:"kind"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Combine     string              `json:"combine"`
	Conditions  []segment.Condition `json:"conditions"`
	Members     int64               `json:"members"`
	Filled      bool                `json:"filled"`
	Version     int64               `json:"version"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

func segmentToJSON(s segment.Segment) segmentJSON {
	conds := s.Conditions
	if conds == nil {
		conds = []segment.Condition{}
	}
	return segmentJSON{ID: s.ID, Kind: s.Kind, Name: s.Name, Description: s.Description, Combine: s.Combine, Conditions: conds,
		Members: s.Members, Filled: s.Filled, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func (j segmentJSON) segment() segment.Segment {
	return segment.Segment{ID: j.ID, Kind: j.Kind, Name: j.Name, Description: j.Description, Combine: j.Combine, Conditions: j.Conditions, Version: j.Version}
}

// memberJSON is a lead in a segment.
type memberJSON struct {
	LeadID    int64      `json:"lead_id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Company   string     `json:"company"`
	Stage     string     `json:"stage"`
	Grade     string     `json:"grade"`
	Score     int        `json:"score"`
	Owner     *string    `json:"owner"`
	EnteredAt *time.Time `json:"entered_at,omitempty"`
}

func memberToJSON(m segment.Member) memberJSON {
	out := memberJSON{LeadID: m.LeadID, Email: m.Email, Name: m.Name(), Company: m.Company, Stage: m.Stage, Grade: m.Grade, Score: m.Score}
	if m.OwnerEmail != "" {
		out.Owner = &m.OwnerEmail
	}
	if !m.EnteredAt.IsZero() {
		out.EnteredAt = &m.EnteredAt
	}
	return out
}

// listSegments answers every segment, or those of one kind (?kind=leads
// or accounts).
func (a *API) listSegments(w http.ResponseWriter, r *http.Request) {
	var list []segment.Segment
	var err error
	switch kind := r.URL.Query().Get("kind"); kind {
	case "":
		list, err = a.Segments.List(r.Context(), actor(r))
	case segment.KindLeads, segment.KindAccounts:
		list, err = a.Segments.ListKind(r.Context(), actor(r), kind)
	default:
		err = (fault.Fields{"kind": "must be leads or accounts"}).Err()
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []segmentJSON `json:"data"`
	}{Data: make([]segmentJSON, 0, len(list))}
	for _, s := range list {
		out.Data = append(out.Data, segmentToJSON(s))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	var in segmentJSON
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Segments.Create(r.Context(), actor(r), in.segment())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, segmentToJSON(s))
}

func (a *API) segmentByPath(w http.ResponseWriter, r *http.Request) (segment.Segment, bool) {
	id, err := pathID(r)
	if err == nil {
		var s segment.Segment
		if s, err = a.Segments.Get(r.Context(), actor(r), id); err == nil {
			return s, true
		}
	}
	a.fail(w, r, err)
	return segment.Segment{}, false
}

func (a *API) getSegment(w http.ResponseWriter, r *http.Request) {
	if s, ok := a.segmentByPath(w, r); ok {
		writeJSON(w, http.StatusOK, segmentToJSON(s))
	}
}

// updateSegment answers PATCH: members present replace the segment's; a
// version, when sent, must be the stored one (409 otherwise).
func (a *API) updateSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	s, ok := a.segmentByPath(w, r)
	if !ok {
		return
	}
	j := segmentToJSON(s)
	j.Version = 0
	if err := decodeInto(w, r, &j); err != nil {
		a.fail(w, r, err)
		return
	}
	j.ID = s.ID
	updated, err := a.Segments.Update(r.Context(), actor(r), j.segment())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, segmentToJSON(updated))
}

func (a *API) deleteSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	if s, ok := a.segmentByPath(w, r); ok {
		if err := a.Segments.Delete(r.Context(), actor(r), s.ID); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// segmentMembers answers GET /api/v1/segments/{id}/members: the leads in
// the segment that the caller may see, newest entries first; cursor
// (from next_cursor) and limit page it.
func (a *API) segmentMembers(w http.ResponseWriter, r *http.Request) {
	s, ok := a.segmentByPath(w, r)
	if !ok {
		return
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			a.fail(w, r, (fault.Fields{"limit": "must be a whole number from 1 to " + strconv.Itoa(segment.MaxLimit)}).Err())
			return
		}
		limit = n
	}
	p, err := a.Segments.Members(r.Context(), actor(r), s.ID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []memberJSON `json:"data"`
		Members    int64        `json:"members"`
		Filled     bool         `json:"filled"`
		NextCursor *string      `json:"next_cursor"`
	}{Data: make([]memberJSON, 0, len(p.Members)), Members: s.Members, Filled: s.Filled}
	for _, m := range p.Members {
		out.Data = append(out.Data, memberToJSON(m))
	}
	if p.Next != "" {
		out.NextCursor = &p.Next
	}
	writeJSON(w, http.StatusOK, out)
}

// previewSegment answers POST /api/v1/segments/preview: how many leads a
// segment with these conditions would hold now, and the newest of them,
// without saving it.
func (a *API) previewSegment(w http.ResponseWriter, r *http.Request) {
	if err := segment.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	in := segmentJSON{Name: "preview"}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Segments.Preview(r.Context(), actor(r), in.segment())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Count    int64               `json:"count"`
		Leads    []memberJSON        `json:"leads"`
		Accounts []accountMemberJSON `json:"accounts"`
	}{Count: p.Count, Leads: make([]memberJSON, 0, len(p.Leads)), Accounts: make([]accountMemberJSON, 0, len(p.Accounts))}
	for _, m := range p.Leads {
		out.Leads = append(out.Leads, memberToJSON(m))
	}
	for _, m := range p.Accounts {
		out.Accounts = append(out.Accounts, accountMemberJSON{AccountID: m.AccountID, Name: m.Name, Domain: m.Domain, Score: m.Score,
			Grade: m.Grade, Tier: optionalTier(m.Tier), Owner: optional(m.OwnerEmail)})
	}
	writeJSON(w, http.StatusOK, out)
}

// accountMemberJSON is an account in an account segment's preview.
type accountMemberJSON struct {
	AccountID int64   `json:"account_id"`
	Name      string  `json:"name"`
	Domain    string  `json:"domain"`
	Score     int     `json:"score"`
	Grade     string  `json:"grade"`
	Tier      *int    `json:"tier"`
	Owner     *string `json:"owner"`
}

func optionalTier(t int) *int {
	if t == 0 {
		return nil
	}
	return &t
}

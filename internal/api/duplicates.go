package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/identity"
	"leadflow/internal/lead"
)

// pairJSON is one pair of the review queue with its explanation.
type pairJSON struct {
	A       leadJSON             `json:"a"`
	B       leadJSON             `json:"b"`
	Score   float64              `json:"score"`
	Verdict identity.Verdict     `json:"verdict"`
	Fields  []identity.Agreement `json:"fields"`
}

// listDuplicates answers GET /api/v1/duplicates: the review queue, a page
// at a time (sort, limit, cursor, min_score).
func (a *API) listDuplicates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dq := lead.DuplicateQuery{Sort: lead.DuplicateSort(q.Get("sort")), Cursor: q.Get("cursor")}
	bad := fault.Fields{}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add("limit", "must be between 1 and 200")
		}
		dq.Limit = n
	}
	if s := q.Get("min_score"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			bad.Add("min_score", "must be a number")
		}
		dq.MinScore = f
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.Leads.ProbableDuplicates(r.Context(), actor(r), dq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []pairJSON `json:"data"`
		Total      int        `json:"total"`
		NextCursor *string    `json:"next_cursor"`
	}{Data: make([]pairJSON, 0, len(page.Pairs)), Total: page.Total, NextCursor: optional(page.Next)}
	for _, p := range page.Pairs {
		out.Data = append(out.Data, pairJSON{A: toJSON(p.A), B: toJSON(p.B), Score: p.Score, Verdict: p.Verdict, Fields: p.Fields})
	}
	writeJSON(w, http.StatusOK, out)
}

// dismissDuplicate answers POST /api/v1/duplicates/dismiss {"a": 1, "b":
// 2}: the two leads are two people, and the pair leaves the queue.
func (a *API) dismissDuplicate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		A int64 `json:"a"`
		B int64 `json:"b"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	bad := fault.Fields{}
	if in.A <= 0 {
		bad.Add("a", "is required")
	}
	if in.B <= 0 {
		bad.Add("b", "is required")
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Leads.Dismiss(r.Context(), actor(r), in.A, in.B); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// mergeDuplicates answers POST /api/v1/duplicates/merge {"keep": 1,
// "others": [2, 3], "pick": {"company": 3}}: the others are folded into
// keep, which takes the picked values.
func (a *API) mergeDuplicates(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Keep   int64            `json:"keep"`
		Others []int64          `json:"others"`
		Pick   map[string]int64 `json:"pick"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.MergeMany(r.Context(), actor(r), lead.MergeRequest{Keep: in.Keep, Others: in.Others, Pick: in.Pick})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeLead(w, http.StatusOK, l)
}

// acceptDuplicates answers POST /api/v1/duplicates/accept {"min_score":
// 18}: every pair scoring at least that is merged into its oldest lead.
func (a *API) acceptDuplicates(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MinScore *float64 `json:"min_score"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.MinScore == nil {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "say from which score to merge", Fields: map[string]string{"min_score": "is required"}})
		return
	}
	n, err := a.Leads.AcceptAbove(r.Context(), actor(r), *in.MinScore)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"merged": n})
}

// mergeJSON is one merge a lead survived.
type mergeJSON struct {
	ID       int64   `json:"id"`
	LeadID   int64   `json:"lead_id"`
	Absorbed []int64 `json:"absorbed"`
	MergedAt string  `json:"merged_at"`
	UndoneAt *string `json:"undone_at"`
}

// listMerges answers GET /api/v1/leads/{id}/merges: the merges the lead
// survived, newest first, each with the leads it absorbed.
func (a *API) listMerges(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ms, err := a.Leads.Merges(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]mergeJSON, len(ms))
	for i, m := range ms {
		out[i] = mergeJSON{ID: m.ID, LeadID: m.LeadID, Absorbed: m.Absorbed, MergedAt: m.MergedAt.Format(time.RFC3339Nano)}
		if m.UndoneAt != nil {
			s := m.UndoneAt.Format(time.RFC3339Nano)
			out[i].UndoneAt = &s
		}
		if out[i].Absorbed == nil {
			out[i].Absorbed = []int64{}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// undoMerge answers POST /api/v1/merges/{id}/undo: the merge is taken
// back, or refused with 409 and the reason.
func (a *API) undoMerge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.Leads.UndoMerge(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Lead     leadJSON   `json:"lead"`
		Restored []leadJSON `json:"restored"`
	}{Lead: toJSON(res.Lead), Restored: make([]leadJSON, len(res.Restored))}
	for i, l := range res.Restored {
		out.Restored[i] = toJSON(l)
	}
	writeJSON(w, http.StatusOK, out)
}

// valueReviewJSON is data that arrived for a known email with values
// differing from the lead's, field -> {kept, offered}.
type valueReviewJSON struct {
	ID        int64                        `json:"id"`
	Lead      leadJSON                     `json:"lead"`
	Values    map[string]map[string]string `json:"values"`
	Reason    string                       `json:"reason"`
	ArrivedAt string                       `json:"arrived_at"`
}

// listValueReviews answers GET /api/v1/duplicates/values: the differing
// values waiting for a reviewer, oldest first (limit, cursor).
func (a *API) listValueReviews(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "bad limit", Fields: map[string]string{"limit": "must be between 1 and 200"}})
			return
		}
		limit = n
	}
	p, err := a.Leads.ValueReviews(r.Context(), actor(r), q.Get("cursor"), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []valueReviewJSON `json:"data"`
		Total      int               `json:"total"`
		NextCursor *string           `json:"next_cursor"`
	}{Data: make([]valueReviewJSON, 0, len(p.Reviews)), Total: p.Total, NextCursor: optional(p.Next)}
	for _, v := range p.Reviews {
		vals := map[string]map[string]string{}
		for f, kv := range v.Values {
			vals[f] = map[string]string{"kept": kv[0], "offered": kv[1]}
		}
		out.Data = append(out.Data, valueReviewJSON{ID: v.ID, Lead: toJSON(v.Lead), Values: vals, Reason: v.Reason, ArrivedAt: v.ArrivedAt.Format(time.RFC3339Nano)})
	}
	writeJSON(w, http.StatusOK, out)
}

// resolveValueReview answers POST /api/v1/duplicates/values/{id}
// {"pick": {"company": "offered", "city": "kept"}}: the lead takes the
// offered values picked, and the review closes.
func (a *API) resolveValueReview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Pick map[string]string `json:"pick"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.ResolveValues(r.Context(), actor(r), id, in.Pick)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeLead(w, http.StatusOK, l)
}

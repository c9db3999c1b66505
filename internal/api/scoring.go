package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/scoring"
)

// eventJSON is one event as the API takes it.
type eventJSON struct {
	LeadID     int64             `json:"lead_id"`
	Email      string            `json:"email"`
	VisitorID  string            `json:"visitor_id"`
	Type       string            `json:"type"`
	URL        string            `json:"url"`
	OccurredAt *time.Time        `json:"occurred_at"`
	Properties map[string]string `json:"properties"`
}

type eventResultJSON struct {
	LeadID *int64      `json:"lead_id"`
	Score  *int        `json:"score"`
	Grade  *lead.Grade `json:"grade"`
}

// recordEvents answers POST /api/v1/events: one event, or {"events": [...]}.
func (a *API) recordEvents(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	_, batch := obj["events"]
	var in []eventJSON
	raw, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if batch {
		var b struct {
			Events []eventJSON `json:"events"`
		}
		err = dec.Decode(&b)
		in = b.Events
	} else {
		var one eventJSON
		err = dec.Decode(&one)
		in = []eventJSON{one}
	}
	if err != nil {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "the body does not fit", Fields: map[string]string{"body": err.Error()}})
		return
	}
	inputs := make([]lead.EventInput, len(in))
	for i, e := range in {
		inputs[i] = lead.EventInput{LeadID: e.LeadID, Email: e.Email, VisitorID: e.VisitorID, Type: e.Type, URL: e.URL,
			Properties: e.Properties, Source: "api"}
		if e.OccurredAt != nil {
			inputs[i].OccurredAt = *e.OccurredAt
		}
	}
	res, err := a.Leads.RecordEvents(r.Context(), actor(r), inputs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]eventResultJSON, len(res))
	for i, x := range res {
		if x.LeadID != 0 {
			id, score, grade := x.LeadID, x.Score, x.Grade
			out[i] = eventResultJSON{LeadID: &id, Score: &score, Grade: &grade}
		}
	}
	if batch {
		writeJSON(w, http.StatusCreated, map[string]any{"data": out})
		return
	}
	writeJSON(w, http.StatusCreated, out[0])
}

type firedJSON struct {
	Kind   string             `json:"kind"`
	Rule   int                `json:"rule"`
	Label  string             `json:"label"`
	Points float64            `json:"points"`
	Capped bool               `json:"capped"`
	Events []contributionJSON `json:"events,omitempty"`
}

type contributionJSON struct {
	EventID int64     `json:"event_id"`
	At      time.Time `json:"at"`
	Points  float64   `json:"points"`
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// leadScore answers GET /api/v1/leads/{id}/score: why the lead has its
// score, rule by rule, and how it moved (the curve the lead page draws).
func (a *API) leadScore(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = a.Leads.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := time.Now()
	res, rs, err := a.Leads.Explain(r.Context(), id, now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	hist, err := a.Leads.ScoreReplay(r.Context(), id, now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fired := make([]firedJSON, 0, len(res.Fired))
	for _, f := range res.Fired {
		fj := firedJSON{Kind: f.Kind, Rule: f.Index, Label: f.Label, Points: round2(f.Points), Capped: f.Capped}
		for _, c := range f.Events {
			fj.Events = append(fj.Events, contributionJSON{EventID: c.EventID, At: c.At, Points: round2(c.Points)})
		}
		fired = append(fired, fj)
	}
	type point struct {
		At    time.Time `json:"at"`
		Score int       `json:"score"`
	}
	history := make([]point, len(hist))
	for i, p := range hist {
		history[i] = point{p.At, p.Score}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"score": res.Score, "grade": res.Grade, "explicit": res.Explicit, "behaviour": round2(res.Behaviour),
		"rules_version": rs.Version, "fired": fired, "history": history,
	})
}

type rulesetJSON struct {
	Version   int64         `json:"version"`
	Rules     scoring.Rules `json:"rules"`
	Note      string        `json:"note"`
	CreatedBy *string       `json:"created_by"`
	CreatedAt *time.Time    `json:"created_at"`
}

func rulesetToJSON(rs scoring.Ruleset) rulesetJSON {
	j := rulesetJSON{Version: rs.Version, Rules: rs.Rules, Note: rs.Note}
	if rs.CreatedBy != "" {
		by := rs.CreatedBy
		j.CreatedBy = &by
	}
	if !rs.CreatedAt.IsZero() {
		at := rs.CreatedAt
		j.CreatedAt = &at
	}
	return j
}

func (a *API) getRules(w http.ResponseWriter, r *http.Request) {
	rs, err := a.Leads.Rules().Current(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rulesetToJSON(rs))
}

// putRules answers PUT /api/v1/scoring/rules {"rules": {...}, "note": "..."}:
// a new version, then every lead is rescored in the background.
func (a *API) putRules(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Rules scoring.Rules `json:"rules"`
		Note  string        `json:"note"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.Leads.Rules().Save(r.Context(), actor(r), in.Rules, in.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := a.Leads.StartRescore(r.Context(), actor(r), fmt.Sprintf("scoring rules version %d", rs.Version))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := rulesetToJSON(rs)
	writeJSON(w, http.StatusOK, map[string]any{"ruleset": out, "rescore_id": id})
}

func (a *API) ruleVersions(w http.ResponseWriter, r *http.Request) {
	list, err := a.Leads.Rules().History(r.Context(), 100)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]rulesetJSON, len(list))
	for i, rs := range list {
		out[i] = rulesetToJSON(rs)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) rescoreStatus(w http.ResponseWriter, r *http.Request) {
	rs, ok, err := a.Leads.LatestRescore(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"status": "none"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": rs.ID, "status": rs.Status, "reason": rs.Reason, "total": rs.Progress.Total,
		"done": rs.Progress.Done, "changed": rs.Progress.Changed, "percent": rs.Percent(), "started_at": rs.StartedAt,
		"finished_at": rs.FinishedAt, "error": rs.Error})
}

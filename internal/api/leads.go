package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/lead"
)

// leadJSON is a lead as the API shows it.
type leadJSON struct {
	ID               int64             `json:"id"`
	Email            string            `json:"email"`
	FirstName        string            `json:"first_name"`
	LastName         string            `json:"last_name"`
	Phone            string            `json:"phone"`
	Company          string            `json:"company"`
	JobTitle         string            `json:"job_title"`
	Employees        *int64            `json:"employees"`
	Industry         string            `json:"industry"`
	Country          string            `json:"country"`
	City             string            `json:"city"`
	Salutation       string            `json:"salutation"`
	Street           string            `json:"street"`
	PostalCode       string            `json:"postal_code"`
	Region           string            `json:"region"`
	Website          string            `json:"website"`
	ExistingCustomer bool              `json:"existing_customer"`
	Source           string            `json:"source"`
	UTMSource        string            `json:"utm_source"`
	UTMMedium        string            `json:"utm_medium"`
	UTMCampaign      string            `json:"utm_campaign"`
	Consent          bool              `json:"consent"`
	ConsentAt        *time.Time        `json:"consent_at"`
	Stage            lead.Stage        `json:"stage"`
	Score            int               `json:"score"`
	Grade            lead.Grade        `json:"grade"`
	Probability      *float64          `json:"probability"`
	Owner            *string           `json:"owner"`
	Custom           map[string]string `json:"custom"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	ContactDueAt     *time.Time        `json:"contact_due_at"`
	ContactedAt      *time.Time        `json:"contacted_at"`
	Overdue          bool              `json:"overdue"`
	Converted        *conversionJSON   `json:"converted"`
	Version          int64             `json:"version"`
	// Hints, on creation only, are advice on values that look mistyped.
	Hints map[string]string `json:"hints,omitempty"`
}

// conversionJSON says what a converted lead became.
type conversionJSON struct {
	At            time.Time `json:"at"`
	AccountID     int64     `json:"account_id"`
	ContactID     int64     `json:"contact_id"`
	OpportunityID *int64    `json:"opportunity_id"`
}

func toJSON(l lead.Lead) leadJSON {
	j := leadJSON{
		ID: l.ID, Email: l.Email, FirstName: l.FirstName, LastName: l.LastName, Phone: l.Phone,
		Company: l.Company, JobTitle: l.JobTitle, Employees: l.Employees, Industry: l.Industry,
		Country: l.Country, City: l.City, Website: l.Website, ExistingCustomer: l.ExistingCustomer,
		Salutation: l.Salutation, Street: l.Street, PostalCode: l.PostalCode, Region: l.Region,
		Source: l.Source, UTMSource: l.UTMSource, UTMMedium: l.UTMMedium, UTMCampaign: l.UTMCampaign,
		Consent: l.Consent, ConsentAt: l.ConsentAt, Stage: l.Stage, Score: l.Score, Grade: l.Grade,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt, Custom: l.Custom,
		ContactDueAt: l.ContactDueAt, ContactedAt: l.ContactedAt, Overdue: l.Overdue(time.Now()),
		Version: l.Version, Probability: l.Probability,
	}
	if c := l.Converted; c.At != nil {
		j.Converted = &conversionJSON{At: *c.At, AccountID: c.AccountID, ContactID: c.ContactID}
		if c.OpportunityID != 0 {
			id := c.OpportunityID
			j.Converted.OpportunityID = &id
		}
	}
	if j.Custom == nil {
		j.Custom = map[string]string{}
	}
	if l.OwnerEmail != "" {
		owner := l.OwnerEmail
		j.Owner = &owner
	}
	return j
}

// readOnly fields are accepted and ignored, so a client may send back a
// lead it read; the server computes them.
var readOnly = map[string]bool{"id": true, "score": true, "grade": true, "consent_at": true, "created_at": true, "updated_at": true,
	"contact_due_at": true, "contacted_at": true, "overdue": true, "converted": true, "version": true}

// fieldKind says which JSON type each editable field takes.
var fieldKind = map[string]string{
	lead.FEmployees: "integer", lead.FExistingCustomer: "boolean", lead.FConsent: "boolean",
}

// changesFrom turns a JSON object into lead changes, naming every member
// of the wrong type or unknown.
func changesFrom(obj map[string]json.RawMessage) (lead.Changes, error) {
	c := lead.Changes{}
	bad := fault.Fields{}
	for name, raw := range obj {
		if readOnly[name] {
			continue
		}
		if name == "custom" {
			customChanges(raw, c, bad)
			continue
		}
		if !lead.IsEditable(name) {
			bad.Add(name, "is not a lead field")
			continue
		}
		v, reason := textOf(raw, fieldKind[name])
		if reason != "" {
			bad.Add(name, reason)
			continue
		}
		c[name] = v
	}
	return c, bad.Err()
}

// customChanges reads the custom object: each member sets one answer,
// null or "" removes it.
func customChanges(raw json.RawMessage, c lead.Changes, bad fault.Fields) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		bad.Add("custom", "must be an object of text values")
		return
	}
	for k, v := range obj {
		if !lead.ValidCustomKey(k) {
			bad.Add("custom."+k, "must be named with 1 to 40 lower-case letters, digits and underscores")
			continue
		}
		text, reason := textOf(v, "")
		if reason != "" {
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				text, reason = n.String(), ""
			}
		}
		if reason != "" {
			bad.Add("custom."+k, reason)
			continue
		}
		c[lead.CustomPrefix+k] = text
	}
}

// textOf converts one JSON value to the text form lead.Apply reads; null
// clears a field.
func textOf(raw json.RawMessage, kind string) (string, string) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", ""
	}
	switch kind {
	case "integer":
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil || raw[0] == '"' {
			return "", "must be a whole number or null"
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return "", "must be a whole number or null"
		}
		return n.String(), ""
	case "boolean":
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", "must be true or false"
		}
		return strconv.FormatBool(b), ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", "must be a string or null"
	}
	return s, ""
}

// listLeads answers GET /api/v1/leads.
func (a *API) listLeads(w http.ResponseWriter, r *http.Request) {
	f, err := lead.ParseFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if r.URL.Query().Has("page") {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "the API pages with cursor",
			Fields: map[string]string{"page": "is not supported here; follow next_cursor"}})
		return
	}
	p, err := a.Leads.List(r.Context(), actor(r), f, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data       []leadJSON `json:"data"`
		NextCursor *string    `json:"next_cursor"`
	}{Data: make([]leadJSON, 0, len(p.Leads))}
	for _, l := range p.Leads {
		out.Data = append(out.Data, toJSON(l))
	}
	if p.NextCursor != "" {
		out.NextCursor = &p.NextCursor
	}
	writeJSON(w, http.StatusOK, out)
}

// createLead answers POST /api/v1/leads.
func (a *API) createLead(w http.ResponseWriter, r *http.Request) {
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := changesFrom(obj)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.Create(r.Context(), actor(r), c)
	if e := fault.As(err); e != nil && e.Fields != nil {
		writeJSON(w, statusOf[e.Code], errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, Hints: lead.Hints(c)}})
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/leads/"+strconv.FormatInt(l.ID, 10))
	j := toJSON(l)
	j.Hints = lead.Hints(c)
	w.Header().Set("ETag", etag(l.Version))
	writeJSON(w, http.StatusCreated, j)
}

// getLead answers GET /api/v1/leads/{id}.
func (a *API) getLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var l lead.Lead
		if l, err = a.Leads.Get(r.Context(), actor(r), id); err == nil {
			writeLead(w, http.StatusOK, l)
			return
		}
	}
	a.fail(w, r, err)
}

// writeLead answers with lead l, its version also as the ETag a client
// sends back in If-Match.
func writeLead(w http.ResponseWriter, status int, l lead.Lead) {
	w.Header().Set("ETag", etag(l.Version))
	writeJSON(w, status, toJSON(l))
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads the version an If-Match header names: 0 when there is
// none or it is "*", which any version matches.
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v <= 0 {
		return 0, &fault.Error{Code: fault.Invalid, Message: "If-Match must name one version of the lead",
			Fields: map[string]string{"If-Match": `must be the lead's ETag (its version in quotes, such as "3") or *`}}
	}
	return v, nil
}

// updateLead answers PATCH /api/v1/leads/{id}: members present are
// changed, absent ones kept. With If-Match, the change is refused as a
// conflict when the lead is no longer at that version.
func (a *API) updateLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	obj, err := decodeObject(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := changesFrom(obj)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.Edit(r.Context(), actor(r), id, lead.Edit{Changes: c, Version: version})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeLead(w, http.StatusOK, l)
}

// deleteLead answers DELETE /api/v1/leads/{id}.
func (a *API) deleteLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Leads.Delete(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}

// timelineJSON is one timeline entry.
type timelineJSON struct {
	At     time.Time            `json:"at"`
	Actor  *string              `json:"actor"`
	Kind   string               `json:"kind"`
	Detail map[string][2]string `json:"changes,omitempty"`
	Reason string               `json:"reason,omitempty"`
}

// leadTimeline answers GET /api/v1/leads/{id}/timeline.
func (a *API) leadTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	changes, err := a.Leads.Timeline(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []timelineJSON `json:"data"`
	}{Data: make([]timelineJSON, 0, len(changes))}
	for _, c := range changes {
		t := timelineJSON{At: c.At, Kind: c.Kind, Detail: c.Detail, Reason: c.Reason}
		if c.ActorEmail != "" {
			actor := c.ActorEmail
			t.Actor = &actor
		}
		out.Data = append(out.Data, t)
	}
	writeJSON(w, http.StatusOK, out)
}

// bantJSON is a BANT qualification as the API shows and takes it.
type bantJSON struct {
	Budget         *int64     `json:"budget"` // whole currency units; null when unknown
	BudgetCurrency string     `json:"budget_currency"`
	Authority      string     `json:"authority"`
	Need           string     `json:"need"`
	Timing         string     `json:"timing"`
	Outcome        string     `json:"outcome"`
	Reason         string     `json:"reason"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
}

// qualifyLead answers POST /api/v1/leads/{id}/qualify.
func (a *API) qualifyLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in bantJSON
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Leads.Qualify(r.Context(), actor(r), id, lead.BANT{BudgetAmount: in.Budget, BudgetCurrency: in.BudgetCurrency,
		Authority: lead.Authority(in.Authority), Need: in.Need, Timing: in.Timing, Outcome: lead.Stage(in.Outcome), Reason: in.Reason})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(l))
}

// leadQualification answers GET /api/v1/leads/{id}/qualification.
func (a *API) leadQualification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.Leads.Qualification(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if b == nil {
		a.fail(w, r, fault.Errorf(fault.NotFound, "lead %d has not been qualified", id))
		return
	}
	at := b.DecidedAt
	writeJSON(w, http.StatusOK, bantJSON{Budget: b.BudgetAmount, BudgetCurrency: b.BudgetCurrency, Authority: string(b.Authority),
		Need: b.Need, Timing: b.Timing, Outcome: string(b.Outcome), Reason: b.Reason, DecidedBy: b.DecidedBy, DecidedAt: &at})
}

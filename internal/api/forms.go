package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/forms"
)

// formJSON is a form as the API shows and takes it.
type formJSON struct {
	ID          int64         `json:"id"`
	Slug        string        `json:"slug"`
	Name        string        `json:"name"`
	Fields      []forms.Field `json:"fields"`
	ConsentText string        `json:"consent_text"`
	DoubleOptIn bool          `json:"double_opt_in"`
	ThankYou    string        `json:"thank_you"`
	RedirectURL string        `json:"redirect_url"`
	Source      string        `json:"source"`
	Campaign    string        `json:"campaign"`
	// DefaultCountry reads national phone numbers when the visitor gives
	// no country.
	DefaultCountry string `json:"default_country"`
	// Language is the language the form speaks to visitors, "" for each
	// visitor's browser's.
	Language  string    `json:"language"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func formToJSON(f forms.Form) formJSON {
	fields := f.Fields
	if fields == nil {
		fields = []forms.Field{}
	}
	return formJSON{ID: f.ID, Slug: f.Slug, Name: f.Name, Fields: fields, ConsentText: f.ConsentText, DoubleOptIn: f.DoubleOptIn, ThankYou: f.ThankYou,
		RedirectURL: f.RedirectURL, Source: f.Source, Campaign: f.Campaign, DefaultCountry: f.DefaultCountry, Language: f.Language, URL: "/f/" + f.Slug, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

func (j formJSON) form() forms.Form {
	return forms.Form{ID: j.ID, Slug: j.Slug, Name: j.Name, Fields: j.Fields, ConsentText: j.ConsentText, DoubleOptIn: j.DoubleOptIn, ThankYou: j.ThankYou,
		RedirectURL: j.RedirectURL, Source: j.Source, Campaign: j.Campaign, DefaultCountry: j.DefaultCountry, Language: j.Language}
}

// decodeInto reads a JSON object onto v: members present replace v's,
// absent ones keep them (which makes PATCH), unknown ones are refused
// by name.
func decodeInto(w http.ResponseWriter, r *http.Request, v any) error {
	obj, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	return decodeMembers(obj, v)
}

// decodeMembers reads an object's members into v, refusing unknown ones
// and members of the wrong type by name.
func decodeMembers(obj map[string]json.RawMessage, v any) error {
	raw, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		field := "body"
		if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			field = strings.Trim(name, `"`)
			msg = "is not a known field"
		} else if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			field, msg = te.Field, "must be of type "+te.Type.String()
		}
		return &fault.Error{Code: fault.Invalid, Message: "the body does not fit", Fields: map[string]string{field: msg}}
	}
	return nil
}

func (a *API) listForms(w http.ResponseWriter, r *http.Request) {
	list, err := a.Forms.List(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []formJSON `json:"data"`
	}{Data: make([]formJSON, 0, len(list))}
	for _, f := range list {
		out.Data = append(out.Data, formToJSON(f.Form))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createForm(w http.ResponseWriter, r *http.Request) {
	var in formJSON
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.Forms.Create(r.Context(), actor(r), in.form())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, formToJSON(f))
}

func (a *API) formByPath(w http.ResponseWriter, r *http.Request) (forms.Form, bool) {
	id, err := pathID(r)
	if err == nil {
		var f forms.Form
		if f, err = a.Forms.Get(r.Context(), actor(r), id); err == nil {
			return f, true
		}
	}
	a.fail(w, r, err)
	return forms.Form{}, false
}

func (a *API) getForm(w http.ResponseWriter, r *http.Request) {
	if f, ok := a.formByPath(w, r); ok {
		writeJSON(w, http.StatusOK, formToJSON(f))
	}
}

func (a *API) updateForm(w http.ResponseWriter, r *http.Request) {
	f, ok := a.formByPath(w, r)
	if !ok {
		return
	}
	j := formToJSON(f)
	if err := decodeInto(w, r, &j); err != nil {
		a.fail(w, r, err)
		return
	}
	j.ID = f.ID
	updated, err := a.Forms.Update(r.Context(), actor(r), j.form())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, formToJSON(updated))
}

func (a *API) deleteForm(w http.ResponseWriter, r *http.Request) {
	if f, ok := a.formByPath(w, r); ok {
		if err := a.Forms.Delete(r.Context(), actor(r), f.ID); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// landingJSON is a landing page as the API shows and takes it.
type landingJSON struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	FormID    int64     `json:"form_id"`
	Template  string    `json:"template"`
	Headline  string    `json:"headline"`
	Body      string    `json:"body"`
	ImageURL  string    `json:"image_url"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func landingToJSON(l forms.Landing) landingJSON {
	return landingJSON{ID: l.ID, Slug: l.Slug, FormID: l.FormID, Template: l.Template, Headline: l.Headline, Body: l.Body,
		ImageURL: l.ImageURL, URL: "/p/" + l.Slug, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

func (j landingJSON) landing() forms.Landing {
	return forms.Landing{ID: j.ID, Slug: j.Slug, FormID: j.FormID, Template: j.Template, Headline: j.Headline, Body: j.Body, ImageURL: j.ImageURL}
}

func (a *API) listLandings(w http.ResponseWriter, r *http.Request) {
	list, err := a.Forms.Landings(r.Context(), actor(r), 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []landingJSON `json:"data"`
	}{Data: make([]landingJSON, 0, len(list))}
	for _, l := range list {
		out.Data = append(out.Data, landingToJSON(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) saveLanding(w http.ResponseWriter, r *http.Request) {
	var j landingJSON
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		l, err := a.Forms.Landing(r.Context(), actor(r), id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		j, status = landingToJSON(l), http.StatusOK
	}
	id := j.ID
	if err := decodeInto(w, r, &j); err != nil {
		a.fail(w, r, err)
		return
	}
	j.ID = id
	l, err := a.Forms.SaveLanding(r.Context(), actor(r), j.landing())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, landingToJSON(l))
}

func (a *API) getLanding(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var l forms.Landing
		if l, err = a.Forms.Landing(r.Context(), actor(r), id); err == nil {
			writeJSON(w, http.StatusOK, landingToJSON(l))
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) deleteLanding(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Forms.DeleteLanding(r.Context(), actor(r), id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	a.fail(w, r, err)
}

type submissionJSON struct {
	ID         int64             `json:"id"`
	FormID     int64             `json:"form_id"`
	Values     map[string]string `json:"values"`
	Meta       forms.Meta        `json:"meta"`
	ReceivedAt time.Time         `json:"received_at"`
	Status     string            `json:"status"`
	Reasons    map[string]string `json:"reasons"`
	LeadID     *int64            `json:"lead_id"`
}

func submissionToJSON(s forms.Submission) submissionJSON {
	j := submissionJSON{ID: s.ID, FormID: s.FormID, Values: s.Values, Meta: s.Meta, ReceivedAt: s.ReceivedAt, Status: s.Status, Reasons: s.Reasons}
	if j.Reasons == nil {
		j.Reasons = map[string]string{}
	}
	if s.LeadID != 0 {
		id := s.LeadID
		j.LeadID = &id
	}
	return j
}

func (a *API) listSubmissions(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = forms.StatusRejected
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	subs, err := a.Forms.Submissions(r.Context(), actor(r), status, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []submissionJSON `json:"data"`
	}{Data: make([]submissionJSON, 0, len(subs))}
	for _, s := range subs {
		out.Data = append(out.Data, submissionToJSON(s))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getSubmission(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var s forms.Submission
		if s, err = a.Forms.Submission(r.Context(), actor(r), id); err == nil {
			writeJSON(w, http.StatusOK, submissionToJSON(s))
			return
		}
	}
	a.fail(w, r, err)
}

// acceptSubmission answers POST /api/v1/submissions/{id}/accept with
// {"values": {...}}, corrections that replace the submitted values.
func (a *API) acceptSubmission(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		Values map[string]string `json:"values"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Forms.Accept(r.Context(), actor(r), id, in.Values); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getSubmission(w, r)
}

func (a *API) discardSubmission(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		if err = a.Forms.Discard(r.Context(), actor(r), id); err == nil {
			a.getSubmission(w, r)
			return
		}
	}
	a.fail(w, r, err)
}

// mergeLead answers POST /api/v1/leads/{id}/merge {"other_id": N}: lead
// N is folded into lead id.
func (a *API) mergeLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		OtherID int64 `json:"other_id"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.OtherID <= 0 {
		a.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "say which lead to merge", Fields: map[string]string{"other_id": "is required"}})
		return
	}
	l, err := a.Leads.Merge(r.Context(), actor(r), id, in.OtherID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(l))
}

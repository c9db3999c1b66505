package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
)

// templateJSON is an email template as the API shows and takes it.
type templateJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Subject   string    `json:"subject"`
	HTML      string    `json:"html"`
	Text      string    `json:"text"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func templateToJSON(t mailtmpl.Template) templateJSON {
	return templateJSON{ID: t.ID, Name: t.Name, Subject: t.Subject, HTML: t.HTML, Text: t.Text, Version: t.Version,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// dataOf is the API's answer for a list: {"data": [...]}, never null.
func dataOf[T, J any](items []T, toJSON func(T) J) any {
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, toJSON(it))
	}
	return struct {
		Data []J `json:"data"`
	}{out}
}

// nurtureRead answers a read of nurturing settings: the actor must
// manage nurturing, then read gives the answer.
func (a *API) nurtureRead(w http.ResponseWriter, r *http.Request, read func(ctx context.Context) (any, error)) {
	err := mayNurture(r)
	var out any
	if err == nil {
		out, err = read(r.Context())
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// upsert answers POST (create) and PATCH (members given replace those of
// the stored J that load returns; a "version" member must be the one
// read, or save refuses the change as a conflict) for a nurturing
// setting.
func upsert[J any](a *API, w http.ResponseWriter, r *http.Request, load func(context.Context, int64) (J, error), save func(j J, create bool) (J, error)) {
	var j J
	create := r.Method == http.MethodPost
	err := mayNurture(r)
	if err == nil && !create {
		var id int64
		if id, err = pathID(r); err == nil {
			j, err = load(r.Context(), id)
		}
	}
	if err == nil {
		err = decodeInto(w, r, &j)
	}
	if err == nil {
		j, err = save(j, create)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	writeJSON(w, status, j)
}

// remove answers a DELETE of what del removes by the path's id.
func (a *API) remove(w http.ResponseWriter, r *http.Request, del func(context.Context, access.Actor, int64) error) {
	id, err := pathID(r)
	if err == nil {
		err = del(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request) {
	a.nurtureRead(w, r, func(ctx context.Context) (any, error) {
		ts, err := a.Nurture.Templates(ctx)
		return dataOf(ts, templateToJSON), err
	})
}

func (a *API) getTemplate(w http.ResponseWriter, r *http.Request) {
	a.nurtureRead(w, r, func(ctx context.Context) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		t, err := a.Nurture.Template(ctx, id)
		return templateToJSON(t), err
	})
}

func (a *API) loadTemplate(ctx context.Context, id int64) (templateJSON, error) {
	t, err := a.Nurture.Template(ctx, id)
	return templateToJSON(t), err
}

func (a *API) saveTemplate(w http.ResponseWriter, r *http.Request) {
	upsert(a, w, r, a.loadTemplate, func(j templateJSON, create bool) (templateJSON, error) {
		if create {
			j.ID = 0
		}
		t, err := a.Nurture.SaveTemplate(r.Context(), actor(r), mailtmpl.Template{ID: j.ID, Name: j.Name, Subject: j.Subject,
			HTML: j.HTML, Text: j.Text, Version: j.Version})
		return templateToJSON(t), err
	})
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	a.remove(w, r, a.Nurture.DeleteTemplate)
}

// sequenceJSON is a sequence as the API shows and takes it.
type sequenceJSON struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Status      string         `json:"status"`
	TriggerKind string         `json:"trigger_kind"`
	TriggerRef  string         `json:"trigger_ref"`
	Steps       []nurture.Step `json:"steps"`
	Version     int            `json:"version"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

func sequenceToJSON(q nurture.Sequence) sequenceJSON {
	steps := q.Steps
	if steps == nil {
		steps = []nurture.Step{}
	}
	return sequenceJSON{ID: q.ID, Name: q.Name, Status: q.Status, TriggerKind: q.TriggerKind, TriggerRef: q.TriggerRef,
		Steps: steps, Version: q.Version, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt}
}

func mayNurture(r *http.Request) error { return nurture.MayManage(actor(r)) }

func (a *API) listSequences(w http.ResponseWriter, r *http.Request) {
	a.nurtureRead(w, r, func(ctx context.Context) (any, error) {
		qs, err := a.Nurture.Sequences(ctx)
		return dataOf(qs, sequenceToJSON), err
	})
}

func (a *API) getSequence(w http.ResponseWriter, r *http.Request) {
	a.nurtureRead(w, r, func(ctx context.Context) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		q, err := a.Nurture.Sequence(ctx, id)
		return sequenceToJSON(q), err
	})
}

func (a *API) loadSequence(ctx context.Context, id int64) (sequenceJSON, error) {
	q, err := a.Nurture.Sequence(ctx, id)
	return sequenceToJSON(q), err
}

func (a *API) saveSequence(w http.ResponseWriter, r *http.Request) {
	upsert(a, w, r, a.loadSequence, func(j sequenceJSON, create bool) (sequenceJSON, error) {
		if create {
			j.ID = 0
		}
		q, err := a.Nurture.SaveSequence(r.Context(), actor(r), nurture.Sequence{ID: j.ID, Name: j.Name, Status: j.Status,
			TriggerKind: j.TriggerKind, TriggerRef: j.TriggerRef, Steps: j.Steps, Version: j.Version})
		return sequenceToJSON(q), err
	})
}

func (a *API) deleteSequence(w http.ResponseWriter, r *http.Request) {
	a.remove(w, r, a.Nurture.DeleteSequence)
}

func (a *API) sequenceReport(w http.ResponseWriter, r *http.Request) {
	a.nurtureRead(w, r, func(ctx context.Context) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		rep, err := a.Nurture.Report(ctx, id)
		return reportToJSON(rep), err
	})
}

func reportToJSON(rep nurture.Report) any {
	type stepJSON struct {
		Step         int    `json:"step"`
		Description  string `json:"description"`
		Waiting      int    `json:"waiting"`
		Sent         int    `json:"sent"`
		Delivered    int    `json:"delivered"`
		Opened       int    `json:"opened"`
		Clicked      int    `json:"clicked"`
		Bounced      int    `json:"bounced"`
		Unsubscribed int    `json:"unsubscribed"`
		Converted    int    `json:"converted"`
	}
	out := struct {
		Steps      []stepJSON     `json:"steps"`
		Enrolments map[string]int `json:"enrolments"`
	}{Steps: []stepJSON{}, Enrolments: rep.ByStatus}
	for _, s := range rep.Steps {
		out.Steps = append(out.Steps, stepJSON{Step: s.Step, Description: s.Description, Waiting: s.Waiting, Sent: s.Sent,
			Delivered: s.Delivered, Opened: s.Opened, Clicked: s.Clicked, Bounced: s.Bounced, Unsubscribed: s.Unsubscribed, Converted: s.Converted})
	}
	return out
}

// enrolmentJSON is a lead's place in a sequence.
type enrolmentJSON struct {
	ID         int64      `json:"id"`
	SequenceID int64      `json:"sequence_id"`
	Sequence   string     `json:"sequence"`
	LeadID     int64      `json:"lead_id"`
	Status     string     `json:"status"`
	Step       int        `json:"step"`
	NextAt     *time.Time `json:"next_at"`
	Reason     string     `json:"reason"`
	ExitReason string     `json:"exit_reason"`
	EnrolledAt time.Time  `json:"enrolled_at"`
	EndedAt    *time.Time `json:"ended_at"`
}

func enrolmentToJSON(e nurture.Enrolment) enrolmentJSON {
	j := enrolmentJSON{ID: e.ID, SequenceID: e.SequenceID, Sequence: e.SequenceName, LeadID: e.LeadID, Status: e.Status,
		Step: e.Step + 1, Reason: e.Reason, ExitReason: e.ExitReason, EnrolledAt: e.EnrolledAt}
	if e.Status == nurture.EnrolActive {
		t := e.NextAt
		j.NextAt = &t
	}
	if !e.EndedAt.IsZero() {
		t := e.EndedAt
		j.EndedAt = &t
	}
	return j
}

func (a *API) leadEnrolments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var es []nurture.Enrolment
	if err == nil {
		es, err = a.Nurture.LeadEnrolments(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(es, enrolmentToJSON))
}

// enrolLead answers POST /api/v1/leads/{id}/enrolments {"sequence_id"}:
// 201 with the new enrolment, or 200 with the one the lead had already.
func (a *API) enrolLead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = mayNurture(r) // before the body, so a refusal tells nothing of what it would take
	}
	var in struct {
		SequenceID int64  `json:"sequence_id"`
		Reason     string `json:"reason"`
	}
	if err == nil {
		err = decodeInto(w, r, &in)
	}
	if err == nil && in.SequenceID == 0 {
		err = &fault.Error{Code: fault.Invalid, Message: "no sequence", Fields: map[string]string{"sequence_id": "is required"}}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	reason := in.Reason
	if reason == "" {
		reason = "enrolled through the API"
	}
	e, made, err := a.Nurture.Enrol(r.Context(), actor(r), in.SequenceID, id, reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if made {
		status = http.StatusCreated
	}
	writeJSON(w, status, enrolmentToJSON(e))
}

// exitEnrolment answers POST /api/v1/enrolments/{id}/exit {"reason":
// "replied"} (or any other reason: taken out by hand).
func (a *API) exitEnrolment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in struct {
		Reason string `json:"reason"`
	}
	if err == nil {
		err = decodeInto(w, r, &in)
	}
	if err == nil {
		err = a.Nurture.Exit(r.Context(), actor(r), id, in.Reason)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listOutbox answers GET /api/v1/outbox?status=failed, for admins.
func (a *API) listOutbox(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	ms, err := a.Outbox.List(r.Context(), actor(r), r.URL.Query().Get("status"), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type messageJSON struct {
		ID        int64      `json:"id"`
		Kind      string     `json:"kind"`
		To        string     `json:"to"`
		LeadID    *int64     `json:"lead_id"`
		Subject   string     `json:"subject"`
		MessageID string     `json:"message_id"`
		Status    string     `json:"status"`
		Attempts  int        `json:"attempts"`
		Error     string     `json:"error"`
		CreatedAt time.Time  `json:"created_at"`
		SentAt    *time.Time `json:"sent_at"`
	}
	out := struct {
		Data []messageJSON `json:"data"`
	}{Data: []messageJSON{}}
	for _, m := range ms {
		j := messageJSON{ID: m.ID, Kind: m.Kind, To: m.To, Subject: m.Subject, MessageID: m.MessageID, Status: m.Status,
			Attempts: m.Attempts, Error: m.Error, CreatedAt: m.CreatedAt}
		if m.LeadID != 0 {
			id := m.LeadID
			j.LeadID = &id
		}
		if !m.SentAt.IsZero() {
			t := m.SentAt
			j.SentAt = &t
		}
		out.Data = append(out.Data, j)
	}
	writeJSON(w, http.StatusOK, out)
}

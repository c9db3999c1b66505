package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/webhook"
)

// webhookJSON is a subscription as the API shows it.
type webhookJSON struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events"`
	Secret         string     `json:"secret"`
	AllowPrivate   bool       `json:"allow_private"`
	Active         bool       `json:"active"`
	Failures       int        `json:"failures"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func webhookToJSON(s webhook.Subscription) webhookJSON {
	events := s.Events
	if events == nil {
		events = []string{}
	}
	return webhookJSON{ID: s.ID, URL: s.URL, Description: s.Description, Events: events, Secret: s.Secret,
		AllowPrivate: s.AllowPrivate, Active: s.Active(), Failures: s.Failures, DisabledAt: s.DisabledAt,
		DisabledReason: s.DisabledReason, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// webhookIn is what a create or a change sends; members left out stay
// as they are.
type webhookIn struct {
	URL          *string  `json:"url"`
	Description  *string  `json:"description"`
	Events       []string `json:"events"`
	AllowPrivate *bool    `json:"allow_private"`
	Active       *bool    `json:"active"`
}

func (in webhookIn) patch() webhook.Patch {
	return webhook.Patch{URL: in.URL, Description: in.Description, Events: in.Events, AllowPrivate: in.AllowPrivate, Active: in.Active}
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) {
	list, err := a.Webhooks.List(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data   []webhookJSON `json:"data"`
		Events []string      `json:"events"`
	}{Data: make([]webhookJSON, 0, len(list)), Events: webhook.Events}
	for _, s := range list {
		out.Data = append(out.Data, webhookToJSON(s))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) {
	if err := webhook.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	var in webhookIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Webhooks.Create(r.Context(), actor(r), in.patch())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+strconv.FormatInt(s.ID, 10))
	writeJSON(w, http.StatusCreated, webhookToJSON(s))
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Webhooks.Get(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, webhookToJSON(s))
}

func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := webhook.MayManage(actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	var in webhookIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.Webhooks.Update(r.Context(), actor(r), id, in.patch())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, webhookToJSON(s))
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Webhooks.Delete(r.Context(), actor(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deliveryJSON is one message of a subscription's delivery log.
type deliveryJSON struct {
	ID        int64         `json:"id"`
	MsgID     string        `json:"msg_id"`
	Event     string        `json:"event"`
	Status    string        `json:"status"`
	CreatedAt time.Time     `json:"created_at"`
	Attempts  []attemptJSON `json:"attempts"`
}

type attemptJSON struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	LatencyMS  int64     `json:"latency_ms"`
	Response   string    `json:"response"`
	Error      string    `json:"error"`
}

func (a *API) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit == 0 {
		limit = 50
	}
	log, err := a.Webhooks.Deliveries(r.Context(), actor(r), id, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data []deliveryJSON `json:"data"`
	}{Data: make([]deliveryJSON, 0, len(log))}
	for _, d := range log {
		dj := deliveryJSON{ID: d.ID, MsgID: d.MsgID, Event: d.Event, Status: d.Status, CreatedAt: d.CreatedAt, Attempts: []attemptJSON{}}
		for _, at := range d.Attempts {
			dj.Attempts = append(dj.Attempts, attemptJSON{At: at.At, StatusCode: at.StatusCode, LatencyMS: at.Latency.Milliseconds(),
				Response: at.Response, Error: at.Error})
		}
		out.Data = append(out.Data, dj)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) redeliverWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.Webhooks.Redeliver(r.Context(), actor(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": webhook.Pending})
}

func (a *API) testWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	delivery, err := a.Webhooks.SendTest(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": delivery, "status": webhook.Pending})
}

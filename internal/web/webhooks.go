package web

import (
	"net/http"
	"strconv"

	"leadflow/internal/fault"
	"leadflow/internal/webhook"
)

// webhookRoutes are the admins' pages of webhook subscriptions.
func (h *Web) webhookRoutes(m routeMux) {
	m.HandleFunc("GET /settings/webhooks", h.listWebhooks)
	m.HandleFunc("POST /settings/webhooks", h.createWebhook)
	m.HandleFunc("GET /settings/webhooks/{id}", h.showWebhook)
	m.HandleFunc("POST /settings/webhooks/{id}", h.updateWebhook)
	m.HandleFunc("POST /settings/webhooks/{id}/delete", h.deleteWebhook)
	m.HandleFunc("POST /settings/webhooks/{id}/test", h.testWebhook)
	m.HandleFunc("POST /webhook-deliveries/{id}/redeliver", h.redeliverWebhook)
}

// webhookForm is a subscription as its form shows it, with the reasons
// its fields were refused.
type webhookForm struct {
	URL, Description string
	Events           []string
	AllowPrivate     bool
	Active           bool
	Errors           map[string]string
}

type webhooksData struct {
	Webhooks []webhook.Subscription
	Events   []string
	Form     webhookForm
}

type webhookData struct {
	Webhook    webhook.Subscription
	Events     []string
	Form       webhookForm
	Deliveries []webhook.Delivery
}

func readWebhookForm(r *http.Request) (webhookForm, webhook.Patch) {
	f := webhookForm{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"), Events: r.PostForm["events"],
		AllowPrivate: r.PostFormValue("allow_private") != "", Active: r.PostFormValue("active") != ""}
	events := f.Events
	if events == nil {
		events = []string{}
	}
	return f, webhook.Patch{URL: &f.URL, Description: &f.Description, Events: events, AllowPrivate: &f.AllowPrivate}
}

func (h *Web) listWebhooks(w http.ResponseWriter, r *http.Request) {
	h.renderWebhooks(w, r, webhookForm{}, 0)
}

func (h *Web) renderWebhooks(w http.ResponseWriter, r *http.Request, f webhookForm, status int) {
	subs, err := h.Webhooks.List(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "webhooks", page{Title: "Webhooks", Nav: "webhooks", Status: status,
		Data: webhooksData{Webhooks: subs, Events: webhook.Events, Form: f}})
}

func (h *Web) createWebhook(w http.ResponseWriter, r *http.Request) {
	f, p := readWebhookForm(r)
	sub, err := h.Webhooks.Create(r.Context(), actor(r), p)
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		f.Errors = e.Fields
		h.renderWebhooks(w, r, f, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Webhook added. Its signing secret is below.")
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(sub.ID, 10), http.StatusSeeOther)
}

func (h *Web) showWebhook(w http.ResponseWriter, r *http.Request) {
	h.renderWebhook(w, r, nil, 0)
}

// renderWebhook shows a subscription with its delivery log; f, when not
// nil, is a refused change to show again.
func (h *Web) renderWebhook(w http.ResponseWriter, r *http.Request, f *webhookForm, status int) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sub, err := h.Webhooks.Get(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	log, err := h.Webhooks.Deliveries(r.Context(), actor(r), id, 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := webhookData{Webhook: sub, Events: webhook.Events, Deliveries: log,
		Form: webhookForm{URL: sub.URL, Description: sub.Description, Events: sub.Events, AllowPrivate: sub.AllowPrivate, Active: sub.Active()}}
	if f != nil {
		d.Form = *f
	}
	h.render(w, r, "webhook", page{Title: tr(r, "title.webhook_named", "URL", sub.URL), Nav: "webhooks", Status: status, Data: d})
}

func (h *Web) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, p := readWebhookForm(r)
	p.Active = &f.Active
	_, err = h.Webhooks.Update(r.Context(), actor(r), id, p)
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		f.Errors = e.Fields
		h.renderWebhook(w, r, &f, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Webhook saved.")
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Web) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Webhooks.Delete(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Webhook deleted.")
	http.Redirect(w, r, "/settings/webhooks", http.StatusSeeOther)
}

func (h *Web) redeliverWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sub, err := h.Webhooks.Redeliver(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "The message will be sent again.")
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(sub, 10), http.StatusSeeOther)
}

func (h *Web) testWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Webhooks.SendTest(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "A test message is on its way; its attempt shows in the log below.")
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

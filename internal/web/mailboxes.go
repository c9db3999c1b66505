package web

import (
	"net/http"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/mailbox"
)

type mailboxesData struct {
	Mailboxes []mailbox.Mailbox
	Form      int64             // which form the errors and values are of: 0 the new one
	Errors    map[string]string // of the form that was refused
	Values    map[string]string
}

// ValuesFor are the values mailbox m's form shows: what was typed, when
// it was that form that was refused, else m's.
func (d mailboxesData) ValuesFor(m mailbox.Mailbox) map[string]string {
	if d.Form == m.ID {
		return d.Values
	}
	return map[string]string{"name": m.Name, "address": m.Address, "security": m.Security, "username": m.Username, "folder": m.Folder}
}

// NewValues are the values the new mailbox's form shows.
func (d mailboxesData) NewValues() map[string]string {
	if d.Form == 0 {
		return d.Values
	}
	return map[string]string{"folder": "INBOX", "security": mailbox.TLS}
}

// ErrorsFor are the errors of the form of mailbox id (0 the new one).
func (d mailboxesData) ErrorsFor(id int64) map[string]string {
	if d.Form == id {
		return d.Errors
	}
	return nil
}

func (h *Web) showMailboxes(w http.ResponseWriter, r *http.Request) {
	h.renderMailboxes(w, r, mailboxesData{Form: -1}, 0)
}

func (h *Web) renderMailboxes(w http.ResponseWriter, r *http.Request, d mailboxesData, status int) {
	var err error
	if d.Mailboxes, err = h.Mailboxes.List(r.Context(), actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "mailboxes", page{Title: "Mailboxes", Nav: "leads", Data: d, Status: status})
}

func mailboxForm(r *http.Request) (mailbox.Input, map[string]string) {
	in := mailbox.Input{Name: r.PostFormValue("name"), Address: r.PostFormValue("address"), Security: r.PostFormValue("security"),
		Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), Folder: r.PostFormValue("folder"),
		DeleteTaken: r.PostFormValue("delete_taken") == "on"}
	return in, map[string]string{"name": in.Name, "address": in.Address, "security": in.Security, "username": in.Username, "folder": in.Folder}
}

// saveMailbox answers the new mailbox's form and each mailbox's own.
func (h *Web) saveMailbox(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	in, values := mailboxForm(r)
	_, err := h.Mailboxes.Save(r.Context(), actor(r), id, in)
	if e := fault.As(err); e != nil && e.Fields != nil {
		h.renderMailboxes(w, r, mailboxesData{Form: id, Errors: e.Fields, Values: values}, formStatus(e))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Mailbox saved; it is read every few minutes.")
	http.Redirect(w, r, "/settings/mailboxes", http.StatusSeeOther)
}

// checkMailbox reads a mailbox now, so the admin sees at once whether it
// works; its error, if any, shows on the page.
func (h *Web) checkMailbox(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = h.Mailboxes.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.Mailboxes.Fetch(r.Context(), id)
	if err != nil {
		h.flash(w, "The mailbox could not be read; see its error below.")
	} else {
		h.flash(w, i18n.T(r.Context(), "flash.mailbox_read", "Count", n))
	}
	http.Redirect(w, r, "/settings/mailboxes", http.StatusSeeOther)
}

func (h *Web) deleteMailbox(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.Mailboxes.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, "Mailbox disconnected; the leads it brought stay.")
	http.Redirect(w, r, "/settings/mailboxes", http.StatusSeeOther)
}

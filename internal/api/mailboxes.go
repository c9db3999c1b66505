package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/mailbox"
)

type mailboxJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Address     string     `json:"address"`
	Security    string     `json:"security"`
	Username    string     `json:"username"`
	Folder      string     `json:"folder"`
	DeleteTaken bool       `json:"delete_taken"`
	Taken       int64      `json:"taken"`
	LastError   *string    `json:"last_error"`
	CheckedAt   *time.Time `json:"checked_at"`
}

func mailboxOut(m mailbox.Mailbox) mailboxJSON {
	return mailboxJSON{ID: m.ID, Name: m.Name, Address: m.Address, Security: m.Security, Username: m.Username, Folder: m.Folder,
		DeleteTaken: m.DeleteTaken, Taken: m.Taken, LastError: optional(m.LastError), CheckedAt: m.CheckedAt}
}

type mailboxIn struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	Security    string `json:"security"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	Folder      string `json:"folder"`
	DeleteTaken bool   `json:"delete_taken"`
}

func (a *API) listMailboxes(w http.ResponseWriter, r *http.Request) {
	ms, err := a.Mailboxes.List(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataOf(ms, mailboxOut))
}

// saveMailbox answers POST (connect) and PUT (change; an empty password
// keeps the stored one).
func (a *API) saveMailbox(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.Method == http.MethodPut {
		var err error
		if id, err = pathID(r); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var in mailboxIn
	if err := decodeInto(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.Mailboxes.Save(r.Context(), actor(r), id, mailbox.Input{Name: in.Name, Address: in.Address, Security: in.Security,
		Username: in.Username, Password: in.Password, Folder: in.Folder, DeleteTaken: in.DeleteTaken})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeSaved(w, id == 0, "/api/v1/mailboxes/"+strconv.FormatInt(m.ID, 10), mailboxOut(m))
}

func (a *API) deleteMailbox(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = a.Mailboxes.Delete(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// fetchMailbox reads a mailbox now and answers with it: how many it took
// and, when it failed, its error.
func (a *API) fetchMailbox(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = a.Mailboxes.Get(r.Context(), actor(r), id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, _ := a.Mailboxes.Fetch(r.Context(), id) // a mailbox's failure is its last_error, not the call's
	m, err := a.Mailboxes.Get(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		mailboxJSON
		TakenNow int `json:"taken_now"`
	}{mailboxOut(m), n})
}

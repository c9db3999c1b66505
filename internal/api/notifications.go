package api

import (
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/notify"
)

// listNotifications answers the caller's notifications, newest first:
// ?unread=true for unread ones alone, ?cursor= and ?limit= to page.
func (a *API) listNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := fault.Fields{}
	unread := false
	switch q.Get("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		bad.Add("unread", "must be true or false")
	}
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > notify.MaxLimit {
			bad.Add("limit", "must be a whole number from 1 to "+strconv.Itoa(notify.MaxLimit))
		}
		limit = n
	}
	if err := bad.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.Notify.List(r.Context(), actor(r), unread, q.Get("cursor"), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.Notify.Unread(r.Context(), actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Data       []notify.Notice `json:"data"`
		Unread     int             `json:"unread"`
		NextCursor *string         `json:"next_cursor"`
	}{p.Items, n, optional(p.Next)})
}

func (a *API) readNotification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.Notify.Read(r.Context(), actor(r), id, time.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (a *API) readAllNotifications(w http.ResponseWriter, r *http.Request) {
	n, err := a.Notify.ReadAll(r.Context(), actor(r), time.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
}

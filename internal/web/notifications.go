package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/i18n"
	"leadflow/internal/notify"
)

type noticesData struct {
	Page   notify.Page
	Unread bool
	// Cursor is the page shown, for "Newer" to come back to the first.
	Cursor string
}

// showNotifications lists the user's notices, newest first, unread ones
// alone with ?unread=1.
func (h *Web) showNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := noticesData{Unread: q.Get("unread") == "1", Cursor: q.Get("cursor")}
	p, err := h.Notify.List(r.Context(), actor(r), d.Unread, d.Cursor, 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Page = p
	h.render(w, r, "notifications", page{Title: "Notifications", Nav: "notifications", Data: d})
}

// openNotification marks a notice read and follows its link: the one
// click a user makes on a notice does both.
func (h *Web) openNotification(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	n, err := h.Notify.Read(r.Context(), actor(r), id, time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := n.Link
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") {
		to = "/notifications" // only ever a page of this site
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Web) readAllNotifications(w http.ResponseWriter, r *http.Request) {
	n, err := h.Notify.ReadAll(r.Context(), actor(r), time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "notif.marked_read", "Count", n))
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

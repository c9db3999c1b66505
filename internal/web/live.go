package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/live"
)

// maxLiveTopics bounds what one stream follows.
const maxLiveTopics = 8

// liveTopics checks each topic a page asks to follow against what the
// user may see: a lead they can open, an import of theirs to watch, their
// own notifications. The stream only ever says "changed"; the page then
// fetches what it shows through the usual checks, so this is a second
// fence, not the only one.
func (h *Web) liveTopics(r *http.Request, a access.Actor, asked []string) ([]string, error) {
	if len(asked) == 0 || len(asked) > maxLiveTopics {
		return nil, fault.Errorf(fault.Invalid, "follow from 1 to %d topics", maxLiveTopics)
	}
	var out []string
	for _, t := range asked {
		kind, id, _ := strings.Cut(t, ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		var err error
		switch {
		case t == live.Leads || t == live.Deals:
		case kind == "lead" && n > 0:
			_, err = h.Leads.Get(r.Context(), a, n)
		case kind == "import" && n > 0:
			_, err = h.Imports.Get(r.Context(), a, n)
		case kind == "user" && n == a.ID:
		default:
			err = fault.Errorf(fault.Forbidden, "topic %q cannot be followed", t)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// liveEvery is how often an idle stream sends a comment, so proxies and
// the browser keep it open.
const liveEvery = 25 * time.Second

// streamLive answers GET /live?topic=…: a Server-Sent Events stream with
// one "change" event per topic that changed, as long as the page is open.
func (h *Web) streamLive(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	topics, err := h.liveTopics(r, a, r.URL.Query()["topic"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	sub, stop := h.Live.Subscribe(topics...)
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A reconnecting browser waits this long; the first line also tells
	// the page the stream is open.
	fmt.Fprint(w, "retry: 3000\n\n")
	rc.Flush()
	tick := time.NewTicker(liveEvery)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.Live.Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": still here\n\n")
		case <-sub.Wake():
			for _, t := range sub.Take() {
				fmt.Fprintf(w, "event: change\ndata: %s\n\n", t)
			}
		}
		rc.SetWriteDeadline(time.Now().Add(liveEvery + 10*time.Second))
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// newLeadsCount answers how many leads the list, with the filters in the
// query, gained since the page was drawn (since, in Unix milliseconds):
// the list says so rather than moving rows under the user's eyes.
func (h *Web) newLeadsCount(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := strconv.ParseInt(q.Get("since"), 10, 64)
	if err != nil || since <= 0 {
		h.fail(w, r, fault.Errorf(fault.Invalid, "since must be a time in Unix milliseconds"))
		return
	}
	q.Del("since")
	q.Del("cursor")
	f, err := lead.ParseFilter(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if from := time.UnixMilli(since); from.After(f.CreatedFrom) {
		f.CreatedFrom = from
	}
	f.Limit = 1
	p, err := h.Leads.List(r.Context(), actor(r), f, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The text is written here, in the reader's language and its plural.
	writeJSON(w, map[string]any{"count": p.Total, "text": tr(r, "leads.n_new_show", "Count", p.Total)})
}

// unreadCount answers the bell's count.
func (h *Web) unreadCount(w http.ResponseWriter, r *http.Request) {
	n, err := h.Notify.Unread(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"unread": n, "label": tr(r, "nav.unread", "Count", n)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

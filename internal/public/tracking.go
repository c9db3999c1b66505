package public

import (
	_ "embed"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/textcheck"
	"leadflow/internal/tracking"
)

//go:embed t.js
var trackJS []byte

// pixel is a transparent 1x1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// Tracker serves the tracking script, the visit collector and the email
// pixel.
type Tracker struct {
	Leads    *lead.Service
	Settings *tracking.Service
	Log      *slog.Logger
}

// system is who records tracked events: leadflow itself.
var system = access.Actor{Role: access.Admin}

func serveTrackJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(trackJS)
}

// collectBody is what t.js sends.
type collectBody struct {
	VisitorID string            `json:"visitor_id"`
	Type      string            `json:"type"`
	URL       string            `json:"url"`
	Props     map[string]string `json:"properties"`
}

// collect answers POST /t/collect from a configured site: one event of
// an anonymous visitor (or of the lead it became).
func (tr *Tracker) collect(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if !tr.Settings.Allowed(r.Context(), origin) {
		http.Error(w, "this site is not allowed to send tracking to leadflow", http.StatusForbidden)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Vary", "Origin")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var b collectBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err == nil {
		err = textcheck.JSON(raw)
	}
	if e := fault.As(err); e != nil {
		http.Error(w, "the event was refused: "+e.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err != nil || json.Unmarshal(raw, &b) != nil {
		http.Error(w, "the body must be a JSON event", http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(strings.ToLower(b.URL), strings.ToLower(origin)) {
		b.URL = "" // a page of another site is not this visit's
	}
	if b.VisitorID == "" {
		http.Error(w, "visitor_id is required", http.StatusUnprocessableEntity)
		return
	}
	_, err = tr.Leads.RecordEvents(r.Context(), system, []lead.EventInput{{VisitorID: b.VisitorID, Type: b.Type, URL: b.URL,
		Properties: b.Props, Source: "tracking"}})
	if e := fault.As(err); e != nil {
		http.Error(w, "the event was refused: "+e.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		// The database's words stay in the log: they describe the schema
		// to whoever is probing.
		tr.Log.ErrorContext(r.Context(), "tracking", "err", err)
		http.Error(w, "the event could not be recorded; it has been logged", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// open answers GET /t/open.gif?t=TOKEN: an email opened. The image is
// the same whatever the token, so it tells nothing to whoever asks.
func (tr *Tracker) open(w http.ResponseWriter, r *http.Request) {
	if id, ok := tr.Settings.LeadOf(r.Context(), r.URL.Query().Get("t")); ok {
		props := map[string]string{}
		if c := r.URL.Query().Get("c"); c != "" {
			props["campaign"] = c
		}
		tr.Leads.RecordEvents(r.Context(), system, []lead.EventInput{{LeadID: id, Type: "email_open", Properties: props, Source: "pixel"}})
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pixel)
}

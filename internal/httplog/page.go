package httplog

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// ServerError answers 500 with the request's id, for the user to quote:
// JSON to the API, a short page to a browser. The error itself is logged
// once, by whoever calls this, with the same id.
func ServerError(w http.ResponseWriter, r *http.Request) {
	id := RequestID(r)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"error": {"code": "internal", "message": "internal error; request id %s"}}`+"\n", id)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Something went wrong</title><h1>Something went wrong</h1>
<p>Something went wrong on our side; it has been logged. If you report it, quote request id <code>%s</code>.</p>
<p><a href="/">Back to leadflow</a></p>
`, html.EscapeString(id))
}

// RequestID is r's id, or "" outside a logged request.
func RequestID(r *http.Request) string {
	if i := From(r.Context()); i != nil {
		return i.ID
	}
	return ""
}

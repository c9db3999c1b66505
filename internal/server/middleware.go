package server

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"leadflow/internal/httplog"
	"leadflow/internal/metrics"
)

// statusRecorder remembers the status a handler wrote, for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests gives each request an id — the X-Request-Id it came with
// when that is a plain token (a proxy's), else a new one — returns it as
// X-Request-Id, and after the answer logs one line: method, path (its
// secret left out), the route that served it, status and duration, with
// the request id and user id that every line logged while serving it
// carries too (httplog); and counts it in m.
func logRequests(log *slog.Logger, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !httplog.ValidID(id) {
			id = httplog.NewID()
		}
		info := &httplog.Info{ID: id}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(httplog.With(r.Context(), info))
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		httplog.SetRoute(r.Context(), routeOf(info, r))
		m.Observe(r, info.Route(), rec.status, took)
		log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("path", loggedPath(r.URL.Path)),
			slog.String("route", info.Route()), slog.Int("status", rec.status), slog.Int64("ms", took.Milliseconds()))
	})
}

// routeOf is the pattern that served r: the innermost router's when it
// recorded one, else the top router's, which set r.Pattern.
func routeOf(info *httplog.Info, r *http.Request) string {
	if p := info.Route(); p != "" {
		return p
	}
	return r.Pattern
}

// secretPaths are the paths whose next segment is a credential: emailed
// links (consent confirmation, invitation, unsubscribe, open and click)
// and the calendar feed. Whoever reads the log must not be able to use
// them.
var secretPaths = []string{"/c/", "/invite/", "/u/", "/e/o/", "/e/c/", "/calendar/feed/"}

// loggedPath is p with the credential in it, if any, left out.
func loggedPath(p string) string {
	for _, prefix := range secretPaths {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			return prefix + "[secret]"
		}
	}
	return p
}

// recoverPanics turns a panic in one request into a 500 and a log line
// instead of a dead connection.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", loggedPath(r.URL.Path), "value", v, "stack", string(debug.Stack()))
				httplog.ServerError(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

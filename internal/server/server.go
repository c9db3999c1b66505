// Package server assembles leadflow's HTTP surface: the JSON API, the
// HTML pages and the health check, behind logging and panic recovery.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"leadflow/internal/api"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/web"
)

// Config is what the server needs.
type Config struct {
	DB            *sqldb.DB
	Log           *slog.Logger
	SecureCookies bool
}

// New returns the whole handler.
func New(cfg Config) (http.Handler, error) {
	leads := lead.NewService(cfg.DB)
	users := user.NewService(cfg.DB)
	pages, err := web.New(leads, users, cfg.Log)
	if err != nil {
		return nil, err
	}
	pages.SecureCookies = cfg.SecureCookies
	a := &api.API{Leads: leads, Users: users, Log: cfg.Log}

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthz(cfg.DB))
	mux.Handle("/api/", a.Handler())
	mux.Handle("/", pages.Handler())
	return recoverPanics(cfg.Log, logRequests(cfg.Log, securityHeaders(mux))), nil
}

// healthz answers 200 when the database answers, 503 when it does not.
func healthz(db *sqldb.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ok\n"))
	})
}

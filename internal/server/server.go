// Package server assembles leadflow's HTTP surface: the JSON API, the
// HTML pages, the public forms and the health check, behind logging and
// panic recovery; and it resumes the background work left by a stop.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"leadflow/internal/api"
	"leadflow/internal/crm"
	"leadflow/internal/forms"
	"leadflow/internal/imports"
	"leadflow/internal/lead"
	"leadflow/internal/public"
	"leadflow/internal/ratelimit"
	"leadflow/internal/report"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/user"
	"leadflow/internal/web"
)

// Config is what the server needs.
type Config struct {
	DB            *sqldb.DB
	Log           *slog.Logger
	SecureCookies bool
	// DataDir keeps uploaded import files until they are imported.
	DataDir string
	// PublicPerMinute and PublicBurst limit each IP on the public pages.
	PublicPerMinute, PublicBurst int
	// Background ends the background work (imports) when it is done.
	Background context.Context
}

// New returns the whole handler and starts resuming interrupted imports.
func New(cfg Config) (http.Handler, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(".", "leadflow-data")
	}
	if cfg.PublicPerMinute == 0 {
		cfg.PublicPerMinute, cfg.PublicBurst = 30, 10
	}
	if cfg.Background == nil {
		cfg.Background = context.Background()
	}
	leads := lead.NewService(cfg.DB)
	users := user.NewService(cfg.DB)
	formSvc := forms.NewService(cfg.DB, leads)
	importSvc := imports.NewService(cfg.DB, leads, filepath.Join(cfg.DataDir, "imports"))
	trackingSvc := tracking.NewService(cfg.DB)
	crmSvc := crm.NewService(cfg.DB, leads)
	reports := report.NewService(cfg.DB)
	onErr := func(err error) { cfg.Log.Error("import", "err", err) }
	if err := importSvc.Resume(cfg.Background, onErr); err != nil {
		return nil, err
	}

	pages, err := web.New(web.Services{Leads: leads, CRM: crmSvc, Reports: reports, Users: users, Forms: formSvc, Imports: importSvc, Tracking: trackingSvc}, cfg.Log)
	if err != nil {
		return nil, err
	}
	pages.SecureCookies = cfg.SecureCookies
	pages.Background = cfg.Background
	pub, err := public.New(formSvc, &public.Tracker{Leads: leads, Settings: trackingSvc}, ratelimit.New(cfg.PublicPerMinute, cfg.PublicBurst), cfg.Log)
	if err != nil {
		return nil, err
	}
	a := &api.API{Leads: leads, CRM: crmSvc, Reports: reports, Users: users, Forms: formSvc, Log: cfg.Log, Background: cfg.Background}
	if err := leads.ResumeRescores(cfg.Background, func(err error) { cfg.Log.Error("rescore", "err", err) }); err != nil {
		return nil, err
	}
	go decaySweep(cfg.Background, cfg.DB, leads, cfg.Log)

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthz(cfg.DB))
	mux.Handle("/api/", securityHeaders(a.Handler()))
	publicPages := pub.Handler()
	mux.Handle("/f/", publicPages)
	mux.Handle("/p/", publicPages)
	mux.Handle("/embed.js", publicPages)
	mux.Handle("/t.js", publicPages)
	mux.Handle("/t/", publicPages)
	mux.Handle("/", securityHeaders(pages.Handler()))
	return recoverPanics(cfg.Log, logRequests(cfg.Log, mux)), nil
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

// decaySweep refreshes the query planner's statistics at start and then,
// every hour, rescores every lead and refreshes them again. The rescore
// makes lists, filters and grades follow the decay of behavioural points;
// a lead's own page and its score in the API are computed at the moment
// they are read.
func decaySweep(ctx context.Context, db *sqldb.DB, leads *lead.Service, log *slog.Logger) {
	analyze := func() {
		if err := db.Analyze(ctx, "leads"); err != nil && ctx.Err() == nil {
			log.Error("planner statistics", "err", err)
		}
	}
	analyze()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := leads.RescoreAll(ctx, "decay", nil); err != nil && ctx.Err() == nil {
				log.Error("decay sweep", "err", err)
			}
			analyze()
		}
	}
}

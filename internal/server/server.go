// Package server assembles leadflow's HTTP surface: the JSON API, the
// HTML pages, the public forms and the health check, behind logging and
// panic recovery; and it gives the job runner every kind of background
// work.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"leadflow/internal/accountscore"
	"leadflow/internal/activity"
	"leadflow/internal/api"
	"leadflow/internal/audit"
	"leadflow/internal/brief"
	"leadflow/internal/bulk"
	"leadflow/internal/calendar"
	"leadflow/internal/catalog"
	"leadflow/internal/clientip"
	"leadflow/internal/crm"
	"leadflow/internal/forms"
	"leadflow/internal/handoff"
	"leadflow/internal/httplog"
	"leadflow/internal/imports"
	"leadflow/internal/invoice"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/live"
	"leadflow/internal/mail"
	"leadflow/internal/mailbox"
	"leadflow/internal/metrics"
	"leadflow/internal/notify"
	"leadflow/internal/nurture"
	"leadflow/internal/predict"
	"leadflow/internal/privacy"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/public"
	"leadflow/internal/ratelimit"
	"leadflow/internal/report"
	"leadflow/internal/salesteam"
	"leadflow/internal/savedview"
	"leadflow/internal/search"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/user"
	"leadflow/internal/web"
	"leadflow/internal/webhook"
)

// Config is what the server needs.
type Config struct {
	DB            *sqldb.DB
	Log           *slog.Logger
	SecureCookies bool
	// PublicPerMinute and PublicBurst limit each IP on the public pages.
	PublicPerMinute, PublicBurst int
	// TrustedProxies are the reverse proxies believed about the client's
	// address (X-Forwarded-For, Forwarded); nil believes none.
	TrustedProxies *clientip.Resolver
	// Jobs runs the background work; New gives it its handlers and the
	// caller starts and stops it (or, to serve HTTP only, never starts
	// it). When nil, New makes a runner and starts it, stopping it when
	// Background ends.
	Jobs       *job.Runner
	Background context.Context
	// DecayEvery is how often every lead is rescored for decay, once
	// across all instances; default an hour.
	DecayEvery time.Duration
	// PairsMemory bounds what the weekly duplicate-pairs run holds in
	// memory, in bytes (0: lead.DefaultPairsMemory).
	PairsMemory int64
	// MailboxEvery is how often the connected mailboxes are read; 5
	// minutes when zero.
	MailboxEvery time.Duration
	// Mail is the SMTP server email goes through; the zero value sends
	// none, and the pages that would send say so.
	Mail mail.Config
	// Metrics counts the requests; New makes one when nil. MetricsToken,
	// when set, serves them at /metrics to requests bearing it; unset,
	// /metrics is not served here (the caller may serve
	// Metrics.Handler on an address of its own).
	Metrics      *metrics.Metrics
	MetricsToken string
}

// New returns the whole handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.PublicPerMinute == 0 {
		cfg.PublicPerMinute, cfg.PublicBurst = 30, 10
	}
	if cfg.Background == nil {
		cfg.Background = context.Background()
	}
	if cfg.DecayEvery <= 0 {
		cfg.DecayEvery = time.Hour
	}
	if cfg.MailboxEvery <= 0 {
		cfg.MailboxEvery = 5 * time.Minute
	}
	cfg.Log = httplog.Wrap(cfg.Log)
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New(cfg.DB)
	}
	leads := lead.NewService(cfg.DB)
	leads.PairsMemory = cfg.PairsMemory
	users := user.NewService(cfg.DB)
	formSvc := forms.NewService(cfg.DB, leads)
	importSvc := imports.NewService(cfg.DB, leads)
	trackingSvc := tracking.NewService(cfg.DB)
	crmSvc := crm.NewService(cfg.DB, leads)
	accountScores := accountscore.NewService(cfg.DB, leads.Rules())
	reports := report.NewService(cfg.DB)
	privacySvc := privacy.NewService(cfg.DB)
	auditSvc := audit.NewService(cfg.DB)
	jobsAdmin := job.NewAdmin(cfg.DB)
	outbox := mail.NewOutbox(cfg.DB, cfg.Mail)
	if n := cfg.Mail.PerDomainPerMinute; n > 0 {
		outbox.PerDomain = ratelimit.For(cfg.DB, n, n)
	}
	formSvc.Mail, users.Mail = outbox, outbox
	activities, calendars := activity.NewService(cfg.DB, leads), calendar.NewStore(cfg.DB)
	products := product.NewService(cfg.DB)
	invoices := invoice.NewService(cfg.DB)
	finder := &search.Service{Leads: leads, CRM: crmSvc}
	views := savedview.NewService(cfg.DB)
	notices := notify.NewService(cfg.DB)
	hub := live.New(cfg.DB, cfg.Log)
	go hub.Run(cfg.Background, nil)
	nurtureSvc := nurture.NewService(cfg.DB, leads, outbox, trackingSvc)
	nurtureSvc.Proxies = cfg.TrustedProxies
	outbox.OnBounce = nurtureSvc.Bounced
	catalogSvc := catalog.NewService(cfg.DB)
	projects := project.NewService(cfg.DB, leads)
	crmSvc.AfterWon = projects.OnWon
	teams := salesteam.NewService(cfg.DB, leads)
	crmSvc.Handover = teams.Hand
	briefs := brief.NewService(cfg.DB, leads, catalogSvc)
	briefs.Projects = projects
	handoffs := handoff.NewService(cfg.DB, leads, briefs, catalogSvc)
	handoffs.Mail = outbox
	runner := cfg.Jobs
	if runner == nil {
		runner = job.NewRunner(cfg.DB, job.Options{Log: cfg.Log})
		defer runner.Start()
		go func() {
			<-cfg.Background.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			runner.Stop(ctx)
		}()
	}
	limiter := ratelimit.For(cfg.DB, cfg.PublicPerMinute, cfg.PublicBurst)
	registerJobs(runner, cfg, leads, importSvc, users, reports, limiter)
	outbox.Jobs, nurtureSvc.Jobs = runner, runner
	runner.Handle(mail.JobKind, outbox.Handler)
	segments := segment.NewService(cfg.DB)
	registerSegments(runner, segments, cfg.DB)
	runner.Handle(accountscore.JobKind, accountScores.Handler)
	runner.Every(accountscore.JobKind, accountscore.Every, nil)
	hooks := webhook.NewService(cfg.DB, leads)
	hooks.Log, hooks.Mail = cfg.Log, outbox
	registerWebhooks(runner, hooks)
	mailboxes := mailbox.NewService(cfg.DB, leads)
	// Passwords stored in plain text by an older version are sealed at
	// start; the fetch job does it too, for rows restored from a backup.
	if _, err := mailboxes.Reseal(cfg.Background); err != nil {
		return nil, err
	}
	runner.Handle(mailbox.FetchJob, func(ctx context.Context, _ job.Job) error { return mailboxes.RunFetchJob(ctx) })
	runner.Every(mailbox.FetchJob, cfg.MailboxEvery, nil)
	runner.Handle(nurture.TickJob, nurtureSvc.Tick)
	runner.Every(nurture.TickJob, time.Minute, nil)
	predictions := predict.NewService(cfg.DB, leads)
	runner.Handle(predict.TrainJob, predictions.RunJob)
	runner.Every(predict.TrainJob, 24*time.Hour, nil)

	bulkSvc := &bulk.Service{Leads: leads, Nurture: nurtureSvc}
	pages, err := web.New(web.Services{Leads: leads, CRM: crmSvc, Reports: reports, Users: users, Forms: formSvc, Imports: importSvc, Tracking: trackingSvc, Jobs: jobsAdmin, Privacy: privacySvc, Audit: auditSvc,
		Activities: activities, Calendar: calendars, Products: products, Segments: segments,
		Nurture: nurtureSvc, Outbox: outbox, Catalog: catalogSvc, Briefs: briefs, Projects: projects, Handoffs: handoffs, Invoices: invoices, Search: finder, Views: views, Notify: notices, Live: hub, Bulk: bulkSvc, Webhooks: hooks, Predict: predictions, AccountScores: accountScores, Mailboxes: mailboxes}, cfg.Log)
	if err != nil {
		return nil, err
	}
	pages.SecureCookies, pages.Proxies = cfg.SecureCookies, cfg.TrustedProxies
	pages.Teams = teams
	pub, err := public.New(formSvc, &public.Tracker{Leads: leads, Settings: trackingSvc, Log: cfg.Log}, limiter, cfg.Log)
	if err != nil {
		return nil, err
	}
	pub.Proxies = cfg.TrustedProxies
	a := &api.API{Leads: leads, CRM: crmSvc, Reports: reports, Users: users, Forms: formSvc, Jobs: jobsAdmin, Privacy: privacySvc, Audit: auditSvc,
		Activities: activities, Calendar: calendars, Products: products, Segments: segments,
		Nurture: nurtureSvc, Outbox: outbox, Log: cfg.Log, Catalog: catalogSvc, Briefs: briefs, Projects: projects, Handoffs: handoffs, Invoices: invoices, Search: finder, Views: views, Notify: notices, Bulk: bulkSvc, Webhooks: hooks, Predict: predictions, AccountScores: accountScores, Mailboxes: mailboxes}
	a.Teams = teams

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthz(cfg.DB))
	if cfg.MetricsToken != "" {
		mux.Handle("GET /metrics", cfg.Metrics.Handler(cfg.MetricsToken))
	}
	mux.Handle("/api/", securityHeaders(a.Handler()))
	publicPages := pub.Handler()
	mux.Handle("/f/", publicPages)
	mux.Handle("/p/", publicPages)
	mux.Handle(forms.ConfirmPath, publicPages)
	emailLinks := pub.Limit(nurtureSvc.PublicHandler())
	mux.Handle(nurture.UnsubscribePath, emailLinks)
	mux.Handle("/e/", emailLinks)
	mux.Handle("/embed.js", publicPages)
	mux.Handle("/t.js", publicPages)
	mux.Handle("/t/", publicPages)
	mux.Handle("/", securityHeaders(pages.Handler()))
	return logRequests(cfg.Log, cfg.Metrics, recoverPanics(cfg.Log, wakeSegments(runner, mux))), nil
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

// The kinds of jobs the server keeps by itself.
const (
	analyzeJob = "analyze"
	purgeJob   = "jobs.purge"
	sweepJob   = "sessions.sweep"
)

// keepJobs is how long finished jobs stay listed.
const keepJobs = 7 * 24 * time.Hour

// registerJobs gives the runner every kind of background work, and the
// periodic ones: the decay sweep, the nightly search for every probable
// duplicate, an hourly purge of ended sessions,
// old failed sign-ins and idle rate-limit buckets, a daily purge of finished jobs and, on
// PostgreSQL, folding the dashboard's count changes every minute. The
// planner's statistics are refreshed at start (SQLite keeps none until
// asked) and after each sweep.
func registerJobs(r *job.Runner, cfg Config, leads *lead.Service, importSvc *imports.Service, users *user.Service, reports *report.Service, limiter ratelimit.Limiter) {
	leads.Jobs, importSvc.Jobs = r, r
	r.Handle(imports.JobKind, importSvc.Handler(nil))
	r.Handle(lead.RescoreJob, leads.RunRescoreJob)
	r.Handle(lead.DecayJob, leads.RunDecayJob)
	r.Handle(lead.PairsJob, leads.RunPairsJob)
	r.Every(lead.PairsJob, 24*time.Hour, nil)
	r.Every(lead.DecayJob, cfg.DecayEvery, nil)
	r.Handle(lead.WordsJob, func(ctx context.Context, _ job.Job) error {
		_, err := leads.IndexWords(ctx)
		return err
	})
	r.Every(lead.WordsJob, time.Minute, nil)
	r.Handle(lead.DueSoonJob, func(ctx context.Context, _ job.Job) error {
		_, err := leads.NoticeDueSoon(ctx)
		return err
	})
	r.Every(lead.DueSoonJob, 5*time.Minute, nil)
	r.Handle(analyzeJob, func(ctx context.Context, _ job.Job) error { return cfg.DB.Analyze(ctx, "leads") })
	r.Handle(purgeJob, func(ctx context.Context, _ job.Job) error {
		_, err := job.Purge(ctx, cfg.DB.W, time.Now().Add(-keepJobs))
		return err
	})
	r.Every(purgeJob, 24*time.Hour, nil)
	r.Handle(sweepJob, func(ctx context.Context, _ job.Job) error {
		now := time.Now()
		_, err := users.PurgeExpiredSessions(ctx, now)
		if err == nil {
			_, err = users.PurgeLoginAttempts(ctx, now)
		}
		if t, ok := limiter.(*ratelimit.Table); ok && err == nil {
			_, err = t.PurgeIdle(ctx, now)
		}
		return err
	})
	r.Every(sweepJob, time.Hour, nil)
	if cfg.DB.Dialect == sqldb.Postgres {
		r.Handle(report.FoldJob, func(ctx context.Context, _ job.Job) error {
			_, err := reports.Fold(ctx)
			return err
		})
		r.Every(report.FoldJob, time.Minute, nil)
	}
	if cfg.DB.Dialect == sqldb.SQLite {
		if _, _, err := job.Enqueue(context.Background(), cfg.DB.W, analyzeJob, nil, job.EnqueueOptions{MaxAttempts: 1}); err != nil {
			cfg.Log.Error("enqueue planner statistics", "err", err)
		}
	}
}

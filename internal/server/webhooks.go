package server

import (
	"time"

	"leadflow/internal/job"
	"leadflow/internal/webhook"
)

// registerWebhooks gives the runner the dispatch job, run every
// webhook.DispatchEvery across instances and woken after requests that
// may change something (wakeSegments), the delivery job, and the daily
// purge of the delivery log.
func registerWebhooks(r *job.Runner, hooks *webhook.Service) {
	hooks.Jobs = r
	r.Handle(webhook.DispatchJob, hooks.Dispatch)
	r.Handle(webhook.DeliverJob, hooks.Deliver)
	r.Every(webhook.DispatchJob, webhook.DispatchEvery, nil)
	r.Handle(webhook.PurgeJob, hooks.Purge)
	r.Every(webhook.PurgeJob, 24*time.Hour, nil)
}

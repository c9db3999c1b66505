package server

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"leadflow/internal/accountscore"
	"leadflow/internal/job"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
	"leadflow/internal/webhook"
)

// registerSegments gives the runner the segment membership job, run every
// segment.Every across instances and woken by saves and by requests that
// may change leads (wakeSegments).
func registerSegments(r *job.Runner, segments *segment.Service, db *sqldb.DB) {
	segments.Jobs = r
	r.Handle(segment.JobKind, segment.NewSyncer(db).Handler)
	r.Every(segment.JobKind, segment.Every, nil)
}

// wakeSegments starts the membership job, the account score job and the webhooks' dispatch, after a request that may have
// written a lead or an event (any but GET and HEAD, and the tracking
// endpoints), at most once a second per instance, so segments follow a
// change within moments rather than at the job's next period. The
// enqueue runs after the answer, on a goroutine of its own.
func wakeSegments(r *job.Runner, next http.Handler) http.Handler {
	var last atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req)
		if (req.Method == http.MethodGet || req.Method == http.MethodHead) && !strings.HasPrefix(req.URL.Path, "/t/") {
			return
		}
		now := time.Now().UnixMilli()
		prev := last.Load()
		if now-prev < 1000 || !last.CompareAndSwap(prev, now) {
			return
		}
		go func() { // a failure waits for the next period
			ctx := context.WithoutCancel(req.Context())
			accountscore.Wake(ctx, r)
			segment.Wake(ctx, r)
			webhook.Wake(ctx, r)
		}()
	})
}

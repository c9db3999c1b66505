package webhook_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtest"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/webhook"
)

// received is one message a receiver took, with whether its signature
// held.
type received struct {
	id, typ string
	valid   bool
	lead    map[string]any
}

// receiver is a real HTTP endpoint that checks each message's signature
// with the subscription's secret, as a receiver following the Standard
// Webhooks specification does, and answers what answer says.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	got    []received
	answer func(n int) (status int, delay time.Duration)
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: func(int) (int, time.Duration) { return http.StatusOK, 0 }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret := r.secret
		err := webhook.Verify(secret, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body, time.Now())
		var m struct {
			Type string `json:"type"`
			Data struct {
				Lead map[string]any `json:"lead"`
			} `json:"data"`
		}
		json.Unmarshal(body, &m)
		r.got = append(r.got, received{id: req.Header.Get("webhook-id"), typ: m.Type, valid: err == nil, lead: m.Data.Lead})
		status, delay := r.answer(len(r.got))
		r.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
		}
		w.WriteHeader(status)
		w.Write([]byte("answer " + http.StatusText(status)))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitFor polls until cond holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type env struct {
	db    *sqldb.DB
	leads *lead.Service
	hooks *webhook.Service
	jobs  *job.Runner
}

// timeout is how long the tests' deliveries wait for an answer: long
// enough that a loaded machine's stall is not taken for a receiver that
// did not answer, which would add attempts the tests count.
const timeout = 2 * time.Second

// start runs the dispatch and delivery jobs on a real runner, with quick
// retries so that a test sees several attempts.
func start(t *testing.T, db *sqldb.DB, setup ...func(*job.Runner, *webhook.Service)) env {
	leads := lead.NewService(db)
	hooks := webhook.NewService(db, leads)
	hooks.Retry = func(int) time.Duration { return 10 * time.Millisecond }
	hooks.Timeout = timeout
	r := job.NewRunner(db, job.Options{Poll: 20 * time.Millisecond, Workers: 2})
	r.Handle(webhook.DispatchJob, hooks.Dispatch)
	r.Handle(webhook.DeliverJob, hooks.Deliver)
	hooks.Jobs = r
	for _, fn := range setup {
		fn(r, hooks)
	}
	r.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
	return env{db: db, leads: leads, hooks: hooks, jobs: r}
}

// dispatch runs the dispatch job now and waits for it.
func (e env) dispatch(t *testing.T) {
	t.Helper()
	id, err := webhook.Wake(context.Background(), e.jobs)
	if err != nil {
		t.Fatal(err)
	}
	// A second wake in the same second returns the finished job: enqueue
	// one of our own then.
	j, err := job.Get(context.Background(), e.db.R, id)
	if err == nil && j.State == job.Done {
		id, err = e.jobs.Enqueue(context.Background(), webhook.DispatchJob, nil, job.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := job.Wait(ctx, e.db.R, id); err != nil {
		t.Fatal(err)
	}
}

func subscribe(t *testing.T, e env, url string, events ...string) webhook.Subscription {
	t.Helper()
	allow := true
	sub, err := e.hooks.Create(context.Background(), access.System, webhook.Patch{URL: &url, Events: events, AllowPrivate: &allow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("secret %q does not start with whsec_", sub.Secret)
	}
	return sub
}

func sameSet(got []string, want ...string) bool {
	got = slices.Clone(got)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func types(ms []received) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.typ)
	}
	return out
}

// TestSignedEvents: a lead created and moved to MQL reaches the
// receiver as lead.created, then lead.stage_changed and lead.mql, each
// signed with the subscription's secret and carrying the lead; events
// the subscription did not ask for do not come; the delivery log shows
// each message delivered with the receiver's answer; a redelivery comes
// with the same webhook-id.
func TestSignedEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		ctx := context.Background()
		rcv := newReceiver(t)
		sub := subscribe(t, e, rcv.URL+"/hooks", "lead.created", "lead.stage_changed", "lead.mql")
		rcv.secret = sub.Secret

		l, err := e.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "ada@example.com", lead.FCompany: "Analytical Engines"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.leads.Update(ctx, access.System, l.ID, lead.Changes{lead.FStage: "mql"}); err != nil {
			t.Fatal(err)
		}
		e.dispatch(t)
		waitFor(t, "three messages", func() bool { return len(rcv.messages()) >= 3 })
		got := rcv.messages()
		// Messages are sent side by side, so in any order.
		if got := types(got); !sameSet(got, "lead.created", "lead.stage_changed", "lead.mql") {
			t.Errorf("received %v, want lead.created, lead.stage_changed, lead.mql", got)
		}
		for _, m := range got {
			if !m.valid {
				t.Errorf("%s (%s): the signature does not verify with the subscription's secret", m.typ, m.id)
			}
			if m.lead["email"] != "ada@example.com" || m.lead["stage"] != "mql" {
				t.Errorf("%s carries lead %v", m.typ, m.lead)
			}
		}
		if got[0].id == got[1].id || got[1].id == got[2].id || !strings.HasPrefix(got[0].id, "msg_") {
			t.Errorf("webhook-ids %q and %q: want distinct msg_ ids", got[0].id, got[1].id)
		}
		// Another secret does not verify the same message.
		if err := webhook.Verify(webhook.NewSecret(), "msg_x", "1", "v1,abc", []byte("{}"), time.Unix(1, 0)); err == nil {
			t.Error("a message verified with the wrong secret")
		}

		var log []webhook.Delivery
		waitFor(t, "the log to show three delivered", func() bool {
			log, err = e.hooks.Deliveries(ctx, access.System, sub.ID, 10)
			n := 0
			for _, d := range log {
				if d.Status == webhook.Delivered {
					n++
				}
			}
			return err == nil && n == 3
		})
		for _, d := range log {
			if len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 || d.Attempts[0].Response != "answer OK" {
				t.Errorf("delivery %d (%s): attempts %+v", d.ID, d.Event, d.Attempts)
			}
		}
		if _, err := e.hooks.Redeliver(ctx, access.System, log[0].ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the redelivery", func() bool { return len(rcv.messages()) == 4 })
		if again := rcv.messages()[3]; again.id != log[0].MsgID || !again.valid {
			t.Errorf("redelivered as %q (valid %v), want the same id %q", again.id, again.valid, log[0].MsgID)
		}
		// A test message, whatever the events asked for, signed alike.
		if _, err := e.hooks.SendTest(ctx, access.System, sub.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the test message", func() bool { return len(rcv.messages()) == 5 })
		if m := rcv.messages()[4]; m.typ != webhook.TestEvent || !m.valid {
			t.Errorf("test message %+v", m)
		}
		// Only admins manage webhooks.
		if _, err := e.hooks.List(ctx, access.Actor{ID: 9, Role: access.Marketing}); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("marketing lists webhooks: %v", err)
		}
	})
}

// TestRetriesUntilTheReceiverRecovers: the receiver fails, then takes
// longer than allowed, then answers; the message is tried three times
// with the same webhook-id, the log shows each attempt, and the
// subscription's failures go back to zero.
func TestRetriesUntilTheReceiverRecovers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		ctx := context.Background()
		rcv := newReceiver(t)
		rcv.answer = func(n int) (int, time.Duration) {
			switch n {
			case 1:
				return http.StatusInternalServerError, 0
			case 2:
				return http.StatusOK, time.Minute // past the time allowed; the receiver stops when the sender hangs up
			}
			return http.StatusNoContent, 0
		}
		sub := subscribe(t, e, rcv.URL, "lead.created")
		rcv.secret = sub.Secret
		if _, err := e.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "grace@example.com"}); err != nil {
			t.Fatal(err)
		}
		e.dispatch(t)
		var log []webhook.Delivery
		waitFor(t, "the delivery", func() bool {
			log, _ = e.hooks.Deliveries(ctx, access.System, sub.ID, 10)
			return len(log) == 1 && log[0].Status == webhook.Delivered
		})
		got := rcv.messages()
		if len(got) != 3 || got[0].id != got[2].id || got[1].id != got[2].id {
			t.Fatalf("received %+v, want the same message three times", got)
		}
		at := log[0].Attempts // newest first
		if len(at) != 3 || at[2].StatusCode != 500 || at[1].StatusCode != 0 || !strings.Contains(at[1].Error, "no answer") || at[0].StatusCode != 204 {
			t.Errorf("attempts %+v, want 500, a time-out, 204", at)
		}
		if at[1].Latency < timeout*8/10 {
			t.Errorf("the time-out took %v", at[1].Latency)
		}
		s, _ := e.hooks.Get(ctx, access.System, sub.ID)
		if s.Failures != 0 || !s.Active() {
			t.Errorf("after recovery: failures %d, active %v", s.Failures, s.Active())
		}
	})
}

// TestDisablesAfterRepeatedFailures: a receiver that always fails
// disables its subscription after DisableAfter attempts in a row, with a
// reason and an audit entry; the change feed then stops, and an admin
// re-enabling it starts again from zero failures.
func TestDisablesAfterRepeatedFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		smtp := mailtest.Start(t)
		e := start(t, db, func(r *job.Runner, hooks *webhook.Service) {
			outbox := mail.NewOutbox(db, mail.Config{Host: smtp.Host, Port: smtp.Port, Username: mailtest.User, Password: mailtest.Password,
				Security: mail.StartTLS, From: "leadflow <crm@acme.example>", BaseURL: "https://crm.acme.example",
				TLS: &tls.Config{RootCAs: smtp.RootCAs, ServerName: "127.0.0.1"}})
			outbox.Jobs, hooks.Mail = r, outbox
			r.Handle(mail.JobKind, outbox.Handler)
		})
		users := user.NewService(db)
		for _, u := range []user.Input{{Email: "ops@acme.example", Role: access.Admin}, {Email: "mia@acme.example", Role: access.Marketing}, {Email: "ioana@acme.example", Role: access.Admin}} {
			u.Password = "correct horse battery"
			made, err := users.Create(context.Background(), access.System, u)
			if err != nil {
				t.Fatal(err)
			}
			if u.Email == "ioana@acme.example" {
				if err := users.SetLanguage(context.Background(), made.Actor(), "ro"); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.hooks.DisableAfter = 3
		ctx := context.Background()
		rcv := newReceiver(t)
		rcv.answer = func(int) (int, time.Duration) { return http.StatusServiceUnavailable, 0 }
		sub := subscribe(t, e, rcv.URL, "lead.created")
		rcv.secret = sub.Secret
		for _, m := range []string{"a@example.com", "b@example.com"} {
			if _, err := e.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: m}); err != nil {
				t.Fatal(err)
			}
		}
		e.dispatch(t)
		var s webhook.Subscription
		waitFor(t, "the subscription to disable itself", func() bool {
			s, _ = e.hooks.Get(ctx, access.System, sub.ID)
			return !s.Active()
		})
		if !strings.Contains(s.DisabledReason, "3 failed attempts in a row") || !strings.Contains(s.DisabledReason, "503") {
			t.Errorf("reason %q", s.DisabledReason)
		}
		var audits int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.disable' AND subject_id = ?`, sub.ID).Scan(&audits)
		if audits != 1 {
			t.Errorf("%d audit entries of the disabling", audits)
		}
		waitFor(t, "the attempts in flight to end", func() bool {
			var running int
			db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'running'`, webhook.DeliverJob).Scan(&running)
			return running == 0
		})
		// The runner's two workers may each have had an attempt under way
		// when the third failure disabled the subscription.
		n := len(rcv.messages())
		if n < 3 || n > 4 {
			t.Errorf("%d attempts reached the receiver, want 3 (4 with one in flight)", n)
		}
		if _, err := e.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "c@example.com"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if later := len(rcv.messages()); later != n {
			t.Errorf("%d attempts after the subscription was disabled", later-n)
		}
		var waiting int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_events`).Scan(&waiting)
		if waiting != 0 {
			t.Errorf("%d events recorded with no active subscription", waiting)
		}
		// Each admin is told by email, with the reason and the page, in
		// their language: Ioana reads Romanian.
		sent := smtp.Wait(t, 2, 10*time.Second)
		sort.Slice(sent, func(i, j int) bool { return sent[i].To[0] > sent[j].To[0] })
		if len(sent) != 2 || sent[0].To[0] != "ops@acme.example" || !strings.Contains(sent[0].Text, "3 failed attempts in a row") ||
			!strings.Contains(sent[0].Text, fmt.Sprintf("https://crm.acme.example/settings/webhooks/%d", sub.ID)) {
			t.Errorf("notice: %+v", sent)
		}
		if len(sent) == 2 && (sent[1].To[0] != "ioana@acme.example" || !strings.Contains(sent[1].Text, "dezactivat după 3 încercări eșuate la rând; ultima: answered 503") ||
			!strings.Contains(sent[1].Text, fmt.Sprintf("https://crm.acme.example/settings/webhooks/%d", sub.ID))) {
			t.Errorf("the Romanian admin's notice: %s", sent[1].Text)
		}
		on := true
		s, err := e.hooks.Update(ctx, access.System, sub.ID, webhook.Patch{Active: &on})
		if err != nil || !s.Active() || s.Failures != 0 || s.DisabledReason != "" {
			t.Fatalf("re-enabled: %+v %v", s, err)
		}
	})
}

// TestPrivateAddresses: an admin cannot subscribe a loopback or private
// URL without allowing it; and the guard holds when connecting, after
// DNS, for a subscription whose address turned private since.
func TestPrivateAddresses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := start(t, db)
		ctx := context.Background()
		for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/latest/meta-data"} {
			_, err := e.hooks.Create(ctx, access.System, webhook.Patch{URL: &u, Events: []string{"lead.created"}})
			if f := fault.As(err); f == nil || f.Fields["url"] == "" {
				t.Errorf("%s: %v, want the url refused", u, err)
			}
		}
		bad := "ftp://example.com/"
		_, err := e.hooks.Create(ctx, access.System, webhook.Patch{URL: &bad, Events: []string{"lead.sold"}})
		if f := fault.As(err); f == nil || f.Fields["url"] == "" || !strings.Contains(f.Fields["events"], "lead.sold") {
			t.Errorf("bad url and event: %v", err)
		}

		rcv := newReceiver(t)
		sub := subscribe(t, e, rcv.URL, "lead.created")
		// As if its name now resolved to a private address.
		if _, err := db.W.Exec(ctx, `UPDATE webhooks SET allow_private = 0 WHERE id = ?`, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.leads.Create(ctx, access.System, lead.Changes{lead.FEmail: "eve@example.com"}); err != nil {
			t.Fatal(err)
		}
		e.dispatch(t)
		var log []webhook.Delivery
		waitFor(t, "the refused attempt", func() bool {
			log, _ = e.hooks.Deliveries(ctx, access.System, sub.ID, 10)
			return len(log) == 1 && log[0].Status == webhook.Failed
		})
		if len(log[0].Attempts) != 1 || !strings.Contains(log[0].Attempts[0].Error, "private") {
			t.Errorf("attempts %+v, want one refused as private", log[0].Attempts)
		}
		if n := len(rcv.messages()); n != 0 {
			t.Errorf("the receiver got %d messages", n)
		}
	})
}

// TestPublicAddresses lists what the dial-time guard lets through.
func TestPublicAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1::1": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.1.1": false, "0.0.0.0": false, "::1": false, "fd00::1": false, "fe80::1": false, "::ffff:127.0.0.1": false,
		"64:ff9b::a00:1": false, "224.0.0.1": false,
	} {
		if got := webhook.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s public: %v, want %v", addr, got, want)
		}
	}
}

// TestConcurrentDispatch: two instances dispatching the same feed at
// once (on PostgreSQL each skips the events the other holds) turn each
// event into exactly one delivery.
func TestConcurrentDispatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		one, two := webhook.NewService(db, leads), webhook.NewService(db, leads)
		url := "https://hooks.example.invalid/"
		if _, err := one.Create(ctx, access.System, webhook.Patch{URL: &url, Events: []string{"lead.created"}}); err != nil {
			t.Fatal(err)
		}
		const n = 300
		for i := range n {
			if _, err := leads.Create(ctx, access.System, lead.Changes{lead.FEmail: fmt.Sprintf("p%d@example.com", i)}); err != nil {
				t.Fatal(err)
			}
		}
		errs := dbtest.Together(
			func() error { return one.Dispatch(ctx, job.Job{}) },
			func() error { return two.Dispatch(ctx, job.Job{}) },
			func() error { return one.Dispatch(ctx, job.Job{}) },
		)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var deliveries, distinct, jobs, left int
		db.R.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT payload) FROM webhook_deliveries`).Scan(&deliveries, &distinct)
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ?`, webhook.DeliverJob).Scan(&jobs)
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_events`).Scan(&left)
		if deliveries != n || distinct != n || jobs != n || left != 0 {
			t.Errorf("%d deliveries (%d distinct), %d jobs, %d events left; want %d, %d, %d, 0", deliveries, distinct, jobs, left, n, n, n)
		}
	})
}

// TestPurgeKeepsRecentAndPending: the daily purge forgets ended
// deliveries older than KeepDeliveries, with their attempts, and keeps
// recent ones and those still being tried.
func TestPurgeKeepsRecentAndPending(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		hooks := webhook.NewService(db, lead.NewService(db))
		url := "https://hooks.example.invalid/"
		sub, err := hooks.Create(ctx, access.System, webhook.Patch{URL: &url, Events: []string{"lead.created"}})
		if err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-webhook.KeepDeliveries - time.Hour).UnixMilli()
		for i, d := range []struct {
			status string
			at     int64
		}{{"delivered", old}, {"failed", old}, {"pending", old}, {"delivered", time.Now().UnixMilli()}} {
			var id int64
			if err := db.W.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, msg_id, event, payload, status, created_at, updated_at)
				VALUES (?, ?, 'lead.created', '{}', ?, ?, ?) RETURNING id`, sub.ID, fmt.Sprintf("msg_%d", i), d.status, d.at, d.at).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.W.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, webhook_id, at, status_code) VALUES (?, ?, ?, 200)`, id, sub.ID, d.at); err != nil {
				t.Fatal(err)
			}
		}
		if err := hooks.Purge(ctx, job.Job{}); err != nil {
			t.Fatal(err)
		}
		left, _ := sqldb.Column[string](ctx, db.R, `SELECT msg_id FROM webhook_deliveries ORDER BY msg_id`)
		var attempts int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
		if strings.Join(left, " ") != "msg_2 msg_3" || attempts != 2 {
			t.Errorf("left %v with %d attempts; want the old pending and the recent one, 2 attempts", left, attempts)
		}
	})
}

// TestConcurrentChanges: two admins changing one subscription at once
// both see their change kept (the row is locked between read and
// write); two redeliveries of one message at once queue it once, the
// other told it is under way.
func TestConcurrentChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		hooks := webhook.NewService(db, lead.NewService(db))
		url := "https://hooks.example.invalid/"
		sub, err := hooks.Create(ctx, access.System, webhook.Patch{URL: &url, Events: []string{"lead.created"}})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 10 {
			desc := fmt.Sprintf("round %d", round)
			events := []string{"lead.created", fmt.Sprint([]string{"lead.sql", "lead.mql"}[round%2])}
			errs := dbtest.Together(
				func() error {
					_, err := hooks.Update(ctx, access.System, sub.ID, webhook.Patch{Description: &desc})
					return err
				},
				func() error {
					_, err := hooks.Update(ctx, access.System, sub.ID, webhook.Patch{Events: events})
					return err
				},
			)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			got, _ := hooks.Get(ctx, access.System, sub.ID)
			if got.Description != desc || strings.Join(got.Events, " ") != strings.Join(events, " ") {
				t.Fatalf("round %d: %q %v; a change was lost", round, got.Description, got.Events)
			}
		}
		var delivery int64
		if err := db.W.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, msg_id, event, payload, status, created_at, updated_at)
			VALUES (?, 'msg_twice', 'lead.created', '{}', 'failed', 0, 0) RETURNING id`, sub.ID).Scan(&delivery); err != nil {
			t.Fatal(err)
		}
		errs := dbtest.Together(
			func() error { _, err := hooks.Redeliver(ctx, access.System, delivery); return err },
			func() error { _, err := hooks.Redeliver(ctx, access.System, delivery); return err },
		)
		var jobs int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ?`, webhook.DeliverJob).Scan(&jobs)
		refused := fault.CodeOf(errs[0]) == fault.Conflict || fault.CodeOf(errs[1]) == fault.Conflict
		if jobs != 1 || !refused || (errs[0] != nil && errs[1] != nil) {
			t.Errorf("two redeliveries at once: %d jobs, errors %v", jobs, errs)
		}
	})
}

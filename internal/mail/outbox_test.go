package mail_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/job"
	"leadflow/internal/mail"
	"leadflow/internal/mailtest"
	"leadflow/internal/ratelimit"
	"leadflow/internal/sqldb"
)

func config(s *mailtest.Server) mail.Config {
	return mail.Config{Host: s.Host, Port: s.Port, Username: mailtest.User, Password: mailtest.Password,
		Security: mail.StartTLS, From: "Acme Sales <sales@acme.example>", ReplyTo: "team@acme.example",
		BaseURL: "https://crm.acme.example", TLS: &tls.Config{RootCAs: s.RootCAs, ServerName: "127.0.0.1"}}
}

// runner starts a job runner that retries at once, so that a retried
// message is seen without waiting for the real back-off.
func runner(t *testing.T, db *sqldb.DB, o *mail.Outbox) *job.Runner {
	r := job.NewRunner(db, job.Options{Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	r.Handle(mail.JobKind, o.Handler)
	o.Jobs = r
	r.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
	return r
}

func queue(t *testing.T, db *sqldb.DB, o *mail.Outbox, m mail.Message) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		var err error
		id, err = o.Queue(context.Background(), tx, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Wake()
	return id
}

func status(t *testing.T, o *mail.Outbox, id int64) mail.Stored {
	t.Helper()
	ms, err := o.List(context.Background(), access.Actor{ID: 1, Role: access.Admin}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d not in the outbox", id)
	return mail.Stored{}
}

func waitStatus(t *testing.T, o *mail.Outbox, id int64, want string) mail.Stored {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := status(t, o, id)
		if m.Status == want {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is %s (%s), want %s", id, m.Status, m.Error, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOutboxDeliversOverSTARTTLSWithAuth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := mailtest.Start(t)
		o := mail.NewOutbox(db, config(s))
		runner(t, db, o)
		id := queue(t, db, o, mail.Message{Kind: "test", To: "ana.popescu@example.ro", Subject: "Confirmați abonarea",
			Text: "Bună ziua, Ștefan!\nhttps://crm.acme.example/c/x", HTML: "<p>Bună ziua, <b>Ștefan</b>!</p>"})
		got := s.Wait(t, 1, 10*time.Second)[0]
		stored := waitStatus(t, o, id, mail.Sent)
		if got.To[0] != "ana.popescu@example.ro" || got.From != "sales@acme.example" {
			t.Errorf("envelope %s -> %v", got.From, got.To)
		}
		if h := got.Header.Get("Message-Id"); h != "<"+stored.MessageID+">" {
			t.Errorf("Message-ID %q, stored %q", h, stored.MessageID)
		}
		dec := new(mimeDecoder)
		if subj := dec.header(t, got.Header.Get("Subject")); subj != "Confirmați abonarea" {
			t.Errorf("subject %q", subj)
		}
		if !strings.Contains(got.Header.Get("From"), "sales@acme.example") || !strings.Contains(got.Header.Get("Reply-To"), "team@acme.example") {
			t.Errorf("From %q, Reply-To %q", got.Header.Get("From"), got.Header.Get("Reply-To"))
		}
		if !strings.Contains(got.Text, "Bună ziua, Ștefan!") || !strings.Contains(got.HTML, "<b>Ștefan</b>") {
			t.Errorf("parts: text %q html %q", got.Text, got.HTML)
		}
		if stored.SentAt.IsZero() || stored.Attempts != 1 {
			t.Errorf("stored %+v", stored)
		}
	})
}

func TestOutboxRetriesATemporaryFailureAndBouncesARefusedAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := mailtest.Start(t)
		o := mail.NewOutbox(db, config(s))
		runner(t, db, o)
		s.Refuse("busy@example.com", 451, 2)
		s.Refuse("nobody@example.com", 550, -1)
		busy := queue(t, db, o, mail.Message{Kind: "test", To: "busy@example.com", Subject: "s", Text: "t"})
		gone := queue(t, db, o, mail.Message{Kind: "test", To: "nobody@example.com", Subject: "s", Text: "t"})
		m := waitStatus(t, o, busy, mail.Sent)
		if m.Attempts != 3 {
			t.Errorf("busy: %d attempts, want 3 (two refusals, then delivered)", m.Attempts)
		}
		b := waitStatus(t, o, gone, mail.Bounced)
		if b.Attempts != 1 || !strings.Contains(b.Error, "550") {
			t.Errorf("bounced after %d attempts with %q; want 1 attempt and the server's 550", b.Attempts, b.Error)
		}
		if n := len(s.Messages()); n != 1 {
			t.Errorf("%d messages arrived, want 1", n)
		}
	})
}

func TestOutboxWithWrongPasswordFailsAndSaysWhy(t *testing.T) {
	db := dbtest.SQLite(t)
	s := mailtest.Start(t)
	cfg := config(s)
	cfg.Password = "wrong"
	o := mail.NewOutbox(db, cfg)
	runner(t, db, o)
	id := queue(t, db, o, mail.Message{Kind: "test", To: "a@example.com", Subject: "s", Text: "t"})
	m := waitStatus(t, o, id, mail.Failed)
	if !strings.Contains(m.Error, "535") {
		t.Errorf("error %q does not give the server's answer", m.Error)
	}
}

func TestOutboxQueuesOnceByKeyAndNothingWhenNotConfigured(t *testing.T) {
	db := dbtest.SQLite(t)
	s := mailtest.Start(t)
	o := mail.NewOutbox(db, config(s))
	m := mail.Message{Kind: "test", To: "a@example.com", Subject: "s", Text: "t", Key: "once"}
	if a, b := queue(t, db, o, m), queue(t, db, o, m); a != b {
		t.Errorf("the same key made messages %d and %d", a, b)
	}
	off := mail.NewOutbox(db, mail.Config{})
	err := db.InTx(context.Background(), func(tx *sqldb.Tx) error {
		_, err := off.Queue(context.Background(), tx, mail.Message{Kind: "test", To: "b@example.com", Subject: "s", Text: "t"})
		return err
	})
	if err != mail.ErrNotConfigured {
		t.Fatalf("queue without SMTP: %v, want ErrNotConfigured", err)
	}
	var n int
	db.R.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox`).Scan(&n)
	if n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

func TestFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := mail.FromEnv(env())
	if err != nil || c.Configured() {
		t.Errorf("no settings: %+v, %v; want email off, no error", c, err)
	}
	c, err = mail.FromEnv(env(mail.EnvHost, "smtp.example.com", mail.EnvFrom, "Sales <s@example.com>"))
	if err != nil || c.Port != 587 || c.Security != mail.StartTLS {
		t.Errorf("defaults: %+v, %v; want port 587 with STARTTLS", c, err)
	}
	c, err = mail.FromEnv(env(mail.EnvHost, "smtp.example.com", mail.EnvFrom, "s@example.com", mail.EnvSecurity, "TLS"))
	if err != nil || c.Port != 465 {
		t.Errorf("implicit TLS: %+v, %v; want port 465", c, err)
	}
	for _, bad := range [][]string{
		{mail.EnvHost, "smtp.example.com"},
		{mail.EnvHost, "smtp.example.com", mail.EnvFrom, "not an address"},
		{mail.EnvHost, "smtp.example.com", mail.EnvFrom, "s@example.com", mail.EnvPort, "99999"},
		{mail.EnvHost, "smtp.example.com", mail.EnvFrom, "s@example.com", mail.EnvSecurity, "ssl3"},
		{mail.EnvBaseURL, "crm.example.com"},
	} {
		if _, err := mail.FromEnv(env(bad...)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

// A domain over its limit gets the rest later, without the waiting
// messages using up their attempts; other domains are not held up.
func TestOutboxLimitsEachDomainWithoutFailingTheRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := mailtest.Start(t)
		o := mail.NewOutbox(db, config(s))
		o.PerDomain = ratelimit.For(db, 2, 2)
		runner(t, db, o)
		var ids []int64
		for i := 0; i < 5; i++ {
			ids = append(ids, queue(t, db, o, mail.Message{Kind: "test", To: fmt.Sprintf("p%d@big.example", i), Subject: "s", Text: "t"}))
		}
		other := queue(t, db, o, mail.Message{Kind: "test", To: "x@small.example", Subject: "s", Text: "t"})
		waitStatus(t, o, other, mail.Sent)
		// The burst leaves at once; its statuses are written just after
		// the server takes the messages.
		var sent int
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			sent = 0
			for _, id := range ids {
				if status(t, o, id).Status == mail.Sent {
					sent++
				}
			}
			if sent >= 2 || time.Now().After(deadline) {
				break
			}
		}
		time.Sleep(300 * time.Millisecond) // time for a third, were the limit not kept
		sent = 0
		for _, id := range ids {
			m := status(t, o, id)
			switch m.Status {
			case mail.Sent:
				sent++
			case mail.Queued:
				if m.Attempts != 0 || m.Error != "" {
					t.Errorf("a waiting message counts %d attempts (%q)", m.Attempts, m.Error)
				}
			default:
				t.Errorf("message %d is %s (%s)", id, m.Status, m.Error)
			}
		}
		if sent != 2 || len(s.Messages()) != 3 {
			t.Errorf("%d messages to big.example left at once (%d arrived in all), want the burst of 2 (and the other domain's)", sent, len(s.Messages()))
		}
		var attempt int
		var state string
		db.R.QueryRow(context.Background(), `SELECT attempt, state FROM jobs WHERE unique_key = ?`, fmt.Sprintf("mail:%d", ids[4])).Scan(&attempt, &state)
		if state != "available" || attempt != 0 {
			t.Errorf("the waiting message's job is %s at attempt %d; want available, no attempt used", state, attempt)
		}
	})
}

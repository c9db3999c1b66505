package nurture_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtest"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
	"leadflow/internal/scoring"
	"leadflow/internal/segment"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/usertest"
)

// env is nurturing over a real database, a real SMTP server on loopback
// and a job runner that delivers, with a clock the test moves.
type env struct {
	db    *sqldb.DB
	leads *lead.Service
	svc   *nurture.Service
	smtp  *mailtest.Server
	web   *httptest.Server
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var marketer = access.Actor{ID: 0, Email: "mia@example.com", Role: access.Marketing}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	s := mailtest.Start(t)
	cfg := mail.Config{Host: s.Host, Port: s.Port, Username: mailtest.User, Password: mailtest.Password, Security: mail.StartTLS,
		From: "Acme <news@acme.example>", BaseURL: "https://crm.acme.example", TLS: &tls.Config{RootCAs: s.RootCAs, ServerName: "127.0.0.1"}}
	return newEnvWith(t, db, s, cfg)
}

func newEnvWith(t *testing.T, db *sqldb.DB, s *mailtest.Server, cfg mail.Config) *env {
	t.Helper()
	leads := lead.NewService(db)
	outbox := mail.NewOutbox(db, cfg)
	svc := nurture.NewService(db, leads, outbox, tracking.NewService(db))
	outbox.OnBounce = svc.Bounced
	c := &clock{t: time.Now().UTC()}
	svc.SetClock(c.now)
	leads.SetClock(c.now) // one clock: the lead service stamps what nurturing records
	r := job.NewRunner(db, job.Options{Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	r.Handle(mail.JobKind, outbox.Handler)
	outbox.Jobs = r
	r.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
	web := httptest.NewServer(svc.PublicHandler())
	t.Cleanup(web.Close)
	return &env{db: db, leads: leads, svc: svc, smtp: s, web: web, clock: c}
}

func (e *env) lead(t *testing.T, c lead.Changes) lead.Lead {
	t.Helper()
	l, err := e.leads.Create(context.Background(), access.System, c)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (e *env) template(t *testing.T, name, subject, html, text string) int64 {
	t.Helper()
	tpl, err := e.svc.SaveTemplate(context.Background(), marketer, mailtmpl.Template{Name: name, Subject: subject, HTML: html, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return tpl.ID
}

func (e *env) sequence(t *testing.T, q nurture.Sequence) nurture.Sequence {
	t.Helper()
	if q.Status == "" {
		q.Status = nurture.Active
	}
	q, err := e.svc.SaveSequence(context.Background(), marketer, q)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func (e *env) run(t *testing.T) int {
	t.Helper()
	n, err := e.svc.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) enrolment(t *testing.T, leadID int64) nurture.Enrolment {
	t.Helper()
	es, err := e.svc.LeadEnrolments(context.Background(), access.System, leadID)
	if err != nil || len(es) == 0 {
		t.Fatalf("enrolments of lead %d: %v %v", leadID, es, err)
	}
	return es[0]
}

func (e *env) outboxCount(t *testing.T) int {
	var n int
	e.db.R.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox`).Scan(&n)
	return n
}

var clickLink = regexp.MustCompile(`href="(https://crm\.acme\.example/e/c/[^"]+)"`)

func TestSequenceSendsItsStepsWithMergeFieldsAndUnsubscribeHeaders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		welcome := e.template(t, "Welcome", "Bună, {{first_name|there}}!",
			`<p>Hello {{first_name}} from {{company|your team}}, see <a href="https://acme.example/guide?x=1&amp;y=2">the guide</a>.</p><script>alert(1)</script>`, "")
		follow := e.template(t, "Follow-up", "Still there?", "", "Hi {{first_name|there}}, {{owner_name|our team}} here.")
		seq := e.sequence(t, nurture.Sequence{Name: "Onboarding", Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: welcome},
			{Kind: nurture.StepWait, Days: 2},
			{Kind: nurture.StepEmail, TemplateID: follow},
		}})
		l := e.lead(t, lead.Changes{lead.FEmail: "ioana@example.ro", lead.FFirstName: "Ioana", lead.FConsent: "true"})
		if _, made, err := e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test"); err != nil || !made {
			t.Fatalf("enrol: %v %v", made, err)
		}
		e.run(t)
		m := e.smtp.Wait(t, 1, 10*time.Second)[0]
		dec := new(mimeWords)
		if got := dec.decode(t, m.Header.Get("Subject")); got != "Bună, Ioana!" {
			t.Errorf("subject %q", got)
		}
		if !strings.Contains(m.HTML, "Hello Ioana from your team") || strings.Contains(m.HTML, "<script") {
			t.Errorf("HTML part: %q", m.HTML)
		}
		if !strings.Contains(m.Text, "Hello Ioana from your team") || !strings.Contains(m.Text, "/u/") {
			t.Errorf("text part: %q", m.Text)
		}
		unsub := m.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<https://crm.acme.example/u/") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("unsubscribe headers: %q / %q", unsub, m.Header.Get("List-Unsubscribe-Post"))
		}
		if en := e.enrolment(t, l.ID); en.Step != 1 || en.Status != nurture.EnrolActive || !en.NextAt.After(e.clock.now().Add(47*time.Hour)) {
			t.Fatalf("after the first email: step index %d (%s) until %v; want waiting two days at the wait (index 1)", en.Step, en.Status, en.NextAt)
		}

		// Nothing more until the wait is over; then the follow-up.
		e.clock.add(47 * time.Hour)
		e.run(t)
		e.clock.add(2 * time.Hour)
		e.run(t)
		ms := e.smtp.Wait(t, 2, 10*time.Second)
		if len(ms) != 2 || !strings.Contains(ms[1].Text, "Hi Ioana, our team here.") {
			t.Fatalf("%d messages; second %q", len(ms), ms[len(ms)-1].Text)
		}
		if en := e.enrolment(t, l.ID); en.Status != nurture.EnrolCompleted {
			t.Errorf("after the last step: %s", en.Status)
		}

		// The click link goes where the email pointed, and nowhere else.
		link := clickLink.FindStringSubmatch(m.HTML)
		if link == nil {
			t.Fatalf("no click link in %q", m.HTML)
		}
		target := strings.ReplaceAll(strings.Replace(link[1], "https://crm.acme.example", e.web.URL, 1), "&amp;", "&")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://acme.example/guide?x=1&y=2" {
			t.Errorf("click: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		u, _ := url.Parse(target)
		q := u.Query()
		q.Set("u", "https://evil.example/")
		u.RawQuery = q.Encode()
		if resp, err = client.Get(u.String()); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("redirect to another address: %d, want 400", resp.StatusCode)
		}
		evs, _ := e.leads.Events(context.Background(), l.ID, 50)
		if !hasEvent(evs, "email_click") || !hasEvent(evs, "email_open") {
			t.Errorf("engagement events: %v", evs)
		}
	})
}

func hasEvent(evs []lead.Event, typ string) bool {
	for _, ev := range evs {
		if ev.Type == typ {
			return true
		}
	}
	return false
}

func TestNoConsentNoEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		tpl := e.template(t, "News", "News", "", "Hello")
		seq := e.sequence(t, nurture.Sequence{Name: "News", Steps: []nurture.Step{{Kind: nurture.StepEmail, TemplateID: tpl}}})
		l := e.lead(t, lead.Changes{lead.FEmail: "no.consent@example.com"})
		e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test")
		e.run(t)
		if en := e.enrolment(t, l.ID); en.Status != nurture.EnrolActive || !en.NextAt.After(e.clock.now()) {
			t.Errorf("without consent: %s, next %v; want waiting for consent", en.Status, en.NextAt)
		}
		e.clock.add(lead.ConfirmWithin + time.Hour)
		e.run(t)
		if en := e.enrolment(t, l.ID); en.Status != nurture.EnrolExited || en.ExitReason != nurture.ExitNoConsent {
			t.Errorf("after the wait for consent: %s (%s)", en.Status, en.ExitReason)
		}
		if n := e.outboxCount(t); n != 0 {
			t.Errorf("%d emails queued for a lead without consent", n)
		}
	})
}

func TestOneClickUnsubscribeStopsTheSequenceAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		tpl := e.template(t, "News", "News", "<p>Hello</p>", "")
		seq := e.sequence(t, nurture.Sequence{Name: "Monthly news", Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: tpl}, {Kind: nurture.StepWait, Days: 1}, {Kind: nurture.StepEmail, TemplateID: tpl}}})
		other := e.sequence(t, nurture.Sequence{Name: "Webinars", Steps: []nurture.Step{{Kind: nurture.StepWait, Days: 3}, {Kind: nurture.StepEmail, TemplateID: tpl}}})
		l := e.lead(t, lead.Changes{lead.FEmail: "Lars@Example.no", lead.FConsent: "true"})
		e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test")
		e.svc.Enrol(context.Background(), marketer, other.ID, l.ID, "test")
		e.run(t)
		m := e.smtp.Wait(t, 1, 10*time.Second)[0]
		unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
		unsub = strings.Replace(unsub, "https://crm.acme.example", e.web.URL, 1)

		before, _ := e.leads.Get(context.Background(), access.System, l.ID)
		// What a mail client sends for RFC 8058 one-click.
		resp, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
		}
		for _, id := range []int64{seq.ID, other.ID} {
			es, _ := e.svc.SequenceEnrolments(context.Background(), id, 10)
			if es[0].Status != nurture.EnrolExited || es[0].ExitReason != nurture.ExitUnsubscribed {
				t.Errorf("sequence %d after unsubscribe: %s (%s)", id, es[0].Status, es[0].ExitReason)
			}
		}
		got, _ := e.leads.Get(context.Background(), access.System, l.ID)
		hist, _ := e.leads.ConsentHistory(context.Background(), access.System, l.ID)
		if got.Consent || hist[0].Action != lead.ConsentWithdrawn || hist[0].Source != "unsubscribe link" {
			t.Errorf("consent %v, history %+v", got.Consent, hist[0])
		}
		if got.Score >= before.Score {
			t.Errorf("score %d after unsubscribing, %d before; the default rules count an unsubscribe against the lead", got.Score, before.Score)
		}
		// Final: a new enrolment of the address sends nothing.
		third := e.sequence(t, nurture.Sequence{Name: "Later", Steps: []nurture.Step{{Kind: nurture.StepEmail, TemplateID: tpl}}})
		e.leads.Update(context.Background(), access.System, l.ID, lead.Changes{lead.FConsent: "true"})
		e.svc.Enrol(context.Background(), marketer, third.ID, l.ID, "test")
		e.clock.add(48 * time.Hour)
		e.run(t)
		time.Sleep(300 * time.Millisecond)
		if n := len(e.smtp.Messages()); n != 1 {
			t.Errorf("%d messages arrived; want only the one before the unsubscribe", n)
		}
	})
}

// Several instances working the same due enrolments at once, and one
// stopped halfway and started again, send each step once.
func TestConcurrentAndRestartedRunsSendEachStepOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		tpl := e.template(t, "News", "News", "", "Hello {{first_name}}")
		seq := e.sequence(t, nurture.Sequence{Name: "News", Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: tpl}, {Kind: nurture.StepWait, Hours: 1}, {Kind: nurture.StepEmail, TemplateID: tpl}}})
		const n = 40
		for i := 0; i < n; i++ {
			l := e.lead(t, lead.Changes{lead.FEmail: fmt.Sprintf("p%d@example.com", i), lead.FFirstName: fmt.Sprint("P", i), lead.FConsent: "true"})
			if _, _, err := e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test"); err != nil {
				t.Fatalf("enrol %d: %v", i, err)
			}
		}
		// An instance stopped in the middle of its run...
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(5 * time.Millisecond); cancel() }()
		e.svc.RunDue(ctx)
		// ...and three more at once, one of them a fresh process.
		fresh := nurture.NewService(db, e.leads, mail.NewOutbox(db, mail.Config{Host: e.smtp.Host, Port: e.smtp.Port, From: "x@acme.example"}), tracking.NewService(db))
		fresh.SetClock(e.clock.now)
		errs := dbtest.Together(
			func() error { _, err := e.svc.RunDue(context.Background()); return err },
			func() error { _, err := e.svc.RunDue(context.Background()); return err },
			func() error { _, err := fresh.RunDue(context.Background()); return err })
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// The stopped instance's transaction may hold its enrolments'
		// locks until PostgreSQL notices the dropped connection; the runs
		// skip locked enrolments, and the next tick takes them.
		tick := func(want int) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				var queued int
				db.R.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox`).Scan(&queued)
				if queued >= want || time.Now().After(deadline) {
					return
				}
				time.Sleep(50 * time.Millisecond)
				if _, err := e.svc.RunDue(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		}
		tick(n)
		e.clock.add(2 * time.Hour)
		for _, err := range dbtest.Together(
			func() error { _, err := e.svc.RunDue(context.Background()); return err },
			func() error { _, err := fresh.RunDue(context.Background()); return err }) {
			if err != nil {
				t.Fatal(err)
			}
		}
		tick(2 * n)
		var total, distinct int
		db.R.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT to_addr || ':' || step) FROM mail_outbox`).Scan(&total, &distinct)
		if total != 2*n || distinct != 2*n {
			t.Errorf("%d emails queued, %d distinct (lead, step); want %d of each", total, distinct, 2*n)
		}
		e.smtp.Wait(t, 2*n, 30*time.Second)
		time.Sleep(200 * time.Millisecond)
		if got := len(e.smtp.Messages()); got != 2*n {
			t.Errorf("%d messages arrived, want %d", got, 2*n)
		}
	})
}

func TestBounceEndsTheSequenceAndCountsAgainstTheLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		tpl := e.template(t, "News", "News", "", "Hello")
		seq := e.sequence(t, nurture.Sequence{Name: "News", Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: tpl}, {Kind: nurture.StepWait, Hours: 1}, {Kind: nurture.StepEmail, TemplateID: tpl}}})
		e.smtp.Refuse("gone@example.com", 550, -1)
		l := e.lead(t, lead.Changes{lead.FEmail: "gone@example.com", lead.FConsent: "true"})
		e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test")
		e.run(t)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if r, _ := mail.Suppressed(context.Background(), db.R, "GONE@example.com"); r == mail.Bounced {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the refused address was not suppressed")
			}
			time.Sleep(20 * time.Millisecond)
		}
		e.clock.add(2 * time.Hour)
		e.run(t)
		if en := e.enrolment(t, l.ID); en.Status != nurture.EnrolExited || en.ExitReason != nurture.ExitBounced {
			t.Errorf("after the bounce: %s (%s)", en.Status, en.ExitReason)
		}
		// The event is recorded by the delivery job just after it
		// suppresses the address.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			evs, _ := e.leads.Events(context.Background(), l.ID, 50)
			if hasEvent(evs, "email_bounce") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no email_bounce event: %v", evs)
			}
		}
		if n := e.outboxCount(t); n != 1 {
			t.Errorf("%d emails queued; want the one that bounced", n)
		}
	})
}

func TestBranchOnOpenAndWaitUntilInTheLeadsZone(t *testing.T) {
	db := dbtest.SQLite(t)
	e := newEnv(t, db)
	a := e.template(t, "A", "A", "<p>A</p>", "")
	b := e.template(t, "B", "B", "", "opened")
	c := e.template(t, "C", "C", "", "not opened")
	seq := e.sequence(t, nurture.Sequence{Name: "Branches", Steps: []nurture.Step{
		{Kind: nurture.StepEmail, TemplateID: a},
		{Kind: nurture.StepWait, Days: 1},
		{Kind: nurture.StepBranch, If: nurture.IfOpened, Goto: 6},
		{Kind: nurture.StepEmail, TemplateID: c},
		{Kind: nurture.StepBranch, If: nurture.IfScoreAbove, Value: -1, Goto: 8},
		{Kind: nurture.StepWaitUntil, Weekday: "tue", Hour: 10},
		{Kind: nurture.StepEmail, TemplateID: b},
	}})
	opener := e.lead(t, lead.Changes{lead.FEmail: "opener@example.no", lead.FCountry: "NO", lead.FConsent: "true"})
	other := e.lead(t, lead.Changes{lead.FEmail: "other@example.no", lead.FCountry: "NO", lead.FConsent: "true"})
	for _, l := range []lead.Lead{opener, other} {
		e.svc.Enrol(context.Background(), marketer, seq.ID, l.ID, "test")
	}
	e.run(t)
	ms := e.smtp.Wait(t, 2, 10*time.Second)
	for _, m := range ms {
		if m.To[0] == "opener@example.no" {
			pixel := regexp.MustCompile(`src="https://crm\.acme\.example(/e/o/[^"]+)"`).FindStringSubmatch(m.HTML)
			if pixel == nil {
				t.Fatalf("no open pixel in %q", m.HTML)
			}
			resp, err := http.Get(e.web.URL + pixel[1])
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Content-Type") != "image/gif" {
				t.Errorf("pixel answered %s", resp.Header.Get("Content-Type"))
			}
		}
	}
	e.clock.add(25 * time.Hour)
	e.run(t)
	if en := e.enrolment(t, other.ID); en.Status != nurture.EnrolCompleted {
		t.Errorf("the lead that did not open: %s at step %d; want completed after C", en.Status, en.Step)
	}
	en := e.enrolment(t, opener.ID)
	oslo, _ := time.LoadLocation("Europe/Oslo")
	at := en.NextAt.In(oslo)
	if en.Step != 5 || at.Weekday() != time.Tuesday || at.Hour() != 10 || at.Minute() != 0 || !en.NextAt.After(e.clock.now()) {
		t.Errorf("the opener waits at step %d until %v; want step 6 (index 5), next Tuesday 10:00 in Oslo", en.Step, at)
	}
	e.clock.t = en.NextAt.Add(time.Minute)
	e.run(t)
	ms = e.smtp.Wait(t, 4, 10*time.Second)
	var got []string
	for _, m := range ms {
		got = append(got, m.To[0]+":"+strings.TrimSpace(strings.SplitN(m.Text, "\n", 2)[0]))
	}
	want := "opener@example.no:opened"
	if !strings.Contains(strings.Join(got, " "), want) || !strings.Contains(strings.Join(got, " "), "other@example.no:not opened") {
		t.Errorf("messages %v; want the opener to get B and the other C", got)
	}
}

func TestSequenceValidationNamesTheStep(t *testing.T) {
	db := dbtest.SQLite(t)
	e := newEnv(t, db)
	_, err := e.svc.SaveSequence(context.Background(), marketer, nurture.Sequence{Name: "Bad", Status: nurture.Active, Steps: []nurture.Step{
		{Kind: nurture.StepEmail, TemplateID: 99},
		{Kind: nurture.StepWait},
		{Kind: nurture.StepBranch, If: nurture.IfOpened, Goto: 3},
	}})
	msg := fmt.Sprint(err)
	for _, f := range []string{"steps.1.template_id", "steps.2.days", "steps.3.goto"} {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not name %s", msg, f)
		}
	}
	if _, err := e.svc.SaveSequence(context.Background(), access.Actor{Role: access.Sales}, nurture.Sequence{Name: "x"}); err == nil {
		t.Error("a sales user saved a sequence")
	}
}

// Triggers enrol what happens after the sequence exists: a lead sales
// sends back to nurturing (with the reason), one that reaches a stage,
// one that submits a form; and only once.
func TestTriggersEnrolFromWhatHappensNext(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		early := e.lead(t, lead.Changes{lead.FEmail: "early@example.com", lead.FStage: "sql"})
		if _, err := e.leads.Update(ctx, access.System, early.ID, lead.Changes{lead.FStage: "nurturing", lead.FStageReason: "before the sequence"}); err != nil {
			t.Fatal(err)
		}
		wait := []nurture.Step{{Kind: nurture.StepWait, Days: 30}}
		back := e.sequence(t, nurture.Sequence{Name: "Back to nurturing", TriggerKind: nurture.TriggerNurture, Steps: wait})
		mql := e.sequence(t, nurture.Sequence{Name: "New MQLs", TriggerKind: nurture.TriggerStage, TriggerRef: "mql", Steps: wait})
		form := e.sequence(t, nurture.Sequence{Name: "Webinar", TriggerKind: nurture.TriggerForm, TriggerRef: "webinar", Steps: wait})

		sent := e.lead(t, lead.Changes{lead.FEmail: "later@example.com", lead.FStage: "sql"})
		if _, err := e.leads.Update(ctx, access.System, sent.ID, lead.Changes{lead.FStage: "nurturing", lead.FStageReason: "budget next year"}); err != nil {
			t.Fatal(err)
		}
		rising := e.lead(t, lead.Changes{lead.FEmail: "rising@example.com", lead.FStage: "lead"})
		if _, err := e.leads.Update(ctx, access.System, rising.ID, lead.Changes{lead.FStage: "mql"}); err != nil {
			t.Fatal(err)
		}
		attendee := e.lead(t, lead.Changes{lead.FEmail: "attendee@example.com"})
		if _, err := e.leads.RecordEvents(ctx, access.System, []lead.EventInput{
			{LeadID: attendee.ID, Type: "form_submit", Properties: map[string]string{"form": "webinar"}},
			{LeadID: rising.ID, Type: "form_submit", Properties: map[string]string{"form": "contact"}},
		}); err != nil {
			t.Fatal(err)
		}
		// Rows are read once they have settled.
		e.clock.add(10 * time.Second)
		for i := 0; i < 2; i++ { // a second tick enrols no one again
			if err := e.svc.Tick(ctx, job.Job{}); err != nil {
				t.Fatal(err)
			}
		}
		want := map[int64][]int64{back.ID: {sent.ID}, mql.ID: {rising.ID}, form.ID: {attendee.ID}}
		for seq, leads := range want {
			es, err := e.svc.SequenceEnrolments(ctx, seq, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, en := range es {
				got = append(got, en.LeadID)
			}
			if fmt.Sprint(got) != fmt.Sprint(leads) {
				t.Errorf("sequence %d enrolled %v, want %v", seq, got, leads)
			}
		}
		if en := e.enrolment(t, sent.ID); en.Reason != "sent back to nurturing: budget next year" {
			t.Errorf("reason %q", en.Reason)
		}
	})
}

// A lead that enters a segment after the sequence exists is enrolled;
// one that was in it before is not.
func TestSegmentTriggerEnrolsNewMembers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		segs := segment.NewService(db)
		seg, err := segs.Create(ctx, marketer, segment.Segment{Name: "Norway", Combine: "all",
			Conditions: []segment.Condition{{Field: "country", Op: "in", Values: []string{"NO"}}}})
		if err != nil {
			t.Fatal(err)
		}
		before := e.lead(t, lead.Changes{lead.FEmail: "before@example.no", lead.FCountry: "NO"})
		if _, err := segs.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		seq := e.sequence(t, nurture.Sequence{Name: "Norway welcome", TriggerKind: nurture.TriggerSegment, TriggerRef: fmt.Sprint(seg.ID),
			Steps: []nurture.Step{{Kind: nurture.StepWait, Days: 1}}})
		after := e.lead(t, lead.Changes{lead.FEmail: "after@example.no", lead.FCountry: "SE"})
		if _, err := e.leads.Update(ctx, access.System, after.ID, lead.Changes{lead.FCountry: "NO"}); err != nil {
			t.Fatal(err)
		}
		if _, err := segs.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Tick(ctx, job.Job{}); err != nil {
			t.Fatal(err)
		}
		es, _ := e.svc.SequenceEnrolments(ctx, seq.ID, 10)
		if len(es) != 1 || es[0].LeadID != after.ID || es[0].Reason != "entered the segment Norway" {
			t.Errorf("enrolments %+v; want only lead %d (not %d, a member before)", es, after.ID, before.ID)
		}
		if _, err := e.svc.SaveSequence(ctx, marketer, nurture.Sequence{Name: "Bad", TriggerKind: nurture.TriggerSegment, TriggerRef: "99999"}); err == nil ||
			!strings.Contains(err.Error(), "trigger_ref") {
			t.Errorf("a sequence on a missing segment: %v", err)
		}
	})
}

// Account-based nurturing through an account segment: when an account
// enters the segment, its people (linked leads) are enrolled; only the
// one with consent is sent the email; another company's lead is not
// enrolled.
func TestAccountSegmentTriggerEnrolsTheAccountsPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		accounts := crm.NewService(db, e.leads)
		scores := accountscore.NewService(db, scoring.NewStore(db))
		segs := segment.NewService(db)
		seg, err := segs.Create(ctx, marketer, segment.Segment{Kind: segment.KindAccounts, Name: "Tier 1 accounts",
			Conditions: []segment.Condition{{Field: "tier", Op: "in", Values: []string{"1"}}}})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := accounts.CreateAccount(ctx, admin, crm.AccountInput{Name: "Nordwind", Website: "nordwind.example"})
		if err != nil {
			t.Fatal(err)
		}
		yes := e.lead(t, lead.Changes{lead.FEmail: "yes@nordwind.example", lead.FConsent: "true"})
		no := e.lead(t, lead.Changes{lead.FEmail: "no@nordwind.example"})
		e.lead(t, lead.Changes{lead.FEmail: "other@elsewhere.example", lead.FConsent: "true"})
		settle := func() {
			t.Helper()
			if _, err := scores.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := segs.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
		settle()
		tpl := e.template(t, "ABM", "For Nordwind", "", "Hello")
		seq := e.sequence(t, nurture.Sequence{Name: "Tier 1 play", TriggerKind: nurture.TriggerSegment, TriggerRef: fmt.Sprint(seg.ID),
			Steps: []nurture.Step{{Kind: nurture.StepEmail, TemplateID: tpl}}})
		if err := scores.SetTier(ctx, admin, acc.ID, 1); err != nil {
			t.Fatal(err)
		}
		settle()
		if err := e.svc.Tick(ctx, job.Job{}); err != nil {
			t.Fatal(err)
		}
		es, _ := e.svc.SequenceEnrolments(ctx, seq.ID, 10)
		var got []string
		for _, en := range es {
			got = append(got, fmt.Sprintf("%d %s", en.LeadID, en.Reason))
		}
		want := []string{fmt.Sprintf("%d their account entered the segment Tier 1 accounts", yes.ID), fmt.Sprintf("%d their account entered the segment Tier 1 accounts", no.ID)}
		if fmt.Sprint(sortedStrings(got)) != fmt.Sprint(sortedStrings(want)) {
			t.Errorf("enrolments %v, want %v", got, want)
		}
		e.run(t)
		if n := e.outboxCount(t); n != 1 {
			t.Errorf("%d emails queued; want 1, to the person with consent", n)
		}
		// Through the target enrolment as well: the account segment names
		// the accounts; nobody is enrolled twice.
		if n, err := scores.EnrolTargets(ctx, marketer, e.svc, seq.ID, accountscore.Targets{SegmentID: seg.ID}); err != nil || n != 0 {
			t.Errorf("enrolling the segment's people again: %d %v", n, err)
		}
	})
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

// A branch past the last step ends the sequence, and says so: a demo
// sequence of five steps read "go to step 6".
func TestBranchPastTheLastStepSaysItEnds(t *testing.T) {
	st := nurture.Step{Kind: nurture.StepBranch, If: nurture.IfClicked, Goto: 6}
	none := func(int64) string { return "" }
	if got := st.Describe(5, none); !strings.HasSuffix(got, ", end the sequence") {
		t.Errorf("a branch to step 6 of 5 reads %q", got)
	}
	if got := st.Describe(6, none); !strings.HasSuffix(got, ", go to step 6") {
		t.Errorf("a branch to step 6 of 6 reads %q", got)
	}
	if got := st.DescribeIn(i18n.For("nb"), 5, none); !strings.HasSuffix(got, ", avslutt sekvensen") {
		t.Errorf("in Norwegian: %q", got)
	}
}

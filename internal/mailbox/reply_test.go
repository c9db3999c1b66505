package mailbox

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/usertest"
)

// A reply to a nurturing email, read from the mailbox, stops that
// sequence, with "replied" as the reason.
func TestReplyStopsTheSequence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		leads := lead.NewService(db)
		outbox := mail.NewOutbox(db, mail.Config{Host: "127.0.0.1", Port: 1, From: "Acme <news@acme.example>", BaseURL: "https://crm.acme.example"})
		nur := nurture.NewService(db, leads, outbox, tracking.NewService(db))
		tpl, err := nur.SaveTemplate(ctx, mia, mailtmpl.Template{Name: "Hello", Subject: "Hello", Text: "Hi {{first_name}}"})
		if err != nil {
			t.Fatal(err)
		}
		seq, err := nur.SaveSequence(ctx, mia, nurture.Sequence{Name: "Onboarding", Status: nurture.Active, Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: tpl.ID}, {Kind: nurture.StepWait, Days: 3}, {Kind: nurture.StepEmail, TemplateID: tpl.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		l, err := leads.Create(ctx, admin, lead.Changes{"email": "ioana@example.ro", "first_name": "Ioana", "consent": "true"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := nur.Enrol(ctx, mia, seq.ID, l.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := nur.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		var sent string
		if err := db.R.QueryRow(ctx, `SELECT message_id FROM mail_outbox WHERE lead_id = ?`, l.ID).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		srv := startIMAP(t)
		svc := NewService(db, leads)
		svc.TLSConfig = srv.client
		mb, err := svc.Save(ctx, admin, 0, Input{Name: "Sales", Address: srv.addr, Username: "sales@leadflow.example", Password: "app-password"})
		if err != nil {
			t.Fatal(err)
		}
		srv.deliver(t, fmt.Sprintf("Message-ID: <r1@example.ro>\nIn-Reply-To: <%s>\nFrom: Ioana <ioana@example.ro>\nSubject: Re: Hello\n\nYes, call me.\n", sent))
		if n, err := svc.Fetch(ctx, mb.ID); err != nil || n != 1 {
			t.Fatalf("fetch: %d %v", n, err)
		}
		es, err := nur.LeadEnrolments(ctx, admin, l.ID)
		if err != nil || len(es) != 1 || es[0].Status != nurture.EnrolExited || es[0].ExitReason != nurture.ExitReplied {
			t.Errorf("enrolment after the reply: %+v %v", es, err)
		}
	})
}

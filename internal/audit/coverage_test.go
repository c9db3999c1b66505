package audit_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/forms"
	"leadflow/internal/imports"
	"leadflow/internal/lead"
	"leadflow/internal/report"
	"leadflow/internal/sqldb"
	"leadflow/internal/tracking"
	"leadflow/internal/usertest"
)

// The values of the people in this story: none may reach the audit log.
var peopleValues = []string{"ioana", "popescu", "iasi", "vlad", "tepes", "brasov", "dana", "0722", "ops@"}

// TestAuditMarketingAndCRM: what an admin looks up after a day of
// marketing and sales work is there, under the subject it concerns:
// a form and its landing page from creation to deletion, with the
// settings changed; a refused submission corrected and accepted and
// another discarded; an import from upload through start to its finish
// with the counts; channel spend and the tracking sites; an account made
// and edited, a conversion's account and contact, and the contact and
// its lead won as customers. Each names the fields changed and never a person's
// value; a refused change leaves no entry.
func TestAuditMarketingAndCRM(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		ada := usertest.Actor(t, db, "ada@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		leads := lead.NewService(db)
		fs, imp, cs := forms.NewService(db, leads), imports.NewService(db, leads), crm.NewService(db, leads)
		log := audit.NewService(db)

		// Forms and landing pages.
		f, err := fs.Create(ctx, mia, forms.Form{Slug: "demo", Name: "Demo", Fields: []forms.Field{{Name: "email"}, {Name: "first_name"}}})
		if err != nil {
			t.Fatal(err)
		}
		f.Name, f.ThankYou = "Book a demo", "Thanks!"
		if _, err := fs.Update(ctx, mia, f); err != nil {
			t.Fatal(err)
		}
		lp, err := fs.SaveLanding(ctx, mia, forms.Landing{FormID: f.ID, Slug: "spring", Template: "split", Headline: "Spring"})
		if err != nil {
			t.Fatal(err)
		}
		lp.Headline, lp.Body = "Summer", "Longer days"
		if _, err := fs.SaveLanding(ctx, mia, lp); err != nil {
			t.Fatal(err)
		}
		if err := fs.DeleteLanding(ctx, mia, lp.ID); err != nil {
			t.Fatal(err)
		}
		// A refused change leaves no entry.
		if _, err := fs.Create(ctx, sam, forms.Form{Slug: "mine", Name: "Mine", Fields: []forms.Field{{Name: "email"}}}); err == nil {
			t.Fatal("sales created a form")
		}
		want(t, log, ada, audit.Filter{SubjectType: "form", SubjectID: f.ID}, []string{
			`mia@example.com form.update {"fields":["name","thank_you"]}`,
			`mia@example.com form.create {"slug":"demo"}`,
		})
		want(t, log, ada, audit.Filter{SubjectType: "landing_page", SubjectID: lp.ID}, []string{
			`mia@example.com landing.delete {}`,
			`mia@example.com landing.update {"fields":["body","headline"]}`,
			`mia@example.com landing.create {"form_id":` + itoa(f.ID) + `,"slug":"spring"}`,
		})

		// Submissions: one corrected and accepted, one discarded.
		bad, _ := fs.Submit(ctx, f, map[string]string{"email": "ioana.popescu at example.com", "first_name": "Ioana"}, forms.Meta{})
		if err := fs.Accept(ctx, mia, bad.SubmissionID, map[string]string{"email": "ioana.popescu@example.com"}); err != nil {
			t.Fatal(err)
		}
		junk, _ := fs.Submit(ctx, f, map[string]string{"email": "vlad.tepes"}, forms.Meta{})
		if err := fs.Discard(ctx, ada, junk.SubmissionID); err != nil {
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{Action: "submission."}, []string{
			`ada@example.com submission.discard {"form_id":` + itoa(f.ID) + `}`,
			`mia@example.com submission.accept {"corrected":["email"],"form_id":` + itoa(f.ID) + `,"outcome":"accepted"}`,
		})
		if err := fs.Delete(ctx, mia, f.ID); err != nil {
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{Action: "form.delete"}, []string{`mia@example.com form.delete {}`})

		// An import from upload to finish.
		csv := "Email,First Name,City\nvlad@tepes.example,Vlad,Brasov\ndana@example.com,Dana,Iasi\nnot an address,X,Y\n"
		im, err := imp.Upload(ctx, mia, "ioana-popescu-contacts.csv", strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		job, err := imp.Start(ctx, mia, im.ID, im.Mapping)
		if err != nil {
			t.Fatal(err)
		}
		if err := imp.Run(ctx, im.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := imp.Run(ctx, im.ID, nil); err != nil { // a second run of a finished job
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{SubjectType: "import", SubjectID: im.ID}, []string{
			`leadflow import.finish {"created":2,"rejected":1,"rows":3,"unchanged":0,"updated":0}`,
			`mia@example.com import.start {"fields":["city","email","first_name"],"job_id":` + itoa(job) + `}`,
			`mia@example.com import.upload {"bytes":` + itoa(int64(len(csv))) + `,"columns":3,"encoding":"utf-8"}`,
		})

		// Channel spend and the tracking sites.
		if _, err := report.NewService(db).SetSpend(ctx, mia, report.SpendInput{Source: "ads", Month: "2026-10", Amount: "1,200", Currency: "eur"}); err != nil {
			t.Fatal(err)
		}
		if err := tracking.NewService(db).SetOrigins(ctx, ada, "https://www.example.com/, https://shop.example.com"); err != nil {
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{Action: "spend."}, []string{
			`mia@example.com spend.set {"source":"ads","month":"2026-10","amount":1200,"currency":"EUR"}`,
		})
		want(t, log, ada, audit.Filter{Action: "settings.tracking"}, []string{
			`ada@example.com settings.tracking {"origins":["https://www.example.com","https://shop.example.com"]}`,
		})

		// Accounts, a conversion and a win.
		acc, err := cs.CreateAccount(ctx, sam, crm.AccountInput{Name: "Tepes Castles", City: "Brasov", Website: "tepes.example"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.UpdateAccount(ctx, sam, acc.ID, crm.AccountInput{Name: "Tepes Castles", City: "Iasi", Website: "tepes.example", Employees: "40"}); err != nil {
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{SubjectType: "account", SubjectID: acc.ID}, []string{
			`sam@example.com account.update {"fields":["city","employees","owner"]}`,
			`sam@example.com account.create {"fields":["city","name","owner","website"]}`,
		})
		l, err := leads.Create(ctx, sam, lead.Changes{"email": "ops@dana.example", "first_name": "Dana", "company": "Dana Ops", "owner": "sam@example.com", "stage": "mql"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Qualify(ctx, sam, l.ID, lead.BANT{Authority: lead.DecisionMaker, Need: "a CRM", Timing: "2027-Q1", Outcome: lead.SQL}); err != nil {
			t.Fatal(err)
		}
		conv, err := cs.Convert(ctx, sam, l.ID, crm.ConvertInput{Opportunity: &crm.OpportunityInput{Name: "Ops deal"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Move(ctx, sam, conv.OpportunityID, "won", "signed"); err != nil {
			t.Fatal(err)
		}
		want(t, log, ada, audit.Filter{SubjectType: "contact", SubjectID: conv.ContactID}, []string{
			`sam@example.com contact.update {"deal_id":` + itoa(conv.OpportunityID) + `,"fields":["stage"]}`,
			`sam@example.com contact.create {"account_id":` + itoa(conv.AccountID) + `,"lead_id":` + itoa(l.ID) + `}`,
		})
		want(t, log, ada, audit.Filter{SubjectType: "lead", SubjectID: l.ID, Action: "lead.update"}, []string{
			`sam@example.com lead.update {"contact_id":` + itoa(conv.ContactID) + `,"fields":["stage"]}`,
		})
		want(t, log, ada, audit.Filter{SubjectType: "account", SubjectID: conv.AccountID}, []string{
			`sam@example.com account.create {"fields":["name","owner"],"lead_id":` + itoa(l.ID) + `}`,
		})

		// No entry holds a person's value.
		all, err := log.List(ctx, ada, audit.Filter{Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all.Entries {
			for _, v := range peopleValues {
				if strings.Contains(strings.ToLower(string(e.Detail)), v) {
					t.Errorf("%s records a person's value %q: %s", e.Action, v, e.Detail)
				}
			}
		}
	})
}

// want lists the entries f selects, newest first, each as "actor action
// detail", and compares them with wanted.
func want(t *testing.T, log *audit.Service, a access.Actor, f audit.Filter, wanted []string) {
	t.Helper()
	p, err := log.List(context.Background(), a, f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Entries {
		var compact json.RawMessage = e.Detail
		got = append(got, e.Actor+" "+e.Action+" "+string(compact))
	}
	if !slices.Equal(got, wanted) {
		t.Errorf("entries for %+v:\n got %q\nwant %q", f, got, wanted)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestAuditConcurrentFormEdits: two marketers save the same form at once,
// one with a new name and one with a new thank-you message, each from the
// form as it was. The later save puts back the name the earlier one
// changed, so its entry must name both fields: an entry read from the
// form as it was before either would name one field each, and hide that
// the name was undone.
func TestAuditConcurrentFormEdits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		ada := usertest.Actor(t, db, "ada@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		max := usertest.Actor(t, db, "max@example.com", access.Marketing)
		fs := forms.NewService(db, lead.NewService(db))
		log := audit.NewService(db)
		for i := range 20 {
			f, err := fs.Create(ctx, ada, forms.Form{Slug: "race-" + itoa(int64(i)), Name: "Race", Fields: []forms.Field{{Name: "email"}}})
			if err != nil {
				t.Fatal(err)
			}
			// Each save its own form, as two requests would have.
			renamed, thanked := f, f
			renamed.Fields, thanked.Fields = slices.Clone(f.Fields), slices.Clone(f.Fields)
			renamed.Name, thanked.ThankYou = "Renamed", "Thanks"
			errs := make(chan error, 2)
			go func() { _, err := fs.Update(ctx, mia, renamed); errs <- err }()
			go func() { _, err := fs.Update(ctx, max, thanked); errs <- err }()
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			p, err := log.List(ctx, ada, audit.Filter{SubjectType: "form", SubjectID: f.ID, Action: "form.update"})
			if err != nil {
				t.Fatal(err)
			}
			// Newest first: the later save names the field it undid too.
			if len(p.Entries) != 2 || !strings.Contains(string(p.Entries[0].Detail), `"name","thank_you"`) {
				var got []string
				for _, e := range p.Entries {
					got = append(got, e.Actor+" "+string(e.Detail))
				}
				t.Fatalf("race %d: the entries of two concurrent saves, newest first: %q", i, got)
			}
		}
	})
}

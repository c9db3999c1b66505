package lead_test

import (
	"context"
	"fmt"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// accountsOf makes the accounts of the matching stories: Acme (acme.com,
// Ann's), Fjord (fjord.no, Bob's), Yahoo (yahoo.com, a free-mail domain),
// Globex (no website), and two accounts named Initech.
func accountsOf(t *testing.T, db *sqldb.DB, svc *lead.Service, tm team) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	c := crm.NewService(db, svc)
	ids := map[string]int64{}
	for _, a := range []crm.AccountInput{
		{Name: "Acme Corp", Website: "https://www.acme.com", Owner: "ann@example.com"},
		{Name: "Fjord AS", Website: "fjord.no", Owner: "bob@example.com"},
		{Name: "Yahoo", Website: "yahoo.com", Owner: "bob@example.com"},
		{Name: "Globex", Owner: "ann@example.com"},
		{Name: "Initech", Website: "initech.com", Owner: "ann@example.com"},
		{Name: "Initech Ltd", Website: "initech.co.uk", Owner: "bob@example.com"},
	} {
		acc, err := c.CreateAccount(ctx, tm.admin, a)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.Name] = acc.ID
	}
	return ids
}

// A new lead from a company that is already an account is linked to it at
// intake, by its website, its work email's domain or its company name;
// free mail, look-alike domains and a name two accounts share link
// nothing.
func TestIntakeLinksLeadsToTheirAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		accounts := accountsOf(t, db, svc, tm)
		for _, c := range []struct {
			changes lead.Changes
			account string // "" for no link
			reason  string
		}{
			{lead.Changes{"email": "jane@acme.com"}, "Acme Corp", "email domain acme.com"},
			{lead.Changes{"email": "kai@eu.acme.com"}, "Acme Corp", "email domain acme.com"},
			{lead.Changes{"email": "ola@gmail.com", "website": "www.fjord.no"}, "Fjord AS", "website domain fjord.no"},
			{lead.Changes{"email": "joe@yahoo.com"}, "", ""},
			{lead.Changes{"email": "ann.g@yahoo.com", "company": "GLOBEX Corporation"}, "Globex", "company name “globex”"},
			{lead.Changes{"email": "eve@acme-corp.com"}, "", ""},
			{lead.Changes{"email": "eve@acme.co"}, "", ""},
			{lead.Changes{"email": "eve@acme.com.evil.io"}, "", ""},
			{lead.Changes{"email": "eve@acrne.com"}, "", ""},
			{lead.Changes{"email": "eve@gmail.com", "company": "Acme Analytics"}, "", ""},
			{lead.Changes{"email": "pat@hotmail.com", "company": "Initech"}, "", ""},
			{lead.Changes{"email": "pat@initech.co.uk", "company": "Initech"}, "Initech Ltd", "email domain initech.co.uk"},
		} {
			res, err := svc.Intake(ctx, lead.Incoming{Changes: c.changes, Origin: lead.Origin{Channel: "form", Reason: "test"}})
			if err != nil {
				t.Fatal(err)
			}
			link, ok, err := svc.AccountLink(ctx, tm.admin, res.Lead.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.account == "" && ok:
				t.Errorf("%v linked to %s on %s, want no link", c.changes, link.AccountName, link.Reason())
			case c.account != "" && (!ok || link.AccountID != accounts[c.account] || link.Reason() != c.reason):
				t.Errorf("%v: linked %v to %q on %q, want %q on %q", c.changes, ok, link.AccountName, link.Reason(), c.account, c.reason)
			}
		}
		// The account's page lists its leads with why, and the lead's
		// timeline says so.
		v, err := crm.NewService(db, svc).Account(ctx, tm.admin, accounts["Acme Corp"])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range v.Linked {
			got = append(got, l.Email+" "+l.Reason())
		}
		if fmt.Sprint(got) != "[kai@eu.acme.com email domain acme.com jane@acme.com email domain acme.com]" {
			t.Errorf("Acme's linked leads: %v", got)
		}
		res, _ := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "jane@acme.com", "phone": "+4722334455"}, Origin: lead.Origin{Channel: "form", Reason: "again"}})
		tl, err := svc.Timeline(ctx, tm.admin, res.Lead.ID)
		if err != nil {
			t.Fatal(err)
		}
		links := 0
		for _, c := range tl {
			if c.Kind == lead.KindAccount {
				links++
				if c.Reason != "matched on email domain acme.com" || c.Detail["account"][1] != "Acme Corp" {
					t.Errorf("timeline entry %+v", c)
				}
			}
		}
		if links != 1 {
			t.Errorf("%d account entries on the timeline after a second arrival, want 1", links)
		}
	})
}

// The account's owner is told of a new lead from their account; with the
// assignment option on, the lead is theirs too, before any rule.
func TestLinkedLeadGoesToTheAccountOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		accountsOf(t, db, svc, tm)
		if err := svc.Assignment().SaveSettings(ctx, access.System, "bob@example.com", nil); err != nil {
			t.Fatal(err)
		}
		intake := func(email string) lead.Lead {
			t.Helper()
			res, err := svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": email, "first_name": "Jo"}, Origin: lead.Origin{Channel: "import", Reason: "import 1"}})
			if err != nil {
				t.Fatal(err)
			}
			return res.Lead
		}
		off := intake("jo@acme.com")
		if off.OwnerEmail != "bob@example.com" {
			t.Errorf("with routing off, the lead went to %q, want the fallback owner", off.OwnerEmail)
		}
		if err := svc.Assignment().SetAccountOwner(ctx, tm.ann, true); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("a sales user set the routing: %v", err)
		}
		if err := svc.Assignment().SetAccountOwner(ctx, tm.admin, true); err != nil {
			t.Fatal(err)
		}
		// Saving the other settings keeps the routing.
		if err := svc.Assignment().SaveSettings(ctx, tm.admin, "bob@example.com", map[string]string{"hot": "2"}); err != nil {
			t.Fatal(err)
		}
		if st, _ := svc.Assignment().Settings(ctx); !st.AccountOwner {
			t.Fatal("saving the fallback owner turned the routing off")
		}
		on := intake("jo2@acme.com")
		if on.OwnerEmail != "ann@example.com" || on.ContactDueAt == nil {
			t.Errorf("with routing on, the lead went to %q (due %v), want Ann, the account's owner", on.OwnerEmail, on.ContactDueAt)
		}
		tl, _ := svc.Timeline(ctx, tm.admin, on.ID)
		if !hasEntry(tl, lead.KindOwner, "owner of account Acme Corp") {
			t.Errorf("no owner entry saying why: %+v", tl)
		}
		free := intake("jo@gmail.com")
		if free.OwnerEmail != "bob@example.com" {
			t.Errorf("an unlinked lead went to %q, want the fallback owner", free.OwnerEmail)
		}
		// Ann was told of both of Acme's leads, once each.
		rows, err := db.R.Query(ctx, `SELECT kind, title, link FROM notifications WHERE user_id = ? AND kind = ? ORDER BY id`, tm.ann.ID, lead.NoticeAccountLead)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var notes []string
		for rows.Next() {
			var kind, title, link string
			rows.Scan(&kind, &title, &link)
			notes = append(notes, title+" "+link)
		}
		want := fmt.Sprintf("[New lead Jo from Acme Corp, your account /leads/%d New lead Jo from Acme Corp, your account /leads/%d]", off.ID, on.ID)
		if fmt.Sprint(notes) != want {
			t.Errorf("Ann's notices %v, want %s", notes, want)
		}
	})
}

func hasEntry(tl []lead.Change, kind, reason string) bool {
	for _, c := range tl {
		if c.Kind == kind && c.Reason == reason {
			return true
		}
	}
	return false
}

// A link can be undone by who may edit the lead, once, even by two users
// at the same moment; the lead then leaves the account's page and does
// not come back when it arrives again. The undo is on the audit log.
func TestUndoAccountLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tm := newTeam(t, db)
		svc := lead.NewService(db)
		accounts := accountsOf(t, db, svc, tm)
		l, err := svc.Create(ctx, tm.ann, lead.Changes{"email": "max@fjord.no"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UnlinkAccount(ctx, tm.bob, l.ID); fault.CodeOf(err) != fault.Forbidden {
			t.Errorf("another sales user undid Ann's lead's link: %v", err)
		}
		errs := dbtest.Together(
			func() error { _, err := svc.UnlinkAccount(ctx, tm.ann, l.ID); return err },
			func() error { _, err := svc.UnlinkAccount(ctx, tm.marketing, l.ID); return err },
		)
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case fault.CodeOf(err) == fault.Conflict:
				conflicts++
			default:
				t.Errorf("undo: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Errorf("two undos at once: %v, want one done and one conflict", errs)
		}
		link, linked, err := svc.AccountLink(ctx, tm.ann, l.ID)
		if err != nil || !linked || link.UndoneAt == nil || link.UndoneBy == "" || link.AccountID != accounts["Fjord AS"] {
			t.Errorf("after the undo: %+v %v %v", link, linked, err)
		}
		v, _ := crm.NewService(db, svc).Account(ctx, tm.admin, accounts["Fjord AS"])
		if len(v.Linked) != 0 {
			t.Errorf("Fjord still lists %+v", v.Linked)
		}
		svc.Intake(ctx, lead.Incoming{Changes: lead.Changes{"email": "max@fjord.no"}, Origin: lead.Origin{Channel: "form"}})
		if link, _, _ := svc.AccountLink(ctx, tm.ann, l.ID); link.UndoneAt == nil {
			t.Error("arriving again linked the lead anew")
		}
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'lead.account_unlink' AND subject_id = ?`, l.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d audit entries for the undo, want 1", n)
		}
	})
}

package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/privacy"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/usertest"
)

// The values of Pat's lead: none may reach the audit log.
var patValues = []string{"pat.doe", "Pat", "Doe", "Acme", "Cluj", "Brasov", "0721"}

// TestAuditStory: an admin, a marketer, a sales user and leadflow itself
// change leads and users; the log says who did what to which record,
// newest first, names the lead fields changed but never their values,
// and keeps every row, still without the person, when Pat is erased.
func TestAuditStory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		ada := usertest.Actor(t, db, "ada@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		sam := usertest.Actor(t, db, "sam@example.com", access.Sales)
		leads, users, log := lead.NewService(db), user.NewService(db), audit.NewService(db)
		start := count(t, db)

		pat, err := leads.Create(ctx, mia, lead.Changes{"email": "Pat.Doe@example.com", "first_name": "Pat", "last_name": "Doe", "company": "Acme", "city": "Cluj"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Update(ctx, sam, pat.ID, lead.Changes{"city": "Brasov", "phone": "+40 721 000 111"}); err != nil {
			t.Fatal(err)
		}
		dup, err := leads.Create(ctx, ada, lead.Changes{"email": "pat@acme.example", "first_name": "Pat", "job_title": "CTO"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leads.Merge(ctx, ada, pat.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		role := access.Marketing
		if _, err := users.Update(ctx, ada, sam.ID, user.Change{Role: &role}); err != nil {
			t.Fatal(err)
		}
		if _, err := users.CreateToken(ctx, access.System, "mia@example.com", "ci"); err != nil {
			t.Fatal(err)
		}

		p, err := log.List(ctx, ada, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := p.Entries[:len(p.Entries)-start] // newest first; the users' creation came before
		want := []struct{ actor, action, subject string }{
			{"leadflow", "token.create", "user"},
			{"ada@example.com", "user.update", "user"},
			{"ada@example.com", "lead.merge", "lead"},
			{"ada@example.com", "lead.create", "lead"},
			{"sam@example.com", "lead.update", "lead"},
			{"mia@example.com", "lead.create", "lead"},
		}
		if len(got) != len(want) {
			t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			e := got[i]
			if e.Actor != w.actor || e.Action != w.action || e.SubjectType != w.subject {
				t.Errorf("entry %d: %s %s %s, want %s %s %s", i, e.Actor, e.Action, e.SubjectType, w.actor, w.action, w.subject)
			}
		}
		if got[4].SubjectID != pat.ID || string(got[4].Detail) != `{"fields":["city","phone"]}` {
			t.Errorf("Sam's update: lead %d, detail %s; want lead %d and the two field names", got[4].SubjectID, got[4].Detail, pat.ID)
		}
		if got[0].ActorID != 0 || got[1].ActorID != ada.ID || got[1].SubjectID != sam.ID ||
			!strings.Contains(string(got[1].Detail), `"role":"marketing","role_was":"sales"`) {
			t.Errorf("the role change: %+v; the token: %+v", got[1], got[0])
		}
		for _, e := range got[2:] {
			for _, v := range patValues {
				if strings.Contains(strings.ToLower(string(e.Detail)), strings.ToLower(v)) {
					t.Errorf("%s records the lead's value %q: %s", e.Action, v, e.Detail)
				}
			}
		}

		before := count(t, db)
		if _, err := privacy.NewService(db).Erase(ctx, ada, "pat.doe@example.com"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != before+1 {
			t.Errorf("%d audit rows after the erasure, want the %d before and the erasure's", n, before)
		}
		rows, err := db.R.Query(ctx, `SELECT actor, action, subject_type, detail FROM audit_log`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var actor, action, subject, detail string
			if err := rows.Scan(&actor, &action, &subject, &detail); err != nil {
				t.Fatal(err)
			}
			if row := strings.ToLower(actor + action + subject + detail); strings.Contains(row, "pat") || strings.Contains(row, "doe") {
				t.Errorf("after the erasure the audit log still names the person: %s %s %s %s", actor, action, subject, detail)
			}
		}
		if p, _ := log.List(ctx, ada, audit.Filter{Action: "privacy."}); len(p.Entries) != 1 || p.Entries[0].Action != "privacy.erase" {
			t.Errorf("the erasure's entry: %+v", p.Entries)
		}
	})
}

// TestAuditFiltersAndPaging: by actor, action prefix, subject and time,
// and page by page without gaps or repeats.
func TestAuditFiltersAndPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		ada := usertest.Actor(t, db, "ada@example.com", access.Admin)
		mia := usertest.Actor(t, db, "mia@example.com", access.Marketing)
		leads, log := lead.NewService(db), audit.NewService(db)
		var ids []int64
		for i, a := range []access.Actor{ada, mia, mia, ada, mia} {
			l, err := leads.Create(ctx, a, lead.Changes{"email": string(rune('a'+i)) + "@f.example"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		if err := leads.Delete(ctx, mia, ids[0]); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"mia", audit.Filter{Actor: "MIA@example.com"}, 4},
			{"lead.", audit.Filter{Action: "lead."}, 6},
			{"lead.delete", audit.Filter{Action: "lead.delete"}, 1},
			{"user.", audit.Filter{Action: "user."}, 2},
			{"the first lead", audit.Filter{SubjectType: "lead", SubjectID: ids[0]}, 2},
			{"leadflow", audit.Filter{Actor: "leadflow"}, 2},
		} {
			p, err := log.List(ctx, ada, c.f)
			if err != nil || len(p.Entries) != c.want {
				t.Errorf("%s: %d entries (%v), want %d", c.name, len(p.Entries), err, c.want)
			}
		}
		all, _ := log.List(ctx, ada, audit.Filter{})
		at := all.Entries[0].At
		if p, _ := log.List(ctx, ada, audit.Filter{From: at.Add(time.Millisecond)}); len(p.Entries) != 0 {
			t.Errorf("after the newest entry: %d", len(p.Entries))
		}
		if p, _ := log.List(ctx, ada, audit.Filter{To: at.Add(time.Millisecond)}); len(p.Entries) != len(all.Entries) {
			t.Errorf("up to the newest entry: %d of %d", len(p.Entries), len(all.Entries))
		}
		var paged []int64
		f := audit.Filter{Limit: 3}
		for {
			p, err := log.List(ctx, ada, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				paged = append(paged, e.ID)
			}
			if p.Next == 0 {
				break
			}
			f.Before = p.Next
		}
		if len(paged) != len(all.Entries) {
			t.Fatalf("paged %d entries, listed %d", len(paged), len(all.Entries))
		}
		for i, e := range all.Entries {
			if paged[i] != e.ID {
				t.Errorf("page entry %d is %d, want %d", i, paged[i], e.ID)
			}
		}
	})
}

// TestAuditAdminsOnly: marketing and sales are refused by the service.
func TestAuditAdminsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		log := audit.NewService(db)
		for _, role := range []access.Role{access.Sales, access.Marketing} {
			a := usertest.Actor(t, db, string(role)+"@example.com", role)
			if _, err := log.List(context.Background(), a, audit.Filter{}); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s listed the audit log: %v", role, err)
			}
			if err := log.Each(context.Background(), a, audit.Filter{}, func(audit.Entry) error { return nil }); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s exported the audit log: %v", role, err)
			}
		}
	})
}

func count(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

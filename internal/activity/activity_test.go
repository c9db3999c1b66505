package activity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/activity"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

type team struct{ admin, ann, bob access.Actor }

func setup(t *testing.T, db *sqldb.DB) (*lead.Service, *activity.Service, team) {
	t.Helper()
	leads := lead.NewService(db)
	return leads, activity.NewService(db, leads), team{usertest.Actor(t, db, "admin@example.com", access.Admin),
		usertest.Actor(t, db, "ann@example.com", access.Sales), usertest.Actor(t, db, "bob@example.com", access.Sales)}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseDue(t *testing.T) {
	buc := mustZone(t, "Europe/Bucharest")
	for _, c := range []struct {
		in     string
		allDay bool
		loc    *time.Location
		want   string // RFC 3339 in UTC, or "error: <part of the message>"
	}{
		{"2026-11-30T09:30", false, buc, "2026-11-30T07:30:00Z"},          // winter: UTC+2
		{"2026-07-01T09:30", false, buc, "2026-07-01T06:30:00Z"},          // summer: UTC+3
		{"2026-03-29T03:30", false, buc, "2026-03-29T01:30:00Z"},          // skipped by the spring change: read one hour on
		{"2026-10-25T03:30", false, buc, "2026-10-25T00:30:00Z"},          // twice on the autumn change: the first (summer) one
		{"2026-11-30T09:30:00+01:00", false, buc, "2026-11-30T08:30:00Z"}, // an offset wins over the zone
		{"2026-11-30T09:30", false, nil, "2026-11-30T09:30:00Z"},
		{"2026-12-24", true, buc, "2026-12-24T00:00:00Z"}, // a date stays a date
		{"2026-12-24T15:00", true, buc, "2026-12-24T00:00:00Z"},
		{"", false, buc, "error: is required"},
		{"2026-12-24", false, buc, "error: needs a time of day"},
		{"tomorrow", false, buc, "error: must be a date and time"},
		{"24/12/2026", true, buc, "error: must be a date as YYYY-MM-DD"},
	} {
		got, err := activity.ParseDue(c.in, c.allDay, c.loc)
		if msg, isErr := strings.CutPrefix(c.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), msg) {
				t.Errorf("ParseDue(%q, %v): %v, %v; want an error saying %q", c.in, c.allDay, got, err, msg)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != c.want {
			t.Errorf("ParseDue(%q, %v, %v) = %v, %v; want %s", c.in, c.allDay, c.loc, got.Format(time.RFC3339), err, c.want)
		}
	}
}

func fields(err error) map[string]string {
	if e := fault.As(err); e != nil {
		return e.Fields
	}
	return nil
}

// A new activity with nothing filled in is refused naming every
// missing field; bad values are named one by one.
func TestCreateNamesEachBadField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, svc, tm := setup(t, db)
		_, err := svc.Create(ctx, tm.ann, activity.Patch{})
		f := fields(err)
		for _, name := range []string{"kind", "subject", "due_at"} {
			if f[name] == "" {
				t.Errorf("an empty activity: no reason for %s in %v", name, err)
			}
		}
		_, err = svc.Create(ctx, tm.ann, activity.Patch{Kind: activity.Str("lunch"), Subject: activity.Str("x"),
			Due: activity.Str("2026-12-01T10:00"), Duration: activity.Str("-5"), Status: activity.Str("maybe"),
			Owner: activity.Str("nobody@example.com")})
		f = fields(err)
		for _, name := range []string{"kind", "duration", "status", "owner"} {
			if f[name] == "" {
				t.Errorf("bad %s not named: %v", name, err)
			}
		}
		if f["subject"] != "" || f["due_at"] != "" {
			t.Errorf("good fields named as bad: %v", f)
		}
		if p, err := svc.List(ctx, tm.admin, activity.ListOptions{}); err != nil || p.Total != 0 {
			t.Errorf("refused activities were stored: %d (%v)", p.Total, err)
		}
	})
}

// Ann plans only for herself, on records she may see, and sees none of
// Bob's activities; an admin sees them all and may plan for anyone.
func TestSalesSeeAndChangeOnlyTheirOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		bobs, err := leads.Create(ctx, tm.admin, lead.Changes{"email": "kim@nord.no", "owner": "bob@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		p := activity.Patch{Kind: activity.Str("call"), Subject: activity.Str("Intro call"), Due: activity.Str("2026-12-01T10:00")}
		bobsCall, err := svc.Create(ctx, tm.bob, withLink(p, activity.OnLead, bobs.ID))
		if err != nil {
			t.Fatal(err)
		}
		if bobsCall.OwnerEmail != "bob@example.com" || bobsCall.Link.Name != "kim@nord.no" || bobsCall.Status != activity.Planned {
			t.Errorf("Bob's call: owner %q, link %+v, status %s", bobsCall.OwnerEmail, bobsCall.Link, bobsCall.Status)
		}
		if _, err := svc.Create(ctx, tm.ann, withLink(p, activity.OnLead, bobs.ID)); fields(err)["link_id"] == "" {
			t.Errorf("Ann linked an activity to Bob's lead: %v", err)
		}
		q := p
		q.Owner = activity.Str("bob@example.com")
		if _, err := svc.Create(ctx, tm.ann, q); fields(err)["owner"] == "" {
			t.Errorf("Ann planned an activity for Bob: %v", err)
		}
		if _, err := svc.Get(ctx, tm.ann, bobsCall.ID); fault.As(err) == nil || fault.As(err).Code != fault.Forbidden {
			t.Errorf("Ann read Bob's call: %v", err)
		}
		if _, err := svc.Update(ctx, tm.ann, bobsCall.ID, activity.Patch{Subject: activity.Str("mine now")}); fault.As(err) == nil {
			t.Error("Ann changed Bob's call")
		}
		if err := svc.Delete(ctx, tm.ann, bobsCall.ID); fault.As(err) == nil {
			t.Error("Ann deleted Bob's call")
		}
		if page, _ := svc.List(ctx, tm.ann, activity.ListOptions{}); page.Total != 0 {
			t.Errorf("Ann's list shows %d of Bob's activities", page.Total)
		}
		if list, _ := svc.ForRecord(ctx, tm.ann, activity.OnLead, bobs.ID); len(list) != 0 {
			t.Errorf("Ann sees %d activities on Bob's lead", len(list))
		}
		if _, err := svc.Create(ctx, tm.admin, q); err != nil {
			t.Errorf("an admin may plan for Bob: %v", err)
		}
		if page, _ := svc.List(ctx, tm.admin, activity.ListOptions{}); page.Total != 2 {
			t.Errorf("the admin sees %d activities, want 2", page.Total)
		}
	})
}

func withLink(p activity.Patch, typ string, id int64) activity.Patch {
	p.LinkType, p.LinkID = &typ, &id
	return p
}

// A call Ann completes on her new lead stops its first-contact clock and
// says so on its timeline; a note does not, nor does an admin's call
// (the SLA is the owner's first contact), and a second completed call
// leaves the first contact where it was.
func TestCompletedActivityIsTheLeadsFirstContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l, err := leads.Create(ctx, tm.admin, lead.Changes{"email": "ida@fjord.no", "owner": "ann@example.com"})
		if err != nil || l.ContactDueAt == nil {
			t.Fatalf("a lead with an owner has a first-contact deadline: %v, %v", l.ContactDueAt, err)
		}
		note, err := svc.Create(ctx, tm.ann, withLink(activity.Patch{Kind: activity.Str("note"), Subject: activity.Str("Read their site"),
			Due: activity.Str("2026-12-01T09:00"), Status: activity.Str("done")}, activity.OnLead, l.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := leads.Get(ctx, tm.admin, l.ID); got.ContactedAt != nil || note.CompletedAt == nil {
			t.Fatalf("a note made the first contact (%v), or was not completed (%v)", got.ContactedAt, note.CompletedAt)
		}
		adminCall, _ := svc.Create(ctx, tm.admin, withLink(activity.Patch{Kind: activity.Str("call"), Subject: activity.Str("Check-in"),
			Due: activity.Str("2026-12-01T09:00"), Owner: activity.Str("ann@example.com")}, activity.OnLead, l.ID))
		if _, err := svc.Update(ctx, tm.admin, adminCall.ID, activity.Patch{Status: activity.Str("done")}); err != nil {
			t.Fatal(err)
		}
		if got, _ := leads.Get(ctx, tm.admin, l.ID); got.ContactedAt != nil {
			t.Fatal("an admin's completed call counted as the owner's first contact")
		}
		call, err := svc.Create(ctx, tm.ann, withLink(activity.Patch{Kind: activity.Str("call"), Subject: activity.Str("Discovery call"),
			Due: activity.Str("2026-12-01T10:00"), Duration: activity.Str("30")}, activity.OnLead, l.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := leads.Get(ctx, tm.admin, l.ID); got.ContactedAt != nil {
			t.Fatal("a planned call counted as contact")
		}
		done, err := svc.Update(ctx, tm.ann, call.ID, activity.Patch{Status: activity.Str("done"), Outcome: activity.Str("Wants a demo")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := leads.Get(ctx, tm.admin, l.ID)
		if got.ContactedAt == nil || done.CompletedAt == nil || !got.ContactedAt.Equal(*done.CompletedAt) {
			t.Fatalf("completing the call: lead contacted at %v, call completed at %v", got.ContactedAt, done.CompletedAt)
		}
		tl, _ := leads.Timeline(ctx, tm.admin, l.ID)
		found := false
		for _, c := range tl {
			found = found || c.Kind == lead.KindContacted && strings.Contains(c.Reason, `call "Discovery call" completed`) && c.ActorEmail == "ann@example.com"
		}
		if !found {
			t.Errorf("the timeline does not say which call was the first contact: %+v", tl)
		}
		first := *got.ContactedAt
		again, _ := svc.Create(ctx, tm.ann, withLink(activity.Patch{Kind: activity.Str("email"), Subject: activity.Str("Sent the deck"),
			Due: activity.Str("2026-12-02T10:00"), Status: activity.Str("done")}, activity.OnLead, l.ID))
		if got, _ := leads.Get(ctx, tm.admin, l.ID); again.ID == 0 || !got.ContactedAt.Equal(first) {
			t.Errorf("a later email moved the first contact from %v to %v", first, got.ContactedAt)
		}
	})
}

// Two people change one activity at the same moment, one its subject,
// the other its due time: both changes are kept, every time, and each
// write counts in the version. Two changes made from the same version
// cannot both win: one is refused as a conflict naming the version.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, svc, tm := setup(t, db)
		const rounds = 15
		lost, bothWon := 0, 0
		for r := range rounds {
			act, err := svc.Create(ctx, tm.ann, activity.Patch{Kind: activity.Str("meeting"), Subject: activity.Str("Demo"),
				Due: activity.Str("2026-12-01T10:00"), Duration: activity.Str("60")})
			if err != nil {
				t.Fatal(err)
			}
			subject, due := fmt.Sprintf("Demo %d", r), fmt.Sprintf("2026-12-%02dT15:00", r+2)
			errs := dbtest.Together(
				func() error {
					_, err := svc.Update(ctx, tm.ann, act.ID, activity.Patch{Subject: &subject})
					return err
				},
				func() error {
					_, err := svc.Update(ctx, tm.admin, act.ID, activity.Patch{Due: &due})
					return err
				},
			)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			got, _ := svc.Get(ctx, tm.admin, act.ID)
			if got.Subject != subject || got.DueAt.Format("2006-01-02T15:04") != due || got.Version != act.Version+2 {
				lost++
			}
			errs = dbtest.Together(
				func() error {
					_, err := svc.Update(ctx, tm.ann, act.ID, activity.Patch{Outcome: activity.Str("ann's"), Version: got.Version})
					return err
				},
				func() error {
					_, err := svc.Update(ctx, tm.admin, act.ID, activity.Patch{Outcome: activity.Str("admin's"), Version: got.Version})
					return err
				},
			)
			conflicts := 0
			for _, err := range errs {
				if e := fault.As(err); e != nil && e.Code == fault.Conflict && e.Fields["version"] != "" {
					conflicts++
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if conflicts != 1 {
				bothWon++
			}
		}
		if lost > 0 || bothWon > 0 {
			t.Errorf("of %d rounds, %d lost a change and %d let two writers from one version both win (or neither)", rounds, lost, bothWon)
		}
	})
}

// 120 activities of three kinds are paged 50 at a time by due time: every
// one comes once, in order, and the filters narrow the total.
func TestListPagesByCursorAndFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads, svc, tm := setup(t, db)
		l, _ := leads.Create(ctx, tm.admin, lead.Changes{"email": "eve@alpha.ro", "owner": "ann@example.com"})
		start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		kinds := []string{"task", "call", "meeting"}
		for i := range 120 {
			p := activity.Patch{Kind: activity.Str(kinds[i%3]), Subject: activity.Str(fmt.Sprintf("A%03d", i)),
				// Several share a due time, so the id breaks ties.
				Due: activity.Str(start.Add(time.Duration(i/4) * time.Hour).Format(time.RFC3339))}
			if i%10 == 0 {
				p = withLink(p, activity.OnLead, l.ID)
			}
			if _, err := svc.Create(ctx, tm.ann, p); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		var last time.Time
		o := activity.ListOptions{Limit: 50}
		for pages := 0; ; pages++ {
			p, err := svc.List(ctx, tm.ann, o)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 120 {
				t.Fatalf("total %d", p.Total)
			}
			for _, a := range p.Items {
				if seen[a.Subject] || a.DueAt.Before(last) {
					t.Fatalf("%s came twice or out of order", a.Subject)
				}
				seen[a.Subject], last = true, a.DueAt
			}
			if p.Next == "" {
				break
			}
			o.Cursor = p.Next
		}
		if len(seen) != 120 {
			t.Errorf("paging showed %d of 120", len(seen))
		}
		for _, c := range []struct {
			o    activity.ListOptions
			want int
		}{
			{activity.ListOptions{Kind: "call"}, 40},
			{activity.ListOptions{LinkType: "lead", LinkID: fmt.Sprint(l.ID)}, 12},
			{activity.ListOptions{From: "2026-12-01T10:00:00Z", To: "2026-12-01T12:00:00Z"}, 8},
			{activity.ListOptions{Q: "a11"}, 10},
			{activity.ListOptions{Owner: "me", Status: "planned"}, 120},
		} {
			if p, err := svc.List(ctx, tm.ann, c.o); err != nil || p.Total != c.want {
				t.Errorf("%+v: %d, want %d (%v)", c.o, p.Total, c.want, err)
			}
		}
		for _, c := range []struct {
			o     activity.ListOptions
			field string
		}{
			{activity.ListOptions{Kind: "lunch"}, "kind"},
			{activity.ListOptions{From: "soon"}, "from"},
			{activity.ListOptions{LinkType: "lead", LinkID: "x"}, "link_id"},
			{activity.ListOptions{Sort: "subject"}, "sort"},
			{activity.ListOptions{Cursor: "bm90IGEgY3Vyc29y"}, "cursor"},
		} {
			if _, err := svc.List(ctx, tm.ann, c.o); fields(err)[c.field] == "" {
				t.Errorf("%+v: %v, want %s named", c.o, err, c.field)
			}
		}
	})
}

// Ann in Oslo at 08:00 on 1 December: yesterday's open call is overdue,
// today's meeting (23:30 UTC the day before is 00:30 today in Oslo) and
// today's all-day task are today, Friday's call is upcoming, and a done
// one is not planned any more.
func TestMyDayInTheUsersZone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, svc, tm := setup(t, db)
		oslo := mustZone(t, "Europe/Oslo")
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, oslo)
		add := func(kind, subject, due string, allDay bool, status string) {
			t.Helper()
			p := activity.Patch{Kind: &kind, Subject: &subject, Due: &due, AllDay: &allDay, Status: &status, Zone: oslo}
			if _, err := svc.Create(ctx, tm.ann, p); err != nil {
				t.Fatal(err)
			}
		}
		add("call", "Call Nordic Ltd", "2026-11-30T15:00", false, "planned")
		add("meeting", "Early meeting", "2026-11-30T23:30:00Z", false, "planned")
		add("task", "Send proposal", "2026-12-01", true, "planned")
		add("call", "Follow-up", "2026-12-04T10:00", false, "planned")
		add("call", "Old call", "2026-11-29T10:00", false, "done")
		add("task", "Next month", "2027-01-15T10:00", false, "planned")
		d, err := svc.MyDay(ctx, tm.ann, now, oslo)
		if err != nil {
			t.Fatal(err)
		}
		names := func(list []activity.Activity) string {
			var s []string
			for _, a := range list {
				s = append(s, a.Subject)
			}
			return strings.Join(s, ", ")
		}
		if got := names(d.Overdue); got != "Call Nordic Ltd" {
			t.Errorf("overdue: %s", got)
		}
		if got := names(d.Today); got != "Send proposal, Early meeting" {
			t.Errorf("today: %s", got)
		}
		if got := names(d.Upcoming); got != "Follow-up" {
			t.Errorf("upcoming: %s", got)
		}
		if _, err := svc.MyDay(ctx, tm.bob, now, oslo); err != nil {
			t.Fatal(err)
		}
		if d, _ := svc.MyDay(ctx, tm.bob, now, oslo); len(d.Today)+len(d.Overdue)+len(d.Upcoming) != 0 {
			t.Error("Bob's day shows Ann's activities")
		}
	})
}

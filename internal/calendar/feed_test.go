package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"leadflow/internal/activity"
	"leadflow/internal/calendar"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// due reads a local time as the activity forms do.
func due(t *testing.T, local string, allDay bool, loc *time.Location) time.Time {
	t.Helper()
	d, err := activity.ParseDue(local, allDay, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// parse reads a document back with an independent iCalendar parser and
// returns its events by UID.
func parse(t *testing.T, doc []byte) (*ics.Calendar, map[string]*ics.VEvent) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(doc, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets long, more than RFC 5545 allows: %q", i+1, len(line), line)
		}
		if bytes.Contains(line, []byte("\n")) {
			t.Errorf("line %d has a bare line feed", i+1)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the parser refuses the document: %v\n%s", err, doc)
	}
	byUID := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		byUID[e.Id()] = e
	}
	return cal, byUID
}

func text(e *ics.VEvent, p ics.ComponentProperty) string {
	if v := e.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// A user in Bucharest plans, in their own time, a morning call in
// winter, a meeting across midnight, an all-day task, and meetings
// either side of the night the clocks go forward and back; a calendar
// app reading the feed finds each at the same instant, the all-day one
// on its date, and every text as it was typed.
func TestFeedParsesBackWithTimesZonesAndText(t *testing.T) {
	buc := zone(t, "Europe/Bucharest")
	stamp := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("Întâlnire despre licențe, prețuri; și «termene»\\ ", 4)
	list := []activity.Activity{
		{ID: 1, Kind: activity.Call, Subject: "Call Ana, re: pricing; seats", DueAt: due(t, "2026-12-01T09:30", false, buc),
			Duration: 15 * time.Minute, Status: activity.Planned, Notes: "Line one\nLine two, with a comma", Link: activity.Link{Type: "lead", ID: 7, Name: "Ana Pop"}},
		{ID: 2, Kind: activity.Meeting, Subject: "Late dinner", DueAt: due(t, "2026-12-01T23:30", false, buc), Duration: 90 * time.Minute, Status: activity.Planned},
		{ID: 3, Kind: activity.Task, Subject: "Send proposal", DueAt: due(t, "2026-12-24", true, buc), AllDay: true, Status: activity.Planned},
		{ID: 4, Kind: activity.Meeting, Subject: "Before spring change", DueAt: due(t, "2026-03-28T10:00", false, buc), Duration: time.Hour, Status: activity.Done},
		{ID: 5, Kind: activity.Meeting, Subject: "After spring change", DueAt: due(t, "2026-03-29T10:00", false, buc), Duration: time.Hour, Status: activity.Planned},
		{ID: 6, Kind: activity.Meeting, Subject: "Across the autumn change", DueAt: due(t, "2026-10-25T02:30", false, buc), Duration: 2 * time.Hour, Status: activity.Planned},
		{ID: 7, Kind: activity.Note, Subject: long, DueAt: due(t, "2026-12-02T08:00", false, buc), Status: activity.Cancelled},
	}
	for i := range list {
		list[i].UpdatedAt, list[i].Version = stamp, 3
	}
	cal, events := parse(t, calendar.Feed("ann@example.com", buc.String(), list, "crm.example.com", "https://crm.example.com").Bytes())
	if len(events) != len(list) {
		t.Fatalf("%d events parsed, want %d", len(events), len(list))
	}
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "X-WR-TIMEZONE" && p.Value != "Europe/Bucharest" {
			t.Errorf("X-WR-TIMEZONE %q", p.Value)
		}
	}
	timed := []struct {
		uid        string
		start, end string // in Bucharest's wall clock
		summary    string
	}{
		{"activity-1@crm.example.com", "2026-12-01 09:30 EET", "2026-12-01 09:45 EET", "Call Ana, re: pricing; seats — Ana Pop"},
		{"activity-2@crm.example.com", "2026-12-01 23:30 EET", "2026-12-02 01:00 EET", "Late dinner"},
		{"activity-4@crm.example.com", "2026-03-28 10:00 EET", "2026-03-28 11:00 EET", "✓ Before spring change"},
		{"activity-5@crm.example.com", "2026-03-29 10:00 EEST", "2026-03-29 11:00 EEST", "After spring change"},
		// 02:30 summer time plus two hours of the clock is 03:30 winter time.
		{"activity-6@crm.example.com", "2026-10-25 02:30 EEST", "2026-10-25 03:30 EET", "Across the autumn change"},
	}
	for _, c := range timed {
		e := events[c.uid]
		if e == nil {
			t.Errorf("no event %s", c.uid)
			continue
		}
		start, err1 := e.GetStartAt()
		end, err2 := e.GetEndAt()
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v %v", c.uid, err1, err2)
			continue
		}
		const wall = "2006-01-02 15:04 MST"
		if got := start.In(buc).Format(wall); got != c.start {
			t.Errorf("%s starts %s, want %s", c.uid, got, c.start)
		}
		if got := end.In(buc).Format(wall); got != c.end {
			t.Errorf("%s ends %s, want %s", c.uid, got, c.end)
		}
		if got := text(e, ics.ComponentPropertySummary); got != c.summary {
			t.Errorf("%s summary %q, want %q", c.uid, got, c.summary)
		}
	}
	if e := events["activity-6@crm.example.com"]; e != nil {
		start, _ := e.GetStartAt()
		end, _ := e.GetEndAt()
		if end.Sub(start) != 2*time.Hour {
			t.Errorf("the two-hour meeting over the autumn change lasts %v", end.Sub(start))
		}
	}
	allDay := events["activity-3@crm.example.com"]
	if p := allDay.GetProperty(ics.ComponentPropertyDtStart); p == nil || p.ICalParameters["VALUE"] == nil || p.ICalParameters["VALUE"][0] != "DATE" {
		t.Errorf("the all-day task's DTSTART is not a DATE: %+v", p)
	}
	if s, err := allDay.GetAllDayStartAt(); err != nil || s.Format(time.DateOnly) != "2026-12-24" {
		t.Errorf("the all-day task starts %v (%v)", s, err)
	}
	if e, err := allDay.GetAllDayEndAt(); err != nil || e.Format(time.DateOnly) != "2026-12-25" {
		t.Errorf("the all-day task ends %v (%v), want the next day (exclusive)", e, err)
	}
	one := events["activity-1@crm.example.com"]
	if got := text(one, ics.ComponentPropertyDescription); got != "Line one\nLine two, with a comma" {
		t.Errorf("description %q", got)
	}
	if got := text(one, ics.ComponentPropertyStatus); got != "CONFIRMED" {
		t.Errorf("status %q", got)
	}
	if got := text(one, ics.ComponentPropertySequence); got != "2" {
		t.Errorf("sequence %q, want 2 for the third version", got)
	}
	if got := text(one, ics.ComponentPropertyUrl); got != "https://crm.example.com/activities/1" {
		t.Errorf("url %q", got)
	}
	if st, err := one.GetDtStampTime(); err != nil || !st.Equal(stamp) {
		t.Errorf("DTSTAMP %v (%v)", st, err)
	}
	note := events["activity-7@crm.example.com"]
	if got := text(note, ics.ComponentPropertySummary); got != long {
		t.Errorf("a long summary with escapes and non-ASCII letters, folded, reads back as\n%q\nwant\n%q", got, long)
	}
	if got := text(note, ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("a cancelled activity's status %q", got)
	}
}

// A meeting's .ics file invites the contact on behalf of the owner.
func TestInvitationNamesOrganizerAndAttendee(t *testing.T) {
	m := activity.Activity{ID: 9, Kind: activity.Meeting, Subject: "Demo", DueAt: time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC),
		Duration: 45 * time.Minute, Status: activity.Planned, OwnerEmail: "ann@example.com", Attendee: "ida@fjord.no",
		AttendeeName: `Ida "the boss" Berg`, Version: 1, UpdatedAt: time.Now()}
	cal, events := parse(t, calendar.Invitation(m, "crm.example.com", "https://crm.example.com").Bytes())
	e := events["activity-9@crm.example.com"]
	if e == nil {
		t.Fatal("no event")
	}
	method := ""
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			method = p.Value
		}
	}
	if method != "REQUEST" {
		t.Errorf("METHOD %q", method)
	}
	att := e.Attendees()
	if len(att) != 1 || att[0].Email() != "ida@fjord.no" || att[0].ICalParameters["CN"][0] != "Ida the boss Berg" {
		t.Errorf("attendees %+v", att)
	}
	if o := e.GetProperty(ics.ComponentPropertyOrganizer); o == nil || o.Value != "mailto:ann@example.com" {
		t.Errorf("organizer %+v", o)
	}
	start, _ := e.GetStartAt()
	end, _ := e.GetEndAt()
	if !start.Equal(m.DueAt) || end.Sub(start) != 45*time.Minute {
		t.Errorf("the meeting runs %v to %v", start, end)
	}
}

package calendar

import (
	"fmt"
	"strings"

	"leadflow/internal/activity"
	"leadflow/internal/ical"
)

// Event is activity a as an iCalendar event; host names the server, to
// make its UID unique in the world, and base is the address of its pages.
// Cancelled activities stay in a feed as cancelled, so a client that
// showed them removes them.
func Event(a activity.Activity, host, base string) ical.Event {
	e := ical.Event{
		UID: fmt.Sprintf("activity-%d@%s", a.ID, host), Start: a.DueAt, End: a.End(), AllDay: a.AllDay,
		Summary: summary(a), Description: description(a), Categories: strings.ToUpper(string(a.Kind)),
		Stamp: a.UpdatedAt, Sequence: a.Version - 1, URL: base + "/activities/" + fmt.Sprint(a.ID),
	}
	switch a.Status {
	case activity.Cancelled:
		e.Status = "CANCELLED"
	case activity.Planned:
		e.Status = "CONFIRMED"
	}
	if !a.AllDay && a.Duration == 0 {
		e.End = a.DueAt
	}
	return e
}

func summary(a activity.Activity) string {
	s := a.Subject
	if a.Link.Name != "" {
		s += " — " + a.Link.Name
	}
	if a.Status == activity.Done {
		s = "✓ " + s
	}
	return s
}

func description(a activity.Activity) string {
	var parts []string
	if a.Notes != "" {
		parts = append(parts, a.Notes)
	}
	if a.Outcome != "" {
		parts = append(parts, "Outcome: "+a.Outcome)
	}
	return strings.Join(parts, "\n\n")
}

// Feed is the calendar of a user's activities.
func Feed(email, zone string, list []activity.Activity, host, base string) ical.Calendar {
	c := ical.Calendar{Name: "leadflow: " + email, Zone: zone}
	for _, a := range list {
		c.Events = append(c.Events, Event(a, host, base))
	}
	return c
}

// Invitation is the .ics file of a meeting: the owner organizes it and
// the contact is invited.
func Invitation(a activity.Activity, host, base string) ical.Calendar {
	e := Event(a, host, base)
	e.Organizer, e.Attendee, e.AttendeeName = a.OwnerEmail, a.Attendee, a.AttendeeName
	return ical.Calendar{Method: "REQUEST", Events: []ical.Event{e}}
}

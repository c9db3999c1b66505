// Package ical writes iCalendar documents (RFC 5545): the calendar feed
// that calendar apps subscribe to and the invitation file of a meeting.
// Times are written in UTC ("Z"), which every client shows in its own
// zone; all-day events are dates. Text is escaped and lines are folded
// at 75 octets without splitting a UTF-8 character.
package ical

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	UID         string
	Start, End  time.Time // End is zero for an event of no length
	AllDay      bool      // Start and End are dates (End exclusive)
	Summary     string
	Description string
	Status      string // TENTATIVE, CONFIRMED or CANCELLED; "" for none
	Categories  string
	URL         string
	Stamp       time.Time // DTSTAMP: when the event last changed
	Sequence    int64
	// Organizer and Attendee are email addresses, "" for none.
	Organizer, Attendee, AttendeeName string
}

// Calendar is one VCALENDAR.
type Calendar struct {
	Name   string // X-WR-CALNAME: what a subscribing app calls it
	Zone   string // X-WR-TIMEZONE: the owner's zone, a hint for display
	Method string // "" or REQUEST for an invitation
	Events []Event
}

// Bytes returns the document, CRLF line ends.
func (c Calendar) Bytes() []byte {
	var b bytes.Buffer
	w := func(name, value string) { fold(&b, name+":"+value) }
	w("BEGIN", "VCALENDAR")
	w("VERSION", "2.0")
	w("PRODID", "-//leadflow//activities//EN")
	w("CALSCALE", "GREGORIAN")
	if c.Method != "" {
		w("METHOD", c.Method)
	}
	if c.Name != "" {
		w("X-WR-CALNAME", Text(c.Name))
	}
	if c.Zone != "" {
		w("X-WR-TIMEZONE", Text(c.Zone))
	}
	for _, e := range c.Events {
		w("BEGIN", "VEVENT")
		w("UID", Text(e.UID))
		w("DTSTAMP", utc(e.Stamp))
		if e.AllDay {
			w("DTSTART;VALUE=DATE", e.Start.Format("20060102"))
			end := e.End
			if !end.After(e.Start) {
				end = e.Start.AddDate(0, 0, 1)
			}
			w("DTEND;VALUE=DATE", end.Format("20060102"))
		} else {
			w("DTSTART", utc(e.Start))
			if e.End.After(e.Start) {
				w("DTEND", utc(e.End))
			}
		}
		w("SUMMARY", Text(e.Summary))
		if e.Description != "" {
			w("DESCRIPTION", Text(e.Description))
		}
		if e.Categories != "" {
			w("CATEGORIES", Text(e.Categories))
		}
		if e.Status != "" {
			w("STATUS", e.Status)
		}
		if e.URL != "" {
			w("URL", e.URL)
		}
		if e.Sequence > 0 {
			w("SEQUENCE", fmt.Sprint(e.Sequence))
		}
		if e.Organizer != "" {
			w("ORGANIZER", "mailto:"+e.Organizer)
		}
		if e.Attendee != "" {
			p := "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
			if e.AttendeeName != "" {
				p += ";CN=" + param(e.AttendeeName)
			}
			w(p, "mailto:"+e.Attendee)
		}
		w("END", "VEVENT")
	}
	w("END", "VCALENDAR")
	return b.Bytes()
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Text escapes a TEXT value (RFC 5545 3.3.11).
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// param quotes a parameter value; a double quote cannot appear in one.
func param(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return `"` + s + `"`
}

// fold writes line with CRLF, folded so no line exceeds 75 octets.
func fold(b *bytes.Buffer, line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

// Package activity holds what the sales team does and plans: tasks,
// calls, meetings, logged emails and notes, each with an owner, a due
// time, a duration, a status and an outcome, and linked to at most one
// lead, contact, account or opportunity.
//
// Times are stored in UTC. An all-day activity keeps its date as
// midnight UTC and stays on that date whatever the viewer's time zone.
//
// A sales user sees and changes the activities it owns (and unowned
// ones), and links them only to records it may see. A planned activity
// that a sales user completes on a lead is the lead's first contact.
package activity

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/fault"
)

// Kind is what sort of activity it is.
type Kind string

// The kinds of activity.
const (
	Task    Kind = "task"
	Call    Kind = "call"
	Meeting Kind = "meeting"
	Email   Kind = "email" // an email sent or received outside leadflow, logged
	Note    Kind = "note"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{Task, Call, Meeting, Email, Note}

func (k Kind) valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Status is where an activity stands.
type Status string

// The statuses.
const (
	Planned   Status = "planned"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Statuses lists every status.
var Statuses = []Status{Planned, Done, Cancelled}

func (s Status) valid() bool { return s == Planned || s == Done || s == Cancelled }

// The record types an activity can be linked to.
const (
	OnLead        = "lead"
	OnContact     = "contact"
	OnAccount     = "account"
	OnOpportunity = "opportunity"
)

// LinkTypes lists the record types an activity can be linked to.
var LinkTypes = []string{OnLead, OnContact, OnAccount, OnOpportunity}

// Link is the record an activity is about; Type is "" for none.
type Link struct {
	Type string
	ID   int64
	Name string // the record's name, for showing
}

// Path is the record's page, "" for none.
func (l Link) Path() string {
	switch l.Type {
	case OnLead:
		return fmt.Sprintf("/leads/%d", l.ID)
	case OnContact:
		return fmt.Sprintf("/contacts/%d", l.ID)
	case OnAccount:
		return fmt.Sprintf("/accounts/%d", l.ID)
	case OnOpportunity:
		return fmt.Sprintf("/deals/%d", l.ID)
	}
	return ""
}

// Activity is one task, call, meeting, logged email or note.
type Activity struct {
	ID         int64
	Kind       Kind
	Subject    string
	Notes      string
	OwnerID    int64
	OwnerEmail string
	DueAt      time.Time // UTC; midnight UTC of its date when AllDay
	AllDay     bool
	Duration   time.Duration // whole minutes; 0 for a moment (a task, a note)
	Status     Status
	Outcome    string
	// CompletedAt is when it was marked done; nil otherwise.
	CompletedAt *time.Time
	Link        Link
	// Attendee is the person it is with: the linked lead's or contact's
	// email, or an opportunity's contact's; "" when none.
	Attendee     string
	AttendeeName string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64 // counts the writes of the row, as a lead's does
}

// End is when the activity ends: its due time plus its duration, or the
// next midnight UTC for an all-day one.
func (a Activity) End() time.Time {
	if a.AllDay {
		return a.DueAt.AddDate(0, 0, 1)
	}
	return a.DueAt.Add(a.Duration)
}

// Date is the activity's calendar date in loc: an all-day activity's own
// date, whatever loc is.
func (a Activity) Date(loc *time.Location) time.Time {
	if a.AllDay {
		return a.DueAt
	}
	t := a.DueAt.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Overdue reports whether a planned activity's time has passed at now;
// an all-day one is overdue once its date is over in loc.
func (a Activity) Overdue(now time.Time, loc *time.Location) bool {
	if a.Status != Planned {
		return false
	}
	if a.AllDay {
		n := now.In(loc)
		return a.DueAt.Before(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC))
	}
	return a.DueAt.Before(now)
}

// CountsAsContact reports whether completing the activity means someone
// spoke or wrote to the person: every kind but a note.
func (a Activity) CountsAsContact() bool { return a.Kind != Note }

// Patch is a change to an activity, or a new one, as a form or the API
// sends it, in text; nil fields are left as they are. Due is read as
// RFC 3339 (with its offset), as a local "2006-01-02T15:04" in Zone, or,
// for an all-day activity, as a date.
type Patch struct {
	Kind, Subject, Notes, Owner  *string
	Due, Duration, Status        *string
	Outcome                      *string
	AllDay                       *bool
	LinkType                     *string
	LinkID                       *int64
	Zone                         *time.Location // where a local Due is read; UTC when nil
	Version                      int64          // the version the change was made from; 0 skips the check
	ownerID                      int64          // resolved by the service
	ownerEmail, linkName, attend string
}

// Str returns a pointer to s, for building patches.
func Str(s string) *string { return &s }

// MaxDuration bounds an activity's length: a week.
const MaxDuration = 7 * 24 * time.Hour

// apply validates p onto act, naming each bad field in bad.
func (p Patch) apply(act *Activity, bad fault.Fields) {
	if p.Kind != nil {
		act.Kind = Kind(strings.ToLower(strings.TrimSpace(*p.Kind)))
		if !act.Kind.valid() {
			bad.Add("kind", "must be one of task, call, meeting, email, note")
		}
	}
	if p.Subject != nil {
		act.Subject = strings.TrimSpace(*p.Subject)
		if act.Subject == "" || utf8.RuneCountInString(act.Subject) > 200 {
			bad.Add("subject", "is required, at most 200 characters")
		}
	}
	if p.Notes != nil {
		act.Notes = strings.TrimSpace(*p.Notes)
		if utf8.RuneCountInString(act.Notes) > 10000 {
			bad.Add("notes", "must be at most 10,000 characters")
		}
	}
	if p.Outcome != nil {
		act.Outcome = strings.TrimSpace(*p.Outcome)
		if utf8.RuneCountInString(act.Outcome) > 1000 {
			bad.Add("outcome", "must be at most 1,000 characters")
		}
	}
	if p.AllDay != nil {
		act.AllDay = *p.AllDay
	}
	if p.Due != nil {
		t, err := ParseDue(*p.Due, act.AllDay, p.Zone)
		if err != nil {
			bad.Add("due_at", err.Error())
		} else {
			act.DueAt = t
		}
	} else if p.AllDay != nil && act.AllDay {
		act.DueAt = time.Date(act.DueAt.Year(), act.DueAt.Month(), act.DueAt.Day(), 0, 0, 0, 0, time.UTC)
	}
	if p.Duration != nil {
		d, err := parseDuration(*p.Duration)
		if err != nil {
			bad.Add("duration", err.Error())
		} else {
			act.Duration = d
		}
	}
	if act.AllDay {
		act.Duration = 0
	}
	if p.Status != nil {
		act.Status = Status(strings.ToLower(strings.TrimSpace(*p.Status)))
		if !act.Status.valid() {
			bad.Add("status", "must be one of planned, done, cancelled")
		}
	}
}

// ParseDue reads a due time: RFC 3339 with an offset, or a local
// "2006-01-02T15:04" (seconds allowed) in loc (UTC when nil), or a date
// "2006-01-02" for an all-day activity, which keeps only the date. A
// local time that a daylight-saving change skips is read as time.Date
// does, moved forward by the gap; one that the autumn change makes
// happen twice is read as the first of the two.
func ParseDue(s string, allDay bool, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	if s == "" {
		return time.Time{}, fmt.Errorf("is required: a date and time")
	}
	if allDay {
		if len(s) >= 10 {
			if d, err := time.Parse(time.DateOnly, s[:10]); err == nil {
				return d, nil
			}
		}
		return time.Time{}, fmt.Errorf("must be a date as YYYY-MM-DD for an all-day activity")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Truncate(time.Minute), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return firstOf(t, loc).UTC().Truncate(time.Minute), nil
		}
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return time.Time{}, fmt.Errorf("needs a time of day too (YYYY-MM-DDTHH:MM), or mark the activity all-day")
	}
	return time.Time{}, fmt.Errorf("must be a date and time as YYYY-MM-DDTHH:MM, or RFC 3339 with an offset")
}

// firstOf returns the earlier instant that shows t's wall clock in loc,
// when the clock was turned back over it; t otherwise. time.Date does
// not promise which of the two it picks.
func firstOf(t time.Time, loc *time.Location) time.Time {
	wall := t.In(loc).Format("2006-01-02T15:04:05")
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); e.In(loc).Format("2006-01-02T15:04:05") == wall {
			return e
		}
	}
	return t
}

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || time.Duration(n)*time.Minute > MaxDuration {
		return 0, fmt.Errorf("must be whole minutes from 0 to %d", int(MaxDuration/time.Minute))
	}
	return time.Duration(n) * time.Minute, nil
}

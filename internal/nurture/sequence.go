// Package nurture keeps leads that are not ready warm: sequences of
// email steps, waits and branches that leads are enrolled in by a
// trigger, driven by the job system. Each enrolment keeps its step and
// when it is next due in the database, and every email is queued under
// a key naming the enrolment and step, so a restart or a second instance
// goes on where it stopped and sends nothing twice. No email goes
// without the lead's recorded consent, to a suppressed (unsubscribed or
// bounced) address, or while email is not configured.
package nurture

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
)

// Sequence statuses.
const (
	Draft  = "draft"  // enrols no one, sends nothing
	Active = "active" // enrols and sends
	Paused = "paused" // keeps its enrolments waiting
)

// Triggers: what enrols a lead.
const (
	TriggerManual  = "manual"  // only by hand, or through the API
	TriggerStage   = "stage"   // the lead reached the stage in Ref
	TriggerForm    = "form"    // the lead submitted the form whose slug is Ref
	TriggerNurture = "nurture" // sales sent the lead back to nurturing
	TriggerSegment = "segment" // the lead entered the segment whose id is Ref
)

// Step kinds.
const (
	StepEmail     = "email"      // send TemplateID
	StepWait      = "wait"       // wait Days (and Hours)
	StepWaitUntil = "wait_until" // wait until Weekday at Hour, in the lead's time zone
	StepBranch    = "branch"     // if If holds, go to step Goto; else go on
)

// Branch conditions.
const (
	IfOpened     = "opened"      // the sequence's last email was opened
	IfClicked    = "clicked"     // a link in it was clicked
	IfScoreAbove = "score_above" // the lead's score is above Value
)

// Step is one step of a sequence.
type Step struct {
	Kind       string `json:"kind"`
	TemplateID int64  `json:"template_id,omitempty"`
	Days       int    `json:"days,omitempty"`
	Hours      int    `json:"hours,omitempty"`
	Weekday    string `json:"weekday,omitempty"` // mon … sun
	Hour       int    `json:"hour,omitempty"`
	If         string `json:"if,omitempty"`
	Value      int    `json:"value,omitempty"`
	Goto       int    `json:"goto,omitempty"` // 1-based step number
}

// Sequence is a nurturing sequence.
type Sequence struct {
	ID          int64
	Name        string
	Status      string
	TriggerKind string
	TriggerRef  string
	Steps       []Step
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// MaxSteps bounds a sequence.
const MaxSteps = 50

// Validate checks s against the templates that exist and names each
// problem: steps are keyed steps.N.field, N counting from 1 as the page
// shows them.
func (s *Sequence) Validate(templateExists func(int64) bool) error {
	bad := fault.Fields{}
	s.Name = strings.TrimSpace(s.Name)
	switch {
	case s.Name == "":
		bad.Add("name", "is required")
	case utf8.RuneCountInString(s.Name) > 200:
		bad.Add("name", "must be at most 200 characters")
	}
	if s.Status == "" {
		s.Status = Draft
	}
	if s.Status != Draft && s.Status != Active && s.Status != Paused {
		bad.Add("status", "must be draft, active or paused")
	}
	s.TriggerRef = strings.TrimSpace(s.TriggerRef)
	switch s.TriggerKind {
	case "", TriggerManual, TriggerNurture:
		if s.TriggerKind == "" {
			s.TriggerKind = TriggerManual
		}
		s.TriggerRef = ""
	case TriggerStage:
		if st := lead.Stage(s.TriggerRef); !st.Valid() {
			bad.Add("trigger_ref", "must be a stage, such as lead or mql")
		}
	case TriggerForm, TriggerSegment:
		if s.TriggerRef == "" {
			bad.Add("trigger_ref", "must name the "+s.TriggerKind)
		}
	default:
		bad.Add("trigger_kind", "must be manual, stage, form, nurture or segment")
	}
	if len(s.Steps) == 0 && s.Status == Active {
		bad.Add("steps", "an active sequence needs at least one step")
	}
	if len(s.Steps) > MaxSteps {
		bad.Add("steps", fmt.Sprintf("must be at most %d", MaxSteps))
	}
	for i := range s.Steps {
		validateStep(&s.Steps[i], i+1, len(s.Steps), templateExists, bad)
	}
	return bad.Err()
}

func validateStep(st *Step, n, count int, templateExists func(int64) bool, bad fault.Fields) {
	at := fmt.Sprintf("steps.%d.", n)
	switch st.Kind {
	case StepEmail:
		if st.TemplateID == 0 || !templateExists(st.TemplateID) {
			bad.Add(at+"template_id", "must be one of the templates")
		}
	case StepWait:
		if st.Days < 0 || st.Hours < 0 || st.Days*24+st.Hours <= 0 || st.Days > 365 {
			bad.Add(at+"days", "must wait at least an hour and at most 365 days")
		}
	case StepWaitUntil:
		if _, ok := weekdays[st.Weekday]; !ok && st.Weekday != "" {
			bad.Add(at+"weekday", "must be mon, tue, wed, thu, fri, sat, sun, or empty for any day")
		}
		if st.Hour < 0 || st.Hour > 23 {
			bad.Add(at+"hour", "must be 0 to 23")
		}
	case StepBranch:
		switch st.If {
		case IfOpened, IfClicked:
		case IfScoreAbove:
			if st.Value < -1000 || st.Value > 1000 {
				bad.Add(at+"value", "must be a score from -1000 to 1000")
			}
		default:
			bad.Add(at+"if", "must be opened, clicked or score_above")
		}
		if st.Goto < 1 || st.Goto > count+1 || st.Goto == n {
			bad.Add(at+"goto", fmt.Sprintf("must be another step from 1 to %d (%d ends the sequence)", count+1, count+1))
		}
	default:
		bad.Add(at+"kind", "must be email, wait, wait_until or branch")
	}
}

// Describe says what a step does, in English words.
func (st Step) Describe(steps int, templateName func(int64) string) string {
	return st.DescribeIn(i18n.For(i18n.Default), steps, templateName)
}

// DescribeIn says what a step does in l's language, for the sequence
// page; steps is the sequence's length, past which a branch ends it.
func (st Step) DescribeIn(l *i18n.Locale, steps int, templateName func(int64) string) string {
	switch st.Kind {
	case StepEmail:
		return l.T("nurstep.send", "Template", templateName(st.TemplateID))
	case StepWait:
		return l.T("nurstep.wait", "Duration", duration(l, st.Days, st.Hours))
	case StepWaitUntil:
		day := l.T("nurstep.next_day")
		if st.Weekday != "" {
			day = l.T("nurstep.next_weekday", "Day", l.Weekday(time.Weekday(weekdays[st.Weekday])))
		}
		return l.T("nurstep.wait_until", "Day", day, "Hour", fmt.Sprintf("%02d:00", st.Hour))
	case StepBranch:
		cond := map[string]string{IfOpened: l.T("nurstep.if_opened"), IfClicked: l.T("nurstep.if_clicked"),
			IfScoreAbove: l.T("nurstep.if_score_above", "Score", st.Value)}[st.If]
		if st.Goto > steps {
			return l.T("nurstep.branch_end", "Condition", cond)
		}
		return l.T("nurstep.branch", "Condition", cond, "Step", st.Goto)
	}
	return st.Kind
}

func duration(l *i18n.Locale, days, hours int) string {
	var parts []string
	if days > 0 {
		parts = append(parts, l.T("nurstep.days", "Count", days))
	}
	if hours > 0 {
		parts = append(parts, l.T("nurstep.hours", "Count", hours))
	}
	return strings.Join(parts, " "+l.T("nurstep.and")+" ")
}

// nextDue is when a lead arriving at step st at now is due to run it:
// at once, except for waits.
func (st Step) nextDue(now time.Time, zone *time.Location) time.Time {
	switch st.Kind {
	case StepWait:
		return now.Add(time.Duration(st.Days)*24*time.Hour + time.Duration(st.Hours)*time.Hour)
	case StepWaitUntil:
		local := now.In(zone)
		t := time.Date(local.Year(), local.Month(), local.Day(), st.Hour, 0, 0, 0, zone)
		for !t.After(local) || (st.Weekday != "" && t.Weekday() != weekdays[st.Weekday]) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, st.Hour, 0, 0, 0, zone)
		}
		return t.UTC()
	}
	return now
}

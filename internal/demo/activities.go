package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	act "leadflow/internal/activity"
	"leadflow/internal/crm"
	"leadflow/internal/lead"
	"leadflow/internal/user"
)

// zones are where the demo's people work.
var zones = map[string]string{
	"admin@leadflow.test": "Europe/Rome", "maria.marketing@leadflow.test": "Europe/Rome",
	"sam.sales@leadflow.test": "Europe/Bucharest", "ines.sales@leadflow.test": "Europe/Paris", "lars.sales@leadflow.test": "Europe/Oslo",
}

var (
	callSubjects = []string{"Discovery call", "Follow-up call on the proposal", "Qualification call (BANT)", "Call back: asked about pricing",
		"Check-in after the webinar", "Intro call with the IT lead"}
	callOutcomes = []string{"Interested; wants a demo for the team", "Left a voicemail", "Budget confirmed for next quarter",
		"Not the decision maker; introduced us to the CFO", "Asked for references in their industry", "No answer; try again Thursday"}
	emailSubjects = []string{"Sent the case study", "Sent pricing for 25 seats", "Replied to security questionnaire",
		"Sent the meeting recap", "Shared the migration plan"}
	taskSubjects = []string{"Prepare the proposal", "Update the deal's close date", "Ask legal for the DPA",
		"Send the contract for signature", "Book a demo room", "Research their current CRM"}
	meetingSubjects = []string{"Product demo", "Pricing workshop", "Kick-off meeting", "Technical deep dive", "Contract review"}
	noteSubjects    = []string{"Decision in two weeks", "Uses spreadsheets today", "Competitor in the running", "Champion: the head of sales"}
)

// seedActivities gives each sales user a believable week: calls and
// emails done over the last weeks (on their leads, which makes their
// first contacts), a few things overdue, today's calls and meetings,
// meetings with their deals' contacts in the weeks ahead, and notes. Each
// user works in a zone of their own; times are working hours there.
func seedActivities(ctx context.Context, svc Services, rng *rand.Rand, sales []user.User, now time.Time) error {
	if svc.Activities == nil || svc.Calendar == nil {
		return nil
	}
	defer svc.Activities.SetClock(time.Now)
	for _, in := range Team {
		u, err := svc.Users.ByEmail(ctx, in.Email)
		if err != nil {
			return err
		}
		if _, err := svc.Calendar.SetZone(ctx, u.Actor(), zones[in.Email]); err != nil {
			return err
		}
	}
	for _, u := range sales {
		if err := seedUserActivities(ctx, svc, rng, u, now); err != nil {
			return fmt.Errorf("demo: activities of %s: %w", u.Email, err)
		}
	}
	return nil
}

func seedUserActivities(ctx context.Context, svc Services, rng *rand.Rand, u user.User, now time.Time) error {
	a := u.Actor()
	loc, err := time.LoadLocation(zones[u.Email])
	if err != nil {
		return err
	}
	f, _ := lead.ParseFilter(map[string][]string{"owner": {"me"}, "stage": {"lead", "mql", "sql"}, "limit": {"40"}, "sort": {"-created_at"}})
	mine, err := svc.Leads.List(ctx, a, f, false)
	if err != nil {
		return err
	}
	deals, err := svc.CRM.Opportunities(ctx, a, crm.ListOptions{Owner: "me", Limit: 30})
	if err != nil {
		return err
	}
	// at is a working hour d days from today in the user's zone, on a
	// weekday: a weekend moves to the Friday before (past) or the Monday
	// after (future).
	at := func(d, hour, minute int) time.Time {
		n := now.In(loc)
		t := time.Date(n.Year(), n.Month(), n.Day()+d, hour, minute, 0, 0, loc)
		switch {
		case d == 0:
		case t.Weekday() == time.Saturday:
			t = t.AddDate(0, 0, map[bool]int{true: -1, false: 2}[d < 0])
		case t.Weekday() == time.Sunday:
			t = t.AddDate(0, 0, map[bool]int{true: -2, false: 1}[d < 0])
		}
		return t
	}
	add := func(kind act.Kind, subject string, due time.Time, minutes int, status act.Status, outcome, linkType string, linkID int64) error {
		// A finished activity was finished when it ended.
		svc.Activities.SetClock(func() time.Time { return due.Add(time.Duration(minutes) * time.Minute) })
		p := act.Patch{Kind: act.Str(string(kind)), Subject: &subject, Due: act.Str(due.UTC().Format(time.RFC3339)),
			Duration: act.Str(fmt.Sprint(minutes)), Status: act.Str(string(status)), Outcome: &outcome}
		if linkType != "" {
			p.LinkType, p.LinkID = &linkType, &linkID
		}
		_, err := svc.Activities.Create(ctx, a, p)
		return err
	}
	for i, l := range mine.Leads {
		// What was done on a lead was done after it arrived: a day
		// drawn before then moves between its arrival and now.
		past := func(t time.Time) time.Time {
			if t.Before(l.CreatedAt) {
				return l.CreatedAt.Add(now.Sub(l.CreatedAt) / 2)
			}
			return t
		}
		var err error
		switch i % 5 {
		case 0, 1: // called or written to in the last three weeks
			d := -1 - rng.IntN(20)
			if rng.IntN(2) == 0 {
				err = add(act.Call, pick(rng, callSubjects), past(at(d, 9+rng.IntN(8), 15*rng.IntN(4))), 15+15*rng.IntN(2), act.Done, pick(rng, callOutcomes), act.OnLead, l.ID)
			} else {
				err = add(act.Email, pick(rng, emailSubjects), past(at(d, 9+rng.IntN(8), 5*rng.IntN(12))), 0, act.Done, "", act.OnLead, l.ID)
			}
			if err == nil && i%2 == 0 { // and a follow-up planned
				err = add(act.Call, "Follow-up call", at(1+rng.IntN(10), 9+rng.IntN(8), 30*rng.IntN(2)), 15, act.Planned, "", act.OnLead, l.ID)
			}
		case 2: // overdue: should have been done already
			err = add(act.Call, pick(rng, callSubjects), at(-1-rng.IntN(3), 10+rng.IntN(6), 0), 15, act.Planned, "", act.OnLead, l.ID)
		case 3: // today
			err = add(pick(rng, []act.Kind{act.Call, act.Email, act.Task}), pick(rng, []string{"Call to agree next steps",
				"Send the requested brochure", "Confirm the demo date"}), at(0, 9+rng.IntN(9), 15*rng.IntN(4)), 15, act.Planned, "", act.OnLead, l.ID)
		default:
			if rng.IntN(2) == 0 {
				err = add(act.Note, pick(rng, noteSubjects), past(at(-rng.IntN(15), 12, 0)), 0, act.Done, "", act.OnLead, l.ID)
			}
		}
		if err != nil {
			return err
		}
	}
	for i, o := range deals.Items {
		if o.ClosedAt != nil {
			continue
		}
		linkType, linkID := act.OnOpportunity, o.ID
		if o.ContactID != 0 {
			linkType, linkID = act.OnContact, o.ContactID
		}
		if err := add(act.Meeting, pick(rng, meetingSubjects)+" — "+o.AccountName, at(i%12-1, 10+rng.IntN(6), 30*rng.IntN(2)), 30+30*rng.IntN(3),
			map[bool]act.Status{true: act.Done, false: act.Planned}[i%12 == 0], "", linkType, linkID); err != nil {
			return err
		}
		if i%3 == 0 {
			if err := add(act.Task, pick(rng, taskSubjects), at(rng.IntN(7), 17, 0), 0, act.Planned, "", act.OnOpportunity, o.ID); err != nil {
				return err
			}
		}
	}
	// This week's all-day pipeline review on Friday, and a late call with
	// an office overseas that runs past midnight.
	review := at((int(time.Friday)-int(now.In(loc).Weekday())+7)%7, 0, 0)
	allDay := true
	svc.Activities.SetClock(func() time.Time { return now })
	if _, err := svc.Activities.Create(ctx, a, act.Patch{Kind: act.Str("task"), Subject: act.Str("Weekly pipeline review"),
		Due: act.Str(review.Format(time.DateOnly)), AllDay: &allDay}); err != nil {
		return err
	}
	return add(act.Call, "Call with the Toronto office", at(2, 23, 30), 60, act.Planned, "", "", 0)
}

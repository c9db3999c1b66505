package web

import (
	"leadflow/internal/i18n"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/calendar"
	"leadflow/internal/fault"
	"leadflow/internal/user"
)

// calendarData is the calendar page: one month, one week or an agenda of
// two weeks, of one user's activities, a team's or everyone's.
type calendarData struct {
	View        string // month, week or agenda
	Heading     string
	Date        string // the day the view is anchored on, YYYY-MM-DD
	Prev, Next  string // links to the neighbouring periods
	Today       string
	Weeks       [][]calendar.Day // month
	Days        []calendar.Day   // week and agenda
	Hours       []int            // the hours the week grid shows
	Who         string
	ShowOwner   bool
	Users       []user.User
	Teams       []calendar.Team
	Zone        *time.Location
	SeesOthers  bool
	ThisPath    string
	ItemsInView int
}

// link is the calendar's address for view, date and who.
func calendarLink(view, date, who string) string {
	return "/calendar?" + url.Values{"view": {view}, "date": {date}, "who": {who}}.Encode()
}

// calendarOwners reads who the calendar shows: "me", "all", "user:ID" or
// "team:ID"; nil means everyone a may see.
func (h *Web) calendarOwners(r *http.Request, who string, teams []calendar.Team) ([]int64, error) {
	a := actor(r)
	kind, id, _ := strings.Cut(who, ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	switch {
	case who == "" || who == "me":
		return []int64{a.ID}, nil
	case who == "all":
		return nil, nil
	case kind == "user" && n > 0:
		return []int64{n}, nil
	case kind == "team" && n > 0:
		for _, t := range teams {
			if t.ID == n {
				return append([]int64{}, t.Members...), nil
			}
		}
	}
	return nil, &fault.Error{Code: fault.Invalid, Message: "The calendar cannot show " + who + ": choose yourself, a user, a team or everyone.",
		Fields: map[string]string{"who": "must be me, all, user:ID or team:ID"}}
}

func (h *Web) showCalendar(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc, now := h.zone(r), time.Now()
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	d := calendarData{View: q.Get("view"), Who: q.Get("who"), Zone: loc, SeesOthers: actor(r).SeesAllLeads(), Today: today.Format(time.DateOnly)}
	if d.View == "" {
		d.View = "month"
	}
	if d.Who == "" {
		d.Who = "me"
	}
	date := today
	if s := q.Get("date"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "The date must be written as YYYY-MM-DD."})
			return
		}
		date = t
	}
	d.Date = date.Format(time.DateOnly)
	var err error
	if d.Teams, err = h.Calendar.Teams(r.Context()); err == nil {
		d.Users, err = h.Users.List(r.Context())
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	owners, err := h.calendarOwners(r, d.Who, d.Teams)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.ShowOwner = owners == nil || len(owners) > 1
	var span calendar.Span
	var prev, next time.Time
	switch d.View {
	case "month":
		span = calendar.MonthSpan(date.Year(), date.Month())
		first := time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, time.UTC)
		prev, next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
		d.Heading = i18n.From(r.Context()).MonthYear(date)
	case "week":
		span = calendar.WeekSpan(date)
		prev, next = span.From.AddDate(0, 0, -7), span.From.AddDate(0, 0, 7)
		d.Heading = i18n.T(r.Context(), "cal.week_of", "Date", i18n.From(r.Context()).Date(span.From))
	case "agenda":
		span = calendar.AgendaSpan(date, 14)
		prev, next = date.AddDate(0, 0, -14), date.AddDate(0, 0, 14)
		d.Heading = i18n.T(r.Context(), "cal.from", "Date", i18n.From(r.Context()).LongDate(date))
	default:
		h.fail(w, r, &fault.Error{Code: fault.Invalid, Message: "The calendar shows a month, a week or an agenda."})
		return
	}
	from, to := span.Instants(loc)
	list, err := h.Activities.Between(r.Context(), actor(r), owners, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.ItemsInView = len(list)
	inMonth := time.Month(0)
	if d.View == "month" {
		inMonth = date.Month()
	}
	days := calendar.Days(span, calendar.Place(list, loc, now), loc, now, inMonth)
	switch d.View {
	case "month":
		d.Weeks = calendar.Weeks(days)
	case "week":
		d.Days, d.Hours = days, weekHours(days)
	case "agenda":
		d.Days = days
	}
	d.Prev, d.Next = calendarLink(d.View, prev.Format(time.DateOnly), d.Who), calendarLink(d.View, next.Format(time.DateOnly), d.Who)
	d.ThisPath = r.URL.RequestURI()
	h.render(w, r, "calendar", page{Title: "Calendar", Nav: "calendar", Data: d})
}

// weekHours are the working hours, 7 to 19, and any other hour something
// starts in that week.
func weekHours(days []calendar.Day) []int {
	var out []int
	for hr := 0; hr < 24; hr++ {
		busy := hr >= 7 && hr <= 19
		for _, d := range days {
			busy = busy || len(d.Hours[hr]) > 0
		}
		if busy {
			out = append(out, hr)
		}
	}
	return out
}

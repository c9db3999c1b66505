package calendar

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"leadflow/internal/activity"
	"leadflow/internal/i18n"
)

// Item is an activity placed on a calendar, with its times in the
// viewer's zone.
type Item struct {
	activity.Activity
	// Clock is the local start time ("14:30"), "" for all-day.
	Clock string
	// Local is the local start as a form's datetime-local value (the
	// date alone for all-day).
	Local string
	// Overdue marks a planned one whose time has passed.
	Overdue bool
}

// LocalLayout is Item.Local's layout for an activity at a time of day.
const LocalLayout = "2006-01-02T15:04"

// When says when it is, for a list, in l's words: "Mon 30 Nov 14:30" or
// "Thu 3 Dec · all day" in English.
func (it Item) When(l *i18n.Locale) string {
	if it.AllDay {
		d, _ := time.Parse(time.DateOnly, it.Local)
		return l.ShortDay(d) + " · " + l.T("flash.all_day")
	}
	t, _ := time.Parse(LocalLayout, it.Local)
	return l.ShortDay(t) + " " + it.Clock
}

// Place gives each activity its local times in loc at now.
func Place(list []activity.Activity, loc *time.Location, now time.Time) []Item {
	out := make([]Item, len(list))
	for i, a := range list {
		it := Item{Activity: a, Overdue: a.Overdue(now, loc)}
		if a.AllDay {
			it.Local = a.DueAt.Format(time.DateOnly)
		} else {
			t := a.DueAt.In(loc)
			it.Clock, it.Local = t.Format("15:04"), t.Format(LocalLayout)
		}
		out[i] = it
	}
	return out
}

// Day is one date of a calendar with what is due on it.
type Day struct {
	Date    time.Time // midnight UTC of the local date
	InRange bool      // in the month shown (month view)
	Today   bool
	AllDay  []Item
	Timed   []Item
	// Hours are Timed by local start hour (week view).
	Hours [24][]Item
}

// Key is the date as YYYY-MM-DD.
func (d Day) Key() string { return d.Date.Format(time.DateOnly) }

// Empty reports whether nothing is due on the day.
func (d Day) Empty() bool { return len(d.AllDay) == 0 && len(d.Timed) == 0 }

// Span is the local days [From, To) a view covers, for reading the
// activities due in it.
type Span struct{ From, To time.Time }

// Instants returns the span as instants in loc, for Between.
func (s Span) Instants(loc *time.Location) (time.Time, time.Time) {
	at := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc) }
	return at(s.From), at(s.To)
}

// MonthSpan is the whole weeks, Monday first, that show month m of year y.
func MonthSpan(y int, m time.Month) Span {
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	start := first.AddDate(0, 0, -mondayOffset(first))
	last := first.AddDate(0, 1, -1)
	end := last.AddDate(0, 0, 7-mondayOffset(last))
	return Span{start, end}
}

// WeekSpan is the Monday-to-Sunday week of date d.
func WeekSpan(d time.Time) Span {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	start := d.AddDate(0, 0, -mondayOffset(d))
	return Span{start, start.AddDate(0, 0, 7)}
}

// AgendaSpan is the days from d for n days.
func AgendaSpan(d time.Time, n int) Span {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return Span{d, d.AddDate(0, 0, n)}
}

func mondayOffset(d time.Time) int { return (int(d.Weekday()) + 6) % 7 }

// Days lays items on the span's days in loc; inMonth, when not zero,
// marks the days of that month.
func Days(span Span, items []Item, loc *time.Location, now time.Time, inMonth time.Month) []Day {
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	var days []Day
	index := map[string]int{}
	for d := span.From; d.Before(span.To); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(days)
		days = append(days, Day{Date: d, InRange: inMonth == 0 || d.Month() == inMonth, Today: d.Equal(today)})
	}
	for _, it := range items {
		i, ok := index[it.Date(loc).Format(time.DateOnly)]
		if !ok {
			continue
		}
		if it.AllDay {
			days[i].AllDay = append(days[i].AllDay, it)
			continue
		}
		days[i].Timed = append(days[i].Timed, it)
		h := it.DueAt.In(loc).Hour()
		days[i].Hours[h] = append(days[i].Hours[h], it)
	}
	return days
}

// Weeks cuts days into rows of seven.
func Weeks(days []Day) [][]Day {
	var out [][]Day
	for i := 0; i+7 <= len(days); i += 7 {
		out = append(out, days[i:i+7])
	}
	return out
}

// Team is an assignment rule's team, whose calendar can be shown.
type Team struct {
	ID      int64
	Name    string
	Members []int64
}

// Teams lists the teams of the assignment rules.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.db.R.Query(ctx, `SELECT id, name, members FROM assignment_rules ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("calendar: teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		var members string
		if err := rows.Scan(&t.ID, &t.Name, &members); err != nil {
			return nil, err
		}
		for _, f := range strings.Fields(members) {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				t.Members = append(t.Members, id)
			}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

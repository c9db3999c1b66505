package calendar_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/activity"
	"leadflow/internal/calendar"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// November 2026 starts on a Sunday: its month view runs from Monday 26
// October to Sunday 6 December, whole weeks.
func TestMonthAndWeekSpans(t *testing.T) {
	s := calendar.MonthSpan(2026, time.November)
	if s.From.Format(time.DateOnly) != "2026-10-26" || s.To.Format(time.DateOnly) != "2026-12-07" {
		t.Errorf("November 2026: %v to %v", s.From, s.To)
	}
	if days := s.To.Sub(s.From).Hours() / 24; int(days)%7 != 0 {
		t.Errorf("%v days is not whole weeks", days)
	}
	w := calendar.WeekSpan(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) // a Sunday
	if w.From.Format(time.DateOnly) != "2026-11-23" || w.To.Format(time.DateOnly) != "2026-11-30" {
		t.Errorf("the week of Sunday 29 November: %v to %v", w.From, w.To)
	}
}

// In Tokyo a call at 23:30 UTC on 30 November falls on 1 December at
// 08:30, while an all-day task keeps its date in every zone.
func TestDaysPlaceActivitiesOnLocalDates(t *testing.T) {
	tokyo := zone(t, "Asia/Tokyo")
	list := []activity.Activity{
		{ID: 1, Subject: "Call", DueAt: time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), Status: activity.Planned},
		{ID: 2, Subject: "Task", DueAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), AllDay: true, Status: activity.Planned},
	}
	span := calendar.WeekSpan(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	days := calendar.Days(span, calendar.Place(list, tokyo, now), tokyo, now, 0)
	byKey := map[string]calendar.Day{}
	for _, d := range days {
		byKey[d.Key()] = d
	}
	if d := byKey["2026-12-01"]; len(d.Timed) != 1 || d.Timed[0].Clock != "08:30" || len(d.Hours[8]) != 1 {
		t.Errorf("1 December in Tokyo: %+v", d.Timed)
	}
	if d := byKey["2026-11-30"]; len(d.AllDay) != 1 || len(d.Timed) != 0 || !d.Today {
		t.Errorf("30 November in Tokyo: all-day %d, timed %d, today %v", len(d.AllDay), len(d.Timed), d.Today)
	}
}

// A time zone must be an IANA name; the feed address works until it is
// replaced or revoked, and only its hash is stored.
func TestZoneAndFeedSecrets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		st := calendar.NewStore(db)
		ann := usertest.Actor(t, db, "ann@example.com", access.Sales)
		for _, bad := range []string{"", "Local", "Mars/Olympus", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "+02:00"} {
			if _, err := st.SetZone(ctx, ann, bad); fault.As(err) == nil || fault.As(err).Fields["time_zone"] == "" {
				t.Errorf("zone %q: %v, want refused naming time_zone", bad, err)
			}
		}
		if s, _ := st.Get(ctx, ann.ID); s.ZoneName() != "UTC" {
			t.Errorf("a user with no setting is in %s", s.ZoneName())
		}
		if _, err := st.SetZone(ctx, ann, " Europe/Oslo "); err != nil {
			t.Fatal(err)
		}
		if st.Zone(ctx, ann.ID).String() != "Europe/Oslo" {
			t.Errorf("zone is %v", st.Zone(ctx, ann.ID))
		}
		first, err := st.NewFeed(ctx, ann)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		db.R.QueryRow(ctx, `SELECT feed_hash FROM user_calendars WHERE user_id = ?`, ann.ID).Scan(&stored)
		if len(first) < 40 || stored == "" || strings.Contains(stored, first) {
			t.Errorf("secret %q stored as %q", first, stored)
		}
		if who, loc, err := st.FeedOwner(ctx, first); err != nil || who.ID != ann.ID || loc.String() != "Europe/Oslo" {
			t.Errorf("the feed opens as %v in %v (%v)", who, loc, err)
		}
		second, _ := st.NewFeed(ctx, ann)
		if _, _, err := st.FeedOwner(ctx, first); fault.As(err) == nil || fault.As(err).Code != fault.NotFound {
			t.Errorf("a replaced address still opens: %v", err)
		}
		if err := st.RevokeFeed(ctx, ann); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.FeedOwner(ctx, second); fault.As(err) == nil {
			t.Error("a revoked address still opens")
		}
		if _, _, err := st.FeedOwner(ctx, ""); fault.As(err) == nil {
			t.Error("an empty secret opens a feed")
		}
	})
}

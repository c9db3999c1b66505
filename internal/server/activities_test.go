package server_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/chromedp/chromedp"

	"leadflow/internal/access"
	"leadflow/internal/activity"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/sqldb"
)

// Sam plans a call on his lead through the API: a body with an unknown
// member or bad values is refused naming each field, the call is listed
// by filters and pages, a change from a stale version is refused, and
// completing it is the lead's first contact. Sue sees none of it.
func TestActivitiesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		l, leadID := newLead(t, f, `{"email":"ola@fjord.no","first_name":"Ola","company":"Fjord AS","owner":"sam@example.com"}`)

		for body, field := range map[string]string{
			`{"kind":"call","subject":"x","due_at":"2026-12-01T10:00:00Z","colour":"red"}`:                      "colour",
			`{"kind":"lunch","subject":"x","due_at":"2026-12-01T10:00:00Z"}`:                                    "kind",
			`{"kind":"call","subject":"","due_at":"2026-12-01T10:00:00Z"}`:                                      "subject",
			`{"kind":"call","subject":"x","due_at":"next week"}`:                                                "due_at",
			`{"kind":"call","subject":"x","due_at":"2026-12-01T10:00:00Z","duration":"30"}`:                     "duration",
			`{"kind":"call","subject":"x","due_at":"2026-12-01T10:00:00Z","duration":-1}`:                       "duration",
			`{"kind":"call","subject":"x","due_at":"2026-12-01T10:00:00Z","link_type":"lead","link_id":999999}`: "link_id",
		} {
			status, got := f.call(t, "sales", "POST", "/api/v1/activities", body)
			if status != http.StatusUnprocessableEntity || errorFields(got)[field] == nil {
				t.Errorf("%s: %d %v, want 422 naming %s", body, status, got, field)
			}
		}

		status, call := f.call(t, "sales", "POST", "/api/v1/activities",
			`{"kind":"call","subject":"Discovery call","due_at":"2026-12-01T10:00:00+01:00","duration":30,"link_type":"lead","link_id":`+leadID+`}`)
		if status != http.StatusCreated || call["due_at"] != "2026-12-01T09:00:00Z" || call["owner"] != "sam@example.com" ||
			call["link_name"] != "Ola" || call["status"] != "planned" || call["version"] != float64(1) {
			t.Fatalf("create: %d %v", status, call)
		}
		id := fmt.Sprint(call["id"])
		if d, s := keysOf(openAPISchema(t, f, "Activity")), keysOf(call); !reflect.DeepEqual(d, s) {
			t.Errorf("the Activity schema lists %v\nbut the API answers with %v", d, s)
		}
		for i := range 4 {
			f.call(t, "sales", "POST", "/api/v1/activities", fmt.Sprintf(`{"kind":"task","subject":"Task %d","due_at":"2026-12-0%dT08:00:00Z"}`, i, i+2))
		}
		status, page := f.call(t, "sales", "GET", "/api/v1/activities?kind=call&link_type=lead&link_id="+leadID, "")
		if data, _ := page["data"].([]any); status != 200 || page["total"] != float64(1) || len(data) != 1 {
			t.Errorf("filtered list: %d %v", status, page)
		}
		var subjects []string
		cursor := ""
		for range 10 {
			_, page = f.call(t, "sales", "GET", "/api/v1/activities?limit=2&sort=-due_at"+cursor, "")
			for _, x := range page["data"].([]any) {
				subjects = append(subjects, x.(map[string]any)["subject"].(string))
			}
			next, _ := page["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = "&cursor=" + url.QueryEscape(next)
		}
		if got := strings.Join(subjects, ","); got != "Task 3,Task 2,Task 1,Task 0,Discovery call" {
			t.Errorf("paged newest first: %s", got)
		}
		if status, got := f.call(t, "sales", "GET", "/api/v1/activities?overdue=maybe&limit=0", ""); status != 422 ||
			errorFields(got)["overdue"] == nil || errorFields(got)["limit"] == nil {
			t.Errorf("bad list parameters: %d %v", status, got)
		}

		if status, _ := f.call(t, "sales2", "GET", "/api/v1/activities/"+id, ""); status != http.StatusForbidden {
			t.Errorf("Sue reads Sam's call: %d", status)
		}
		if _, page := f.call(t, "sales2", "GET", "/api/v1/activities", ""); page["total"] != float64(0) {
			t.Errorf("Sue lists %v of Sam's activities", page["total"])
		}

		status, _, _ = f.patch(t, "/api/v1/activities/"+id, `"1"`, `{"subject":"Discovery call (moved)","due_at":"2026-12-01T11:00:00Z"}`)
		if status != http.StatusOK {
			t.Fatalf("patch: %d", status)
		}
		status, _, got := f.patch(t, "/api/v1/activities/"+id, `"1"`, `{"outcome":"stale"}`)
		if status != http.StatusConflict || errorFields(got)["version"] == nil {
			t.Errorf("a change from version 1 after version 2: %d %v", status, got)
		}

		status, done := f.call(t, "sales", "PATCH", "/api/v1/activities/"+id, `{"status":"done","outcome":"Wants a demo in January"}`)
		if status != http.StatusOK || done["completed_at"] == nil {
			t.Fatalf("complete: %d %v", status, done)
		}
		_, ld := f.call(t, "admin", "GET", l, "")
		if ld["contacted_at"] == nil || ld["contacted_at"] != done["completed_at"] {
			t.Errorf("the lead's first contact %v, the call was completed %v", ld["contacted_at"], done["completed_at"])
		}
		if status, _ := f.call(t, "sales", "DELETE", "/api/v1/activities/"+id, ""); status != http.StatusNoContent {
			t.Errorf("delete: %d", status)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/activities/"+id, ""); status != http.StatusNotFound {
			t.Errorf("after delete: %d", status)
		}
		_, audit := f.call(t, "admin", "GET", "/api/v1/audit?action=activity.complete", "")
		if data, _ := audit["data"].([]any); len(data) != 1 {
			t.Errorf("the audit log has %d completions: %v", len(data), audit)
		}
	})
}

// newLead makes a lead by the API and returns its API path and id.
func newLead(t *testing.T, f *fixture, body string) (string, string) {
	t.Helper()
	status, l := f.call(t, "admin", "POST", "/api/v1/leads", body)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	return "/api/v1/leads/" + fmt.Sprint(l["id"]), fmt.Sprint(l["id"])
}

// getText fetches u without credentials.
func getText(t *testing.T, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// Sam sets his zone and makes a feed address; a calendar app, with no
// sign-in, reads his activities from it, times exact and all-day ones
// as dates, and nobody else's. A new address ends the old one; revoking
// ends it too.
func TestCalendarFeedOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		if status, got := f.call(t, "sales", "PUT", "/api/v1/me/calendar", `{"time_zone":"Europe/Atlantis"}`); status != 422 || errorFields(got)["time_zone"] == nil {
			t.Errorf("a made-up zone: %d %v", status, got)
		}
		if status, got := f.call(t, "sales", "PUT", "/api/v1/me/calendar", `{"time_zone":"America/New_York"}`); status != 200 || got["time_zone"] != "America/New_York" {
			t.Fatalf("set zone: %d %v", status, got)
		}
		// A local time is read in Sam's zone: 9:00 in New York in March,
		// after the US changed its clocks and before Europe did. (The
		// feed reaches 90 days back and 400 ahead.)
		y := time.Now().Year()
		if time.Now().Month() > time.March {
			y++
		}
		year := fmt.Sprint(y)
		for _, c := range []struct{ role, body string }{
			{"sales", `{"kind":"meeting","subject":"Kick-off","due_at":"` + year + `-03-17T09:00","duration":60}`},
			{"sales", `{"kind":"task","subject":"Quarter end","due_at":"` + year + `-03-31","all_day":true}`},
			{"sales2", `{"kind":"call","subject":"Sue's secret call","due_at":"` + year + `-03-17T09:00:00Z"}`},
		} {
			if status, got := f.call(t, c.role, "POST", "/api/v1/activities", c.body); status != http.StatusCreated {
				t.Fatalf("%s: %d %v", c.body, status, got)
			}
		}
		status, feed := f.call(t, "sales", "POST", "/api/v1/me/calendar/feed", "")
		feedURL, _ := feed["feed_url"].(string)
		if status != http.StatusCreated || !strings.HasPrefix(feedURL, f.srv.URL+"/calendar/feed/") {
			t.Fatalf("make feed: %d %v", status, feed)
		}
		if _, got := f.call(t, "sales", "GET", "/api/v1/me/calendar", ""); got["feed"] != true || got["feed_url"] != nil {
			t.Errorf("the settings show the address again: %v", got)
		}
		status, h, body := getText(t, feedURL)
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s\n%s", status, h.Get("Content-Type"), body)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*ics.VEvent{}
		for _, e := range cal.Events() {
			got[e.GetProperty(ics.ComponentPropertySummary).Value] = e
		}
		if len(got) != 2 || got["Sue's secret call"] != nil {
			t.Fatalf("the feed holds %v", got)
		}
		start, _ := got["Kick-off"].GetStartAt()
		if start.UTC().Format(time.RFC3339) != year+"-03-17T13:00:00Z" {
			t.Errorf("Kick-off starts %v, want 13:00 UTC (9:00 EDT)", start.UTC())
		}
		if d, err := got["Quarter end"].GetAllDayStartAt(); err != nil || d.Format(time.DateOnly) != year+"-03-31" {
			t.Errorf("the all-day task is on %v (%v)", d, err)
		}
		status, again := f.call(t, "sales", "POST", "/api/v1/me/calendar/feed", "")
		if status != 201 {
			t.Fatal(status)
		}
		if status, _, _ := getText(t, feedURL); status != http.StatusNotFound {
			t.Errorf("the replaced address answers %d", status)
		}
		if status, _ := f.call(t, "sales", "DELETE", "/api/v1/me/calendar/feed", ""); status != http.StatusNoContent {
			t.Errorf("revoke: %d", status)
		}
		if status, _, _ := getText(t, again["feed_url"].(string)); status != http.StatusNotFound {
			t.Errorf("the revoked address answers %d", status)
		}
		if status, _, _ := getText(t, f.srv.URL+"/calendar/feed/guess.ics"); status != http.StatusNotFound {
			t.Errorf("a guessed address answers %d", status)
		}
	})
}

// contactAndMeeting converts Sam's lead and plans a meeting with its
// contact; it returns the contact's and the meeting's ids.
func contactAndMeeting(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	l := sqlLead(t, f, "admin", `{"email":"ida@fjord.no","first_name":"Ida","last_name":"Berg","company":"Fjord AS","owner":"sam@example.com"}`)
	_, conv := f.call(t, "sales", "POST", l+"/convert", `{}`)
	contact := fmt.Sprint(conv["contact_id"])
	status, m := f.call(t, "sales", "POST", "/api/v1/activities",
		`{"kind":"meeting","subject":"Demo","due_at":"2026-12-03T14:00:00Z","duration":45,"link_type":"contact","link_id":`+contact+`}`)
	if status != http.StatusCreated {
		t.Fatalf("meeting: %d %v", status, m)
	}
	return contact, fmt.Sprint(m["id"])
}

// Sam adds a call from his lead's page, sees it there, completes it from
// "My day" (which is the lead's first contact, on its timeline), finds
// the meeting with his contact on the contact's page and in the month,
// downloads its invitation, and reschedules it by the form a phone uses;
// a reschedule from a stale page is refused.
func TestWebActivitiesPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		contact, meeting := contactAndMeeting(t, f)
		l, leadID := newLead(t, f, `{"email":"per@nord.no","first_name":"Per","last_name":"Lie","owner":"sam@example.com"}`)
		leadPath := strings.TrimPrefix(l, "/api/v1")
		if _, ld := f.call(t, "admin", "GET", l, ""); ld["contacted_at"] != nil || ld["contact_due_at"] == nil {
			t.Fatalf("a new lead of Sam's: %v", ld)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")

		_, _, page := b.get(leadPath)
		if !strings.Contains(page, `id="activities"`) || !strings.Contains(page, `action="/activities"`) {
			t.Fatal("the lead page has no activity card with a quick-add form")
		}
		status, _, body := b.post("/activities", url.Values{"kind": {"call"}, "subject": {""}, "due": {"soon"},
			"link_type": {"lead"}, "link_id": {leadID}, "next": {leadPath}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Subject is required") ||
			!strings.Contains(body, "Due must be a date and time") || !strings.Contains(body, `value="soon"`) {
			t.Errorf("a bad quick-add: %d, the form is not shown again with reasons and what was typed", status)
		}
		today := time.Now().UTC().Format("2006-01-02")
		status, loc, _ := b.post("/activities", url.Values{"kind": {"call"}, "subject": {"Intro call"}, "due": {today + "T23:59"},
			"link_type": {"lead"}, "link_id": {leadID}, "next": {leadPath}})
		if status != http.StatusSeeOther || loc != leadPath {
			t.Fatalf("quick-add: %d → %q", status, loc)
		}
		_, _, page = b.get(leadPath)
		if !strings.Contains(page, "Intro call") {
			t.Error("the lead page does not list the new call")
		}
		_, _, day := b.get("/today")
		// The meeting with Ida may fall today too: complete the call's item.
		m := regexp.MustCompile(`(?s)>Intro call</a>.*?action="/activities/(\d+)/complete"`).FindStringSubmatch(day)
		if m == nil || !strings.Contains(day, "Intro call") {
			t.Fatalf("My day does not offer to complete today's call:\n%s", day)
		}
		status, loc, _ = b.post("/activities/"+m[1]+"/complete", url.Values{"outcome": {"Interested"}, "next": {"/today"}})
		if status != http.StatusSeeOther || loc != "/today" {
			t.Fatalf("complete: %d → %q", status, loc)
		}
		_, ld := f.call(t, "admin", "GET", l, "")
		if ld["contacted_at"] == nil {
			t.Error("completing the call did not make the lead's first contact")
		}
		_, _, page = b.get(leadPath)
		if !strings.Contains(page, "Call done</strong>") || !strings.Contains(page, "First contact") {
			t.Error("the lead's timeline does not show the call and the first contact")
		}

		_, _, page = b.get("/contacts/" + contact)
		if !strings.Contains(page, ">Demo</a>") {
			t.Error("the contact page does not list the meeting")
		}
		_, _, cal := b.get("/calendar?view=month&date=2026-12-01")
		if !strings.Contains(cal, `data-activity="`+meeting+`"`) || !strings.Contains(cal, `id="day-2026-12-03"`) {
			t.Error("the month does not show the meeting")
		}
		for _, v := range []string{"week", "agenda"} {
			if status, _, p := b.get("/calendar?view=" + v + "&date=2026-12-01"); status != 200 || !strings.Contains(p, ">Demo") {
				t.Errorf("%s view: %d, meeting shown %v", v, status, strings.Contains(p, ">Demo"))
			}
		}
		status, _, ics := b.get("/activities/" + meeting + "/invite.ics")
		ics = strings.ReplaceAll(ics, "\r\n ", "") // unfold
		if status != 200 || !strings.Contains(ics, "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=\"Ida Berg\":mailto:ida@fjord.no") ||
			!strings.Contains(ics, "ORGANIZER:mailto:sam@example.com") {
			t.Errorf("invitation: %d\n%s", status, ics)
		}

		_, _, form := b.get("/activities/" + meeting)
		v := formFields(form)
		v.Set("notes", "Bring the pricing sheet")
		v.Set("due", "2026-12-04T15:30")
		f.call(t, "admin", "PATCH", "/api/v1/activities/"+meeting, `{"subject":"Demo for the board"}`)
		status, _, body = b.post("/activities/"+meeting, v)
		if status != http.StatusConflict || !strings.Contains(body, "Someone else changed this activity") ||
			!strings.Contains(body, "Bring the pricing sheet") || !strings.Contains(body, `value="2026-12-04T15:30"`) {
			t.Errorf("a save from a stale form: %d", status)
		}
		again := formFields(body)
		if m := regexp.MustCompile(`(?s)<textarea[^>]*name="notes"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body); m != nil {
			again.Set("notes", html.UnescapeString(m[1]))
		}
		status, _, _ = b.post("/activities/"+meeting, again)
		if status != http.StatusSeeOther {
			t.Fatalf("saving again knowingly: %d", status)
		}
		_, got := f.call(t, "sales", "GET", "/api/v1/activities/"+meeting, "")
		if got["due_at"] != "2026-12-04T15:30:00Z" || got["notes"] != "Bring the pricing sheet" {
			t.Errorf("after the second save: %v", got)
		}
	})
}

// Sam completes a meeting from his contact's page after someone renamed
// it: the outcome he typed comes back in the activity's form, marked
// done, with what changed, and a second save completes it knowingly; an
// outcome too long comes back with its reason beside it.
func TestCompletingFromAStalePageKeepsTheOutcome(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	contact, meeting := contactAndMeeting(t, f)
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	_, _, page := b.get("/contacts/" + contact)
	m := regexp.MustCompile(`action="/activities/` + meeting + `/complete"[^>]*>\s*<input type="hidden" name="next" value="([^"]*)"><input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the contact page offers no way to complete the meeting")
	}
	f.call(t, "admin", "PATCH", "/api/v1/activities/"+meeting, `{"subject":"Demo for the board"}`)

	status, _, body := b.post("/activities/"+meeting+"/complete", url.Values{"outcome": {"Signed the NDA"}, "next": {html.UnescapeString(m[1])}, "version": {m[2]}})
	if status != http.StatusConflict || !strings.Contains(body, "Someone else changed this activity") ||
		!strings.Contains(body, `value="Signed the NDA"`) || !strings.Contains(body, `<option value="done" selected>`) {
		t.Fatalf("completing from a stale page: %d, the outcome is not kept in the form", status)
	}
	status, loc, _ := b.post("/activities/"+meeting, formFields(body))
	if status != http.StatusSeeOther || loc != "/contacts/"+contact {
		t.Fatalf("saving again knowingly: %d → %q", status, loc)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1/activities/"+meeting, ""); got["status"] != "done" ||
		got["outcome"] != "Signed the NDA" || got["subject"] != "Demo for the board" {
		t.Errorf("after the second save: %v", got)
	}

	_, other := f.call(t, "sales", "POST", "/api/v1/activities", `{"kind":"call","subject":"Follow up","due_at":"2026-12-04T10:00:00Z"}`)
	long := strings.Repeat("ok ", 400)
	status, _, body = b.post(fmt.Sprintf("/activities/%v/complete", other["id"]), url.Values{"outcome": {long}, "next": {"/today"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Outcome must be at most 1000 characters") ||
		!strings.Contains(body, strings.TrimSpace(long)) {
		t.Errorf("an outcome too long: %d, not shown again with its reason", status)
	}
}

// The drag sends the activity's version: a move from a page older than
// the activity is refused with 409 and nothing moves.
func TestDragMoveChecksTheVersion(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, meeting := contactAndMeeting(t, f)
	b := newBrowser(t, f.srv.URL)
	b.login("sam@example.com")
	move := func(version string) (int, string) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/activities/"+meeting+"/move",
			strings.NewReader(url.Values{"due": {"2026-12-05T14:00"}, "version": {version}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Requested-With", "fetch")
		req.Header.Set("Origin", f.srv.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	f.call(t, "sales", "PATCH", "/api/v1/activities/"+meeting, `{"notes":"changed"}`)
	if status, body := move("1"); status != http.StatusConflict {
		t.Errorf("a stale drag: %d %s", status, body)
	}
	if _, got := f.call(t, "sales", "GET", "/api/v1/activities/"+meeting, ""); got["due_at"] != "2026-12-03T14:00:00Z" {
		t.Errorf("a refused drag moved the meeting to %v", got["due_at"])
	}
	if status, body := move("2"); status != http.StatusOK || !strings.Contains(body, "moved to") {
		t.Errorf("a drag from the current page: %d %s", status, body)
	}
}

// seedDay gives Sam an overdue call, a meeting and a long-named task
// today, and more this month, in his zone (Europe/Bucharest).
func seedDay(t *testing.T, f *fixture, db *sqldb.DB) (meetingID int64) {
	t.Helper()
	f.call(t, "sales", "PUT", "/api/v1/me/calendar", `{"time_zone":"Europe/Bucharest"}`)
	buc, err := time.LoadLocation("Europe/Bucharest")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(buc) // "today" is Sam's
	day := func(d int, hm string) string { return now.AddDate(0, 0, d).Format("2006-01-02") + "T" + hm }
	for _, b := range []string{
		`{"kind":"call","subject":"Overdue call to Nordic Ltd","due_at":"` + day(-1, "10:00") + `"}`,
		`{"kind":"task","subject":"Prepare the Fjord AS proposal with the forty-seat licence pricing and the migration plan","due_at":"` + day(0, "23:50") + `"}`,
		`{"kind":"email","subject":"Send the case study","due_at":"` + day(2, "09:00") + `"}`,
		`{"kind":"task","subject":"Quarterly review","due_at":"` + day(3, "00:00")[:10] + `","all_day":true}`,
	} {
		if status, got := f.call(t, "sales", "POST", "/api/v1/activities", b); status != http.StatusCreated {
			t.Fatalf("%s: %d %v", b, status, got)
		}
	}
	_, m := f.call(t, "sales", "POST", "/api/v1/activities", `{"kind":"meeting","subject":"Demo with Fjord","due_at":"`+day(0, "23:00")+`","duration":60}`)
	return int64(m["id"].(float64))
}

// "My day" and the calendar at desktop and phone widths: nothing scrolls
// sideways, the sections are there, and on a phone the week view turns
// into a list with a reschedule link per activity.
func TestBrowserMyDayAndCalendarWidths(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedDay(t, f, db)
	if err := chromedp.Run(ctx, signIn(f.srv.URL+"/today", "sam@example.com"), chromedp.WaitVisible(`#today`, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1280, 390} {
		var opts []chromedp.EmulateViewportOption
		if width == 390 {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		for _, p := range []struct{ path, ready string }{
			{"/today", "#today"}, {"/calendar?view=month", ".cal-month"}, {"/calendar?view=week", "h1"}, {"/calendar?view=agenda", ".cal-agenda"},
		} {
			var overflow bool
			var text string
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(width, 844, opts...),
				chromedp.Navigate(f.srv.URL+p.path),
				chromedp.WaitVisible(p.ready),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
				chromedp.Text(`main`, &text),
			)
			if err != nil {
				t.Fatalf("%s at %d px: %v", p.path, width, err)
			}
			if overflow {
				t.Errorf("%s scrolls sideways at %d px", p.path, width)
			}
			if !strings.Contains(text, "Demo with Fjord") {
				t.Errorf("%s at %d px does not show today's meeting", p.path, width)
			}
			screenshot(t, ctx, fmt.Sprintf("%s-%d", strings.NewReplacer("/", "", "?", "-", "=", "-").Replace(p.path), width))
		}
		var overdue, gridShown, listShown bool
		err := chromedp.Run(ctx,
			chromedp.Navigate(f.srv.URL+"/today"), chromedp.WaitVisible(`#overdue`, chromedp.ByID),
			chromedp.Evaluate(`document.querySelector("#overdue").innerText.includes("Overdue call to Nordic Ltd")`, &overdue),
			chromedp.Navigate(f.srv.URL+"/calendar?view=week"), chromedp.WaitVisible(`h1`),
			chromedp.Evaluate(`getComputedStyle(document.querySelector("table.cal-week")).display !== "none"`, &gridShown),
			chromedp.Evaluate(`getComputedStyle(document.querySelector(".cal-week-list")).display !== "none" && !!document.querySelector(".cal-week-list a.reschedule")`, &listShown),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !overdue {
			t.Errorf("at %d px My day does not list yesterday's call as overdue", width)
		}
		if phone := width == 390; gridShown == phone || listShown != phone {
			t.Errorf("at %d px the week shows its grid %v and its list %v", width, gridShown, listShown)
		}
		// The calendar opens as the agenda on a phone, as the month elsewhere.
		var opened string
		if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+"/calendar"), chromedp.WaitVisible(`h1`),
			chromedp.Poll(`document.querySelector(".cal-agenda, .cal-month") && "at " + location.href`, &opened)); err != nil {
			t.Fatal(err)
		}
		if agenda := strings.Contains(opened, "view=agenda"); agenda != (width == 390) {
			t.Errorf("at %d px the calendar opens at %q", width, opened)
		}
	}
}

// On a desktop the meeting is dragged in the month view to the day after
// and in the week view to another hour: the script sends each move, the
// page shows the meeting where it was dropped, and it is stored there.
func TestBrowserDragReschedules(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	id := seedDay(t, f, db)
	svc := activity.NewService(db, lead.NewService(db))
	admin := access.Actor{Role: access.Admin}
	before, err := svc.Get(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	buc, _ := time.LoadLocation("Europe/Bucharest")
	localBefore := before.DueAt.In(buc)
	target := localBefore.AddDate(0, 0, 1)
	key := target.Format("2006-01-02")
	// drag fires the events a browser fires when a mouse drags the item
	// onto the cell, with one DataTransfer, as the HTML drag-and-drop
	// model does.
	drag := func(item, cell string) string {
		return fmt.Sprintf(`(() => {
			const item = document.querySelector(%q), cell = document.querySelector(%q);
			if (!item || !cell) return "missing";
			const dt = new DataTransfer();
			item.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
			cell.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
			cell.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
			item.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
			return "dropped";
		})()`, item, cell)
	}
	var res, status string
	month := "/calendar?view=month&date=" + key
	err = chromedp.Run(ctx,
		signIn(f.srv.URL+month, "sam@example.com"),
		chromedp.WaitVisible(`.cal-month`),
		chromedp.Evaluate(drag(fmt.Sprintf(`[data-activity="%d"]`, id), "#day-"+key), &res),
		chromedp.WaitVisible(fmt.Sprintf(`#day-%s [data-activity="%d"]`, key, id)),
		chromedp.Text(`#cal-status`, &status, chromedp.ByID),
	)
	if err != nil || res != "dropped" {
		t.Fatalf("month drag: %v %s", err, res)
	}
	if !strings.Contains(status, "Demo with Fjord moved to") {
		t.Errorf("after the drop the page says %q", status)
	}
	after, _ := svc.Get(context.Background(), admin, id)
	if got := after.DueAt.In(buc); got.Format("2006-01-02 15:04") != target.Format("2006-01-02 15:04") {
		t.Errorf("dragged a day on, the meeting is at %v, want %v", got, target)
	}
	week := "/calendar?view=week&date=" + key
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+week),
		chromedp.WaitVisible(`table.cal-week`),
		chromedp.Evaluate(drag(fmt.Sprintf(`table.cal-week [data-activity="%d"]`, id), "#slot-"+key+"-09"), &res),
		chromedp.WaitVisible(fmt.Sprintf(`#slot-%s-09 [data-activity="%d"]`, key, id)),
	)
	if err != nil || res != "dropped" {
		t.Fatalf("week drag: %v %s", err, res)
	}
	after, _ = svc.Get(context.Background(), admin, id)
	if got := after.DueAt.In(buc).Format("2006-01-02 15:04"); got != key+" 09:"+localBefore.Format("04") {
		t.Errorf("dropped on 09:00, the meeting is at %s", got)
	}
	if after.Version != before.Version+2 {
		t.Errorf("two moves made version %d from %d", after.Version, before.Version)
	}
}

// Every page shows times in the reader's zone: Sam in Tokyo sees a
// lead's timeline in JST, Mia with no setting in UTC, the same instant.
func TestPagesShowTimesInTheUsersZone(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	l, _ := newLead(t, f, `{"email":"ken@tokyo.example","owner":"sam@example.com"}`)
	_, ld := f.call(t, "admin", "GET", l, "")
	created, err := time.Parse(time.RFC3339, ld["created_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	f.call(t, "sales", "PUT", "/api/v1/me/calendar", `{"time_zone":"Asia/Tokyo"}`)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, c := range []struct{ email, want string }{
		{"sam@example.com", created.In(tokyo).Format("2 Jan 2006 15:04") + " JST"},
		{"mia@example.com", created.UTC().Format("2 Jan 2006 15:04") + " UTC"},
	} {
		b := newBrowser(t, f.srv.URL)
		b.login(c.email)
		if _, _, page := b.get(strings.TrimPrefix(l, "/api/v1")); !strings.Contains(page, c.want) {
			t.Errorf("%s's lead page does not show the creation time as %q", c.email, c.want)
		}
	}
}

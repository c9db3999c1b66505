package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/notify"
	"leadflow/internal/sqldb"
)

func init() {
	matrix["GET /api/v1/notifications"] = allowed{"any", false}
	matrix["POST /api/v1/notifications/{id}/read"] = allowed{"any", true}
	matrix["POST /api/v1/notifications/read-all"] = allowed{"any", false}
	// Notices are each user's own: another's is refused to every role.
	pageMatrix["GET /notifications"] = pageRule{who: "any"}
	pageMatrix["POST /notifications/{id}/open"] = pageRule{who: "nobody", record: "others-notice", form: url.Values{}}
	pageMatrix["POST /notifications/read-all"] = pageRule{who: "any", form: url.Values{}}
}

// noticeRecords gives Sue an unread notice, for the walks to find refused.
func noticeRecords(t *testing.T, db *sqldb.DB, recs records, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	var sue int64
	if err := db.R.QueryRow(ctx, `SELECT id FROM users WHERE email = 'sue@example.com'`).Scan(&sue); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("matrix:%d", time.Now().UnixNano())
	if err := notify.Add(ctx, db.W, notify.Note{UserID: sue, Kind: notify.Assigned, Title: "Sue's", Link: "/leads", Dedupe: tag, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.R.QueryRow(ctx, `SELECT id FROM notifications WHERE dedupe = ?`, tag).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if recs != nil {
		recs["others-notice"] = fmt.Sprint(id)
	}
	if ids != nil {
		ids["/api/v1/notifications/{id}/read"] = fmt.Sprint(id)
	}
}

func notices(t *testing.T, f *fixture, role, query string) (int, []map[string]any) {
	t.Helper()
	status, got := f.call(t, role, "GET", "/api/v1/notifications"+query, "")
	if status != http.StatusOK {
		t.Fatalf("notifications of %s: %d %v", role, status, got)
	}
	var out []map[string]any
	for _, n := range got["data"].([]any) {
		out = append(out, n.(map[string]any))
	}
	return int(got["unread"].(float64)), out
}

// A lead given to a user tells them, once, with a link to it; giving a
// lead to oneself tells no one; a lead of theirs that turns hot tells its
// owner; reading one notice, then all, empties the count; and another
// user's notice is not found.
func TestNotifications(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ana@carpat.example","first_name":"Ana","last_name":"Pop"}`)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, l)
		}
		id := fmt.Sprint(l["id"])
		if status, got := f.call(t, "marketing", "PATCH", "/api/v1/leads/"+id, `{"owner":"sam@example.com"}`); status != http.StatusOK {
			t.Fatalf("assign: %d %v", status, got)
		}
		unread, list := notices(t, f, "sales", "")
		if unread != 1 || len(list) != 1 || list[0]["kind"] != "assigned" || list[0]["title"] != "Ana Pop was assigned to you" || list[0]["link"] != "/leads/"+id {
			t.Fatalf("after assigning: %d unread, %v", unread, list)
		}
		if _, mine := notices(t, f, "marketing", ""); len(mine) != 0 {
			t.Errorf("the user who assigned was told: %v", mine)
		}
		status, own := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"own@fjord.example","owner":"sam@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("own lead: %d %v", status, own)
		}
		f.call(t, "sales", "PATCH", fmt.Sprintf("/api/v1/leads/%v", own["id"]), `{"owner":"sam@example.com","company":"Fjord"}`)
		if unread, _ := notices(t, f, "sales", ""); unread != 1 {
			t.Errorf("a lead sam keeps for himself told him: %d unread", unread)
		}

		events := fmt.Sprintf(`{"events":[{"lead_id":%s,"type":"quote_request"},{"lead_id":%s,"type":"quote_request"},{"lead_id":%s,"type":"meeting_booked"}]}`, id, id, id)
		if status, got := f.call(t, "marketing", "POST", "/api/v1/events", events); status >= 300 {
			t.Fatalf("events: %d %v", status, got)
		}
		unread, list = notices(t, f, "sales", "?unread=true")
		if unread != 2 || len(list) != 2 || list[0]["kind"] != "hot" || !strings.HasPrefix(fmt.Sprint(list[0]["title"]), "Ana Pop turned hot (score ") {
			t.Fatalf("after the lead turned hot: %d unread, %v", unread, list)
		}
		f.call(t, "marketing", "POST", "/api/v1/events", fmt.Sprintf(`{"events":[{"lead_id":%s,"type":"form_submit"}]}`, id))
		if unread, _ := notices(t, f, "sales", ""); unread != 2 {
			t.Errorf("a hot lead that stays hot told its owner again: %d unread", unread)
		}

		status, read := f.call(t, "sales", "POST", fmt.Sprintf("/api/v1/notifications/%v/read", list[0]["id"]), "")
		if status != http.StatusOK || read["read_at"] == nil {
			t.Fatalf("read: %d %v", status, read)
		}
		if status, got := f.call(t, "sales2", "POST", fmt.Sprintf("/api/v1/notifications/%v/read", list[1]["id"]), ""); status != http.StatusNotFound {
			t.Errorf("sue read sam's notice: %d %v", status, got)
		}
		if unread, _ := notices(t, f, "sales", ""); unread != 1 {
			t.Errorf("after reading one: %d unread", unread)
		}
		if status, got := f.call(t, "sales", "POST", "/api/v1/notifications/read-all", ""); status != http.StatusOK || got["marked"] != float64(1) {
			t.Errorf("read all: %d %v", status, got)
		}
		if unread, all := notices(t, f, "sales", ""); unread != 0 || len(all) != 2 {
			t.Errorf("after reading all: %d unread of %d", unread, len(all))
		}
		if status, bad := f.call(t, "sales", "GET", "/api/v1/notifications?unread=maybe&limit=0", ""); status != http.StatusUnprocessableEntity ||
			!strings.Contains(fmt.Sprint(bad), "unread") || !strings.Contains(fmt.Sprint(bad), "limit") {
			t.Errorf("bad filters: %d %v", status, bad)
		}
	})
}

// The first-contact sweep warns an owner of a lead falling due within
// the hour once, however often it runs, and says nothing of leads due
// later or already contacted.
func TestNotificationsDueSoon(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		newLead := func(body string) string {
			t.Helper()
			status, l := f.call(t, "sales", "POST", "/api/v1/leads", body)
			if status != http.StatusCreated {
				t.Fatalf("lead: %d %v", status, l)
			}
			return fmt.Sprint("/api/v1/leads/", l["id"])
		}
		soon := newLead(`{"email":"soon@fjord.example","first_name":"Kari"}`)
		later := newLead(`{"email":"later@fjord.example"}`)
		done := newLead(`{"email":"done@fjord.example"}`)
		now := time.Now()
		set := func(path string, due time.Time) {
			if _, err := db.W.Exec(ctx, `UPDATE leads SET contact_due_at = ? WHERE id = ?`, due.UnixMilli(), strings.TrimPrefix(path, "/api/v1/leads/")); err != nil {
				t.Fatal(err)
			}
		}
		set(soon, now.Add(20*time.Minute))
		set(later, now.Add(3*time.Hour))
		set(done, now.Add(10*time.Minute))
		f.call(t, "sales", "POST", done+"/contacted", "")
		for range 2 {
			if _, err := lead.NewService(db).NoticeDueSoon(ctx); err != nil {
				t.Fatal(err)
			}
		}
		unread, list := notices(t, f, "sales", "?unread=true")
		var due []string
		for _, n := range list {
			if n["kind"] == notify.DueSoon {
				due = append(due, fmt.Sprint(n["title"], " ", n["link"]))
			}
		}
		if len(due) != 1 || !strings.HasPrefix(due[0], "First contact with Kari is due in ") || !strings.HasSuffix(due[0], strings.TrimPrefix(soon, "/api/v1")) {
			t.Errorf("due soon notices: %v (%d unread)", due, unread)
		}
	})
}

// In the browser: the bell shows the count, its page lists the notice,
// and one click opens the lead and marks it read.
func TestBrowserNotificationBell(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	status, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ola@fjord.example","first_name":"Ola","last_name":"Nordmann","owner":"sam@example.com"}`)
	if status != http.StatusCreated {
		t.Fatalf("lead: %d %v", status, l)
	}
	f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"owner":""}`)
	f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"owner":"sam@example.com"}`)
	var count, heading string
	var overflow bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/home", "sam@example.com"),
		chromedp.WaitVisible(`#bell .count`, chromedp.ByQuery),
		chromedp.Text(`#bell .count`, &count, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count == "" || count == "0" {
		t.Fatalf("the bell shows %q", count)
	}
	clickToNavigate(t, ctx, `#bell`)
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`#notices`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow)); err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the notifications page scrolls sideways at 390 px")
	}
	clickToNavigate(t, ctx, `#notices li.unread button`)
	var at string
	var bell int
	if err := chromedp.Run(ctx, chromedp.Text(`h1`, &heading, chromedp.ByQuery), chromedp.Evaluate(`location.pathname`, &at),
		chromedp.Evaluate(`document.querySelectorAll('#bell .count').length ? +document.querySelector('#bell .count').textContent : 0`, &bell)); err != nil {
		t.Fatal(err)
	}
	if at != fmt.Sprint("/leads/", l["id"]) || !strings.Contains(heading, "Ola") {
		t.Errorf("the notice opened %s (%q)", at, heading)
	}
	if want := atoi(count) - 1; bell != want {
		t.Errorf("after opening one notice the bell shows %d, want %d", bell, want)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// A notice is stored with its kind and arguments and written in its
// reader's language when read: a Norwegian reader sees Norwegian titles
// and kinds (a plural for the minutes), while the API keeps English and a notice stored before
// arguments were kept still reads as its stored title.
func TestNotificationTitlesInTheReadersLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		if status, _, body := b.post("/account/language", url.Values{"language": {"nb"}}); status != http.StatusSeeOther {
			t.Fatalf("language: %d %.300s", status, body)
		}
		status, ola := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"ola@fjord.example","first_name":"Ola","last_name":"Nordmann"}`)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, ola)
		}
		f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", ola["id"]), `{"owner":"sam@example.com"}`)
		status, nameless := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"x@fjord.example","owner":"sam@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("lead: %d %v", status, nameless)
		}
		if _, err := db.W.Exec(ctx, `UPDATE leads SET contact_due_at = ? WHERE id = ?`, time.Now().Add(20*time.Minute).UnixMilli(), nameless["id"]); err != nil {
			t.Fatal(err)
		}
		if _, err := lead.NewService(db).NoticeDueSoon(ctx); err != nil {
			t.Fatal(err)
		}
		var sam int64
		if err := db.R.QueryRow(ctx, `SELECT id FROM users WHERE email = 'sam@example.com'`).Scan(&sam); err != nil {
			t.Fatal(err)
		}
		// As a notice was stored before its arguments were kept.
		if _, err := db.W.Exec(ctx, `INSERT INTO notifications (user_id, kind, title, link, created_at) VALUES (?, 'assigned', 'Old Lead was assigned to you', '/leads', ?)`,
			sam, time.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}
		status, _, page := b.get("/notifications")
		if status != http.StatusOK {
			t.Fatalf("notifications: %d", status)
		}
		for _, want := range []string{
			"Ola Nordmann er tildelt deg",
			"Første kontakt med x@fjord.example forfaller om 20 minutter",
			">Tildelt ·", ">Forfaller snart ·",
			"Old Lead was assigned to you",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the Norwegian page lacks %q:\n%s", want, textOf(page))
			}
		}
		_, list := notices(t, f, "sales", "")
		var titles []string
		for _, n := range list {
			titles = append(titles, fmt.Sprint(n["title"]))
		}
		want := "Old Lead was assigned to you|First contact with x@fjord.example is due in 20 min|Ola Nordmann was assigned to you"
		if got := strings.Join(titles, "|"); got != want {
			t.Errorf("the API's titles: %q, want English %q", got, want)
		}
	})
}

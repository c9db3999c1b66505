package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func init() {
	pageMatrix["GET /live"] = pageRule{who: "any", form: url.Values{"topic": {"leads"}}}
	pageMatrix["GET /leads/new-count"] = pageRule{who: "any", form: url.Values{"since": {"1"}}}
	pageMatrix["GET /notifications/unread"] = pageRule{who: "any"}
}

// stream opens GET /live for b's session and returns a function that
// reads events until one carries want, or the wait runs out.
func stream(t *testing.T, b *browser, query string) (status int, next func(want string) bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", b.base+"/live?"+query, nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if first := <-lines; first != "retry: 3000" {
		t.Fatalf("the stream began with %q", first)
	}
	return resp.StatusCode, func(want string) bool {
		deadline := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return false
				}
				if l == "data: "+want {
					return true
				}
			case <-deadline:
				return false
			}
		}
	}
}

// A page's stream hears the changes of what it follows, and only what
// its user may see: another sales user's lead and another user's
// notifications are refused.
func TestLiveStream(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("sam@example.com")
		status, sues := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"sues@fjord.example","owner":"sue@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("sue's lead: %d %v", status, sues)
		}
		if status, _ := stream(t, b, fmt.Sprintf("topic=lead:%v", sues["id"])); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("sam following sue's lead: %d", status)
		}
		if status, _ := stream(t, b, "topic=user:1"); status != http.StatusForbidden {
			t.Errorf("sam following another user's notifications: %d", status)
		}
		_, mine := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ola@fjord.example"}`)
		status, next := stream(t, b, fmt.Sprintf("topic=leads&topic=lead:%v", mine["id"]))
		if status != http.StatusOK {
			t.Fatalf("stream: %d", status)
		}
		f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"kari@fjord.example"}`)
		if !next("leads") {
			t.Error("a new lead did not reach the list's stream")
		}
		f.call(t, "marketing", "POST", "/api/v1/events", fmt.Sprintf(`{"events":[{"lead_id":%v,"type":"page_view"}]}`, mine["id"]))
		if !next(fmt.Sprintf("lead:%v", mine["id"])) {
			t.Error("an event on the lead did not reach its page's stream")
		}
		_, _, body := b.get(fmt.Sprintf("/leads/new-count?since=%d&q=fjord", time.Now().Add(-time.Minute).UnixMilli()))
		if strings.TrimSpace(body) != `{"count":2,"text":"2 new leads — show"}` {
			t.Errorf("new leads matching fjord in the last minute, as sam sees them: %s", body)
		}
	})
}

// In the browser, without reloading: the lead list says a new lead
// arrived, the lead's page shows a new event and its score, the bell
// counts a notice, and the dashboard counts the lead.
func TestBrowserLiveUpdates(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	_, l := f.call(t, "sales", "POST", "/api/v1/leads", `{"email":"ola@fjord.example","first_name":"Ola"}`)
	leadPage := fmt.Sprint(f.srv.URL, "/leads/", l["id"])
	open := func(url string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.Navigate(url), chromedp.WaitVisible(`body[data-live-open]`, chromedp.ByQuery)}
	}
	var banner, activity, score, leadsKPI string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/leads", "sam@example.com"),
		chromedp.WaitVisible(`body[data-live-open]`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"kari@fjord.example"}`)
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`#new-leads`, chromedp.ByID), chromedp.Text(`#new-leads`, &banner, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(banner, "1 new lead") {
		t.Errorf("the list's banner reads %q", banner)
	}

	if err := chromedp.Run(ctx, open(leadPage)); err != nil {
		t.Fatal(leadPage, err)
	}
	f.call(t, "marketing", "POST", "/api/v1/events", fmt.Sprintf(`{"events":[{"lead_id":%v,"type":"quote_request"}]}`, l["id"]))
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`//section[@id="activity"]//strong[text()="Quote request"]`, chromedp.BySearch),
		chromedp.Text(`#activity`, &activity, chromedp.ByID), chromedp.Text(`#lead-score`, &score, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if score != "30" {
		t.Errorf("after a quote request the page shows score %q, want 30", score)
	}
	f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"owner":""}`)
	f.call(t, "marketing", "PATCH", fmt.Sprint("/api/v1/leads/", l["id"]), `{"owner":"sam@example.com"}`)
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`#bell .count`, chromedp.ByQuery)); err != nil {
		t.Fatalf("the bell did not count the notice: %v", err)
	}

	if err := chromedp.Run(ctx, open(f.srv.URL+"/reports"), chromedp.Text(`#totals .score`, &leadsKPI, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"per@fjord.example"}`)
	want := fmt.Sprint(atoi(leadsKPI) + 1)
	if err := chromedp.Run(ctx, chromedp.Poll(`document.querySelector("#totals .score").textContent === `+"`"+want+"`", nil)); err != nil {
		t.Errorf("the dashboard's lead count stayed at %s, want %s: %v", leadsKPI, want, err)
	}
}

package server_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

func TestEventsAPIScoresAndExplains(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		_, l := f.call(t, "marketing", "POST", "/api/v1/leads", `{"email":"vp@orbit.io","job_title":"VP Engineering","employees":40}`)
		id := l["id"]
		if l["score"] != 25.0 { // decision maker 20, 20-199 employees 5
			t.Fatalf("explicit score %v", l["score"])
		}
		status, one := f.call(t, "marketing", "POST", "/api/v1/events",
			fmt.Sprintf(`{"lead_id":%v,"type":"pricing_page_view","url":"https://orbit.io/pricing","occurred_at":%q}`, id, time.Now().UTC().Format(time.RFC3339)))
		if status != 201 || one["score"] != 35.0 || one["grade"] != "cold" {
			t.Fatalf("one event: %d %v", status, one)
		}
		status, batch := f.call(t, "marketing", "POST", "/api/v1/events", `{"events":[
			{"email":"VP@orbit.io","type":"quote_request"},
			{"visitor_id":"anon-1","type":"page_view","url":"https://orbit.io/"}]}`)
		data, _ := batch["data"].([]any)
		if status != 201 || len(data) != 2 {
			t.Fatalf("batch: %d %v", status, batch)
		}
		first, second := data[0].(map[string]any), data[1].(map[string]any)
		if first["score"] != 65.0 || first["grade"] != "warm" || second["lead_id"] != nil {
			t.Errorf("batch results %v %v", first, second)
		}
		_, got := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v", id), "")
		if got["stage"] != "mql" {
			t.Errorf("at 65 the lead passed the MQL threshold of 60, stage %v", got["stage"])
		}

		status, why := f.call(t, "sales", "GET", fmt.Sprintf("/api/v1/leads/%v/score", id), "")
		fired, _ := why["fired"].([]any)
		if status != 200 || why["score"] != 65.0 || why["explicit"] != 25.0 || len(fired) != 4 {
			t.Fatalf("explanation: %d %v", status, why)
		}
		// The curve rises with the events and ends at the score now.
		hist, _ := why["history"].([]any)
		if n := len(hist); n < 2 || hist[0].(map[string]any)["score"].(float64) >= 65 || hist[n-1].(map[string]any)["score"] != 65.0 {
			t.Errorf("score curve %v", hist)
		}
		quote := fired[3].(map[string]any)
		if quote["label"] != "Quote request" || quote["points"] != 30.0 || len(quote["events"].([]any)) != 1 {
			t.Errorf("quote rule %v", quote)
		}

		for _, bad := range []struct{ body, field string }{
			{`{"type":"page_view"}`, "lead_id"},
			{`{"email":"ghost@x.io","type":"page_view"}`, "email"},
			{`{"lead_id":1,"type":"two words"}`, "type"},
			{`{"events":[{"lead_id":1,"type":"page_view"},{"type":""}]}`, "events.1.type"},
			{`{"lead_id":1,"type":"x","colour":"red"}`, "body"},
		} {
			status, body := f.call(t, "admin", "POST", "/api/v1/events", bad.body)
			if status != 422 || errorFields(body)[bad.field] == nil {
				t.Errorf("%s: %d %v", bad.body, status, body)
			}
		}
	})
}

func TestRulesAPIVersionsAndRescores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"a@school.edu","industry":"Education"}`)
		status, rules := f.call(t, "sales", "GET", "/api/v1/scoring/rules", "")
		if status != 200 || rules["version"] != 0.0 || rules["rules"].(map[string]any)["hot"] != 70.0 {
			t.Fatalf("default rules: %d %v", status, rules)
		}
		body := `{"note":"schools matter","rules":{"explicit":[{"field":"email_domain","op":"equals","values":["school.edu"],"points":80}],
			"behaviour":[],"half_life_days":14,"hot":75,"warm":30,"mql":0}}`
		if status, _ := f.call(t, "sales", "PUT", "/api/v1/scoring/rules", body); status != 403 {
			t.Errorf("sales changing rules: %d", status)
		}
		status, saved := f.call(t, "marketing", "PUT", "/api/v1/scoring/rules", body)
		if status != 200 || saved["ruleset"].(map[string]any)["version"] != 1.0 || saved["rescore_id"] == nil {
			t.Fatalf("save: %d %v", status, saved)
		}
		var progress map[string]any
		for until := time.Now().Add(time.Minute); time.Now().Before(until); {
			_, progress = f.call(t, "admin", "GET", "/api/v1/scoring/rescore", "")
			if progress["status"] == "done" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		_, l := f.call(t, "admin", "GET", "/api/v1/leads?q=school", "")
		lead := l["data"].([]any)[0].(map[string]any)
		if progress["status"] != "done" || lead["score"] != 80.0 || lead["grade"] != "hot" {
			t.Errorf("after the rule change: %v; lead %v %v", progress, lead["score"], lead["grade"])
		}
		_, versions := f.call(t, "admin", "GET", "/api/v1/scoring/versions", "")
		v := versions["data"].([]any)[0].(map[string]any)
		if v["note"] != "schools matter" || v["created_by"] != "mia@example.com" {
			t.Errorf("version %v", v)
		}
		status, refused := f.call(t, "admin", "PUT", "/api/v1/scoring/rules",
			`{"rules":{"explicit":[{"field":"shoe","op":"equals","values":["x"],"points":5}],"hot":10,"warm":50}}`)
		if status != 422 || errorFields(refused)["explicit.0.field"] == nil || errorFields(refused)["warm"] == nil {
			t.Errorf("bad rules: %d %v", status, refused)
		}
	})
}

func TestTrackingScriptCollectorAndPixel(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	// The sites typed come back in the form with the reason beside them.
	status, _, body := admin.post("/scoring/origins", url.Values{"origins": {"https://www.acme.example\nwww.shop.example"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "https://www.acme.example\nwww.shop.example</textarea>") ||
		!strings.Contains(html.UnescapeString(body), `"www.shop.example" is not a site address such as https://www.example.com`) {
		t.Errorf("a bad site: %d, not shown again with what was typed and why:\n%.600s", status, textOf(body))
	}
	if status, _, _ := admin.post("/scoring/origins", url.Values{"origins": {"https://www.acme.example"}}); status != http.StatusSeeOther {
		t.Fatalf("save sites: %d", status)
	}

	js, err := http.Get(f.srv.URL + "/t.js")
	if err != nil {
		t.Fatal(err)
	}
	script, _ := io.ReadAll(js.Body)
	js.Body.Close()
	if !strings.Contains(string(script), "lf_vid") || !strings.Contains(js.Header.Get("Content-Type"), "javascript") {
		t.Errorf("t.js: %s", js.Header.Get("Content-Type"))
	}

	send := func(origin, body string) *http.Response {
		req, _ := http.NewRequest("POST", f.srv.URL+"/t/collect", strings.NewReader(body))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	event := `{"visitor_id":"v-42","type":"pricing_page_view","url":"https://www.acme.example/pricing"}`
	if resp := send("https://evil.example", event); resp.StatusCode != 403 {
		t.Errorf("an unlisted site: %d", resp.StatusCode)
	}
	resp := send("https://www.acme.example", event)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://www.acme.example" {
		t.Fatalf("a listed site: %d %v", resp.StatusCode, resp.Header)
	}

	// The visitor fills a form: the pricing visit now counts for the lead.
	createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"}]}`)
	if resp, body := post(t, f.srv.URL, "/f/news", "application/json", `{"email":"known@acme.example","_vid":"v-42"}`); resp.StatusCode != 200 {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=known@acme", "")
	l := list["data"].([]any)[0].(map[string]any)
	if l["score"] != 20.0 { // pricing page 10 + form submission 10
		t.Errorf("score %v, want 20 with the visit before the form", l["score"])
	}

	// The email pixel records an open for the lead it names, and only that.
	_, _, page := admin.get(fmt.Sprintf("/leads/%v", l["id"]))
	m := regexp.MustCompile(`/t/open\.gif\?t=([^"&]+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the lead page shows no pixel")
	}
	for _, token := range []string{m[1], "1.forged"} {
		resp, err := http.Get(f.srv.URL + "/t/open.gif?t=" + token + "&c=spring")
		if err != nil {
			t.Fatal(err)
		}
		gif, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Type") != "image/gif" || !strings.HasPrefix(string(gif), "GIF89a") {
			t.Errorf("pixel %s: %v", token, resp.Header)
		}
	}
	_, after := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%v", l["id"]), "")
	if after["score"] != 21.0 { // one email open
		t.Errorf("score after the open %v, want 21 (the forged token counts for nothing)", after["score"])
	}
}

func TestWebScoringEditor(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	_, _, page := b.get("/scoring")
	if !strings.Contains(page, `value="Decision maker"`) || !strings.Contains(page, "Tracking on your sites") {
		t.Fatal("the scoring page does not show the default rules")
	}
	form := url.Values{"hot": {"80"}, "warm": {"90"}, "mql": {"60"}, "half_life_days": {"30"},
		"e0_field": {"job_title"}, "e0_op": {"contains"}, "e0_values": {"chief, head of"}, "e0_points": {"lots"}, "e0_label": {"Chiefs"},
		"e1_field": {""}, "b0_event": {"page_view"}, "b0_points": {"2"}, "b0_cap": {"30"}, "b0_window": {"90"}}
	status, _, page := b.post("/scoring", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Explicit rule 1: Points must be a whole number") || !strings.Contains(page, `value="Chiefs"`) {
		t.Errorf("refused rules: %d", status)
	}
	form.Set("e0_points", "25")
	status, _, page = b.post("/scoring", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Warm from must not be above the hot threshold") {
		t.Errorf("warm above hot: %d", status)
	}
	form.Set("warm", "45")
	form.Set("note", "chiefs count more")
	if status, _, _ := b.post("/scoring", form); status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, _, page = b.get("/scoring")
	if !strings.Contains(page, "Version 1") || !strings.Contains(page, "chiefs count more") || !strings.Contains(page, `value="chief, head of"`) {
		t.Errorf("the saved version is not shown")
	}
	sales := newBrowser(t, f.srv.URL)
	sales.login("sam@example.com")
	if status, _, _ := sales.get("/scoring"); status != http.StatusForbidden {
		t.Errorf("sales on the scoring page: %d", status)
	}
}

// An earlier rules version opens in the editor and, saved, is restored
// as a new version with its rules, its note saying so; behaviour rules
// pick their event from a list.
func TestBrowserRestoreRulesVersion(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	for _, points := range []int{12, 3} {
		body := fmt.Sprintf(`{"note":"ebooks at %d","rules":{"explicit":[],"behaviour":[{"event":"ebook_download","points":%d}],"half_life_days":30,"hot":70,"warm":40,"mql":60}}`, points, points)
		if status, saved := f.call(t, "marketing", "PUT", "/api/v1/scoring/rules", body); status != 200 {
			t.Fatalf("save: %d %v", status, saved)
		}
	}
	var event string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/scoring", "mia@example.com"),
		chromedp.WaitVisible(`a[href="/scoring?version=1"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("select[name=b0_event]").value`, &event),
	)
	if err != nil {
		t.Fatal(err)
	}
	if event != "ebook_download" {
		t.Errorf("the first behaviour rule's event list shows %q", event)
	}
	clickToNavigate(t, ctx, `a[href="/scoring?version=1"]`)
	var points string
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#opened`, chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("input[name=b0_points]").value`, &points),
	)
	if err != nil {
		t.Fatal(err)
	}
	if points != "12" {
		t.Errorf("version 1 opens with %q points for an e-book", points)
	}
	clickToNavigate(t, ctx, `form.builder button.primary[type=submit]`)
	_, rules := f.call(t, "admin", "GET", "/api/v1/scoring/rules", "")
	b := rules["rules"].(map[string]any)["behaviour"].([]any)
	if rules["version"] != 3.0 || len(b) != 1 || b[0].(map[string]any)["points"] != 12.0 || rules["note"] != "Restore of version 1" {
		t.Errorf("after restoring version 1: %v", rules)
	}
}

// A rule's field is picked from a list: the standard fields by their
// names, and the custom questions that forms ask, which appear once a
// form asks them; a stored field the list lacks still shows, selected.
func TestWebScoringFieldList(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := newBrowser(t, f.srv.URL)
	b.login("mia@example.com")
	_, _, page := b.get("/scoring")
	if strings.Contains(page, `<input name="e0_field"`) || !strings.Contains(page, `<select name="e0_field"`) ||
		!strings.Contains(page, `<option value="job_title" selected>Job title</option>`) || strings.Contains(page, "custom.budget") {
		t.Fatal("the first rule's field is not a list with job title chosen, or offers a question no form asks")
	}
	createForm(t, f, `{"slug":"budget","name":"Budget","fields":[{"name":"email"},{"name":"budget","type":"number","label":"Budget"}]}`)
	if _, _, page = b.get("/scoring"); !strings.Contains(page, `<option value="custom.budget" >Budget (form question)</option>`) {
		t.Error("the form's budget question is not among the fields")
	}
}

// Batches of events from many clients at once, some naming a lead that
// does not exist: those are refused by name (422) and store nothing; every
// event of the others is stored, and each lead's stored score is the one
// its explanation gives, right after the answers.
func TestConcurrentEventBatchesThroughTheAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var ids []string
		for i := range 3 {
			_, l := f.call(t, "marketing", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"buyer%d@orbit.io","job_title":"CTO"}`, i))
			ids = append(ids, fmt.Sprint(l["id"]))
		}
		types := []string{"page_view", "pricing_page_view", "email_open", "quote_request", "ebook_download"}
		const clients, rounds = 8, 4
		var mu sync.Mutex
		sent := map[string]int{}
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					bad := (c+r)%3 == 0
					var events []string
					for i := range 10 {
						id := ids[(c+r+i)%len(ids)]
						if bad && i == 6 {
							id = "999999999"
						}
						events = append(events, fmt.Sprintf(`{"lead_id":%s,"type":%q}`, id, types[(c*rounds+r+i)%len(types)]))
					}
					status, body := f.call(t, "marketing", "POST", "/api/v1/events", `{"events":[`+strings.Join(events, ",")+`]}`)
					switch {
					case bad && (status != 422 || errorFields(body)["events.6.lead_id"] == nil):
						t.Errorf("client %d round %d, an unknown lead: %d %v", c, r, status, body)
					case !bad && status != 201:
						t.Errorf("client %d round %d: %d %v", c, r, status, body)
					case !bad:
						mu.Lock()
						for i := range 10 {
							sent[ids[(c+r+i)%len(ids)]]++
						}
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			var stored int
			if err := db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM events WHERE lead_id = ?`, id).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored != sent[id] {
				t.Errorf("lead %s: %d events stored, %d sent in accepted batches", id, stored, sent[id])
			}
			_, l := f.call(t, "admin", "GET", "/api/v1/leads/"+id, "")
			_, why := f.call(t, "admin", "GET", "/api/v1/leads/"+id+"/score", "")
			if l["score"] != why["score"] {
				t.Errorf("lead %s: stored score %v, explained %v", id, l["score"], why["score"])
			}
		}
	})
}

package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
	"leadflow/internal/webhook"
)

// TestWebhookEvents: an admin subscribes a receiver to every event
// through the API; then the users' ordinary work — a lead created,
// moved to MQL and qualified to SQL, one converted, its deal won, another deal lost, two leads
// merged, one deleted, a form submission refused, an import run — reaches
// the receiver as the matching events, every message signed with the
// subscription's secret; the delivery log lists them.
func TestWebhookEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var mu sync.Mutex
		got := map[string]int{}
		var secret string
		bad := 0
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var m webhook.Message
			json.Unmarshal(body, &m)
			mu.Lock()
			defer mu.Unlock()
			if webhook.Verify(secret, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now()) != nil {
				bad++
			}
			got[m.Type]++
		}))
		defer rcv.Close()
		_, events := f.call(t, "admin", "GET", "/api/v1/webhooks", "")
		all, _ := json.Marshal(events["events"])
		status, hook := f.call(t, "admin", "POST", "/api/v1/webhooks", `{"url":"`+rcv.URL+`","events":`+string(all)+`}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(hook), "private") {
			t.Fatalf("a loopback receiver without allow_private: %d %v", status, hook)
		}
		status, hook = f.call(t, "admin", "POST", "/api/v1/webhooks", `{"url":"`+rcv.URL+`","events":`+string(all)+`,"allow_private":true}`)
		if status != http.StatusCreated {
			t.Fatalf("subscribe: %d %v", status, hook)
		}
		mu.Lock()
		secret = hook["secret"].(string)
		mu.Unlock()

		id := func(m map[string]any, k string) string { return fmt.Sprint(m[k]) }
		_, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"hook@lead.example","company":"Hook Co","stage":"sql"}`)
		_, conv := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l, "id")+"/convert", `{"opportunity":{"name":"Hook deal","amount":500,"currency":"EUR"}}`)
		if s, o := f.call(t, "admin", "PATCH", "/api/v1/opportunities/"+id(conv, "opportunity_id"), `{"stage":"won"}`); s != http.StatusOK {
			t.Fatalf("win: %d %v", s, o)
		}
		_, l2 := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"lost@lead.example","company":"Lost Co","stage":"sql"}`)
		_, conv2 := f.call(t, "admin", "POST", "/api/v1/leads/"+id(l2, "id")+"/convert", `{"opportunity":{"name":"Lost deal","amount":1,"currency":"EUR"}}`)
		if s, o := f.call(t, "admin", "PATCH", "/api/v1/opportunities/"+id(conv2, "opportunity_id"), `{"stage":"lost","lost_reason":"price"}`); s != http.StatusOK {
			t.Fatalf("lose: %d %v", s, o)
		}
		_, a := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"twin1@lead.example","first_name":"Tess","last_name":"Twin","company":"Twins"}`)
		_, b := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"twin2@lead.example","first_name":"Tess","last_name":"Twin","company":"Twins"}`)
		if s, o := f.call(t, "admin", "POST", "/api/v1/leads/"+id(a, "id")+"/merge", `{"other_id":`+id(b, "id")+`}`); s != http.StatusOK {
			t.Fatalf("merge: %d %v", s, o)
		}
		if s, o := f.call(t, "admin", "PATCH", "/api/v1/leads/"+id(a, "id"), `{"city":"Cluj"}`); s != http.StatusOK {
			t.Fatalf("update: %d %v", s, o)
		}
		_, q := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"qualify@lead.example","company":"Q Co"}`)
		if s, o := f.call(t, "admin", "PATCH", "/api/v1/leads/"+id(q, "id"), `{"stage":"mql"}`); s != http.StatusOK {
			t.Fatalf("to MQL: %d %v", s, o)
		}
		if s, o := f.call(t, "admin", "POST", "/api/v1/leads/"+id(q, "id")+"/qualify",
			`{"outcome":"sql","authority":"decision_maker","need":"a CRM","timing":"2027-Q1"}`); s != http.StatusOK {
			t.Fatalf("to SQL: %d %v", s, o)
		}
		// A lead's pending messages are erased with it, so the lead deleted
		// is one whose messages the test can do without.
		_, gone := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"gone@lead.example","company":"Gone Co"}`)
		if s, _ := f.call(t, "admin", "DELETE", "/api/v1/leads/"+id(gone, "id"), ""); s != http.StatusNoContent {
			t.Fatalf("delete: %d", s)
		}
		createForm(t, f, `{"slug":"hooked","name":"Hooked","fields":[{"name":"email"}]}`)
		post(t, f.srv.URL, "/f/hooked", "application/json", `{"email":"not an address"}`)
		br := newBrowser(t, f.srv.URL)
		br.login("admin@example.com")
		_, loc, _ := br.upload("hook.csv", "email\nimported@lead.example\n")
		if s, _, _ := br.post(loc+"/start", url.Values{"col0": {"email"}}); s != http.StatusSeeOther {
			t.Fatalf("start import: %d", s)
		}

		want := []string{"lead.created", "lead.updated", "lead.merged", "lead.deleted", "lead.stage_changed", "lead.mql", "lead.sql", "lead.converted",
			"opportunity.won", "opportunity.lost", "form.submission_refused", "import.finished"}
		deadline := time.Now().Add(time.Minute)
		for {
			mu.Lock()
			missing := slices.DeleteFunc(slices.Clone(want), func(e string) bool { return got[e] > 0 })
			mu.Unlock()
			if len(missing) == 0 {
				break
			}
			if time.Now().After(deadline) {
				rows, _ := db.R.Query(t.Context(), `SELECT kind, state, error FROM jobs WHERE kind LIKE 'webhook%' ORDER BY id DESC LIMIT 10`)
				for rows.Next() {
					var k, s, e string
					rows.Scan(&k, &s, &e)
					t.Log(k, s, e)
				}
				rows.Close()
				var n, d int
				db.R.QueryRow(t.Context(), `SELECT (SELECT COUNT(*) FROM webhook_events), (SELECT COUNT(*) FROM webhook_deliveries)`).Scan(&n, &d)
				t.Log("events", n, "deliveries", d)
				t.Fatalf("the receiver never got %v; got %v", missing, got)
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		if bad != 0 {
			t.Errorf("%d messages failed signature verification", bad)
		}
		if got["lead.created"] < 5 {
			t.Errorf("%d lead.created, want at least the five leads that stay", got["lead.created"])
		}
		mu.Unlock()
		_, log := f.call(t, "admin", "GET", "/api/v1/webhooks/"+id(hook, "id")+"/deliveries?limit=200", "")
		if data, _ := log["data"].([]any); len(data) < len(want) {
			t.Errorf("the delivery log lists %d messages", len(data))
		}
	})
}

// TestWebhookPages: an admin adds a webhook on its page — a loopback URL
// is refused naming the field and keeping what was typed, then allowed
// with the box ticked — sees its secret and, once a lead is made, the
// message in its delivery log; disabling it shows on the list.
func TestWebhookPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "thanks") }))
		defer rcv.Close()
		b := newBrowser(t, f.srv.URL)
		b.login("admin@example.com")
		form := url.Values{"url": {rcv.URL + "/in"}, "description": {"Team alerts"}, "events": {"lead.created", "lead.sql"}}
		status, _, page := b.post("/settings/webhooks", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "URL is a private or loopback address") || !strings.Contains(page, `value="Team alerts"`) {
			t.Fatalf("loopback without the box: %d\n%.3000s", status, textOf(page))
		}
		form.Set("allow_private", "1")
		status, loc, _ := b.post("/settings/webhooks", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/webhooks/") {
			t.Fatalf("add: %d %q", status, loc)
		}
		_, _, page = b.get(loc)
		if !strings.Contains(page, "whsec_") || !strings.Contains(page, "Nothing sent yet") {
			t.Errorf("webhook page lacks the secret or the empty log:\n%.3000s", textOf(page))
		}
		f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"paged@lead.example"}`)
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(page, "HTTP 200") && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			_, _, page = b.get(loc)
		}
		_, logPart, _ := strings.Cut(page, "Delivery log")
		if !strings.Contains(logPart, "lead.created") || !strings.Contains(logPart, "HTTP 200") || !strings.Contains(logPart, "thanks") || !strings.Contains(logPart, "Redeliver") {
			t.Errorf("the delivery log does not show the message:\n%.3000s", logPart)
		}
		form.Del("active") // unticked: disable
		if status, _, _ := b.post(loc, form); status != http.StatusSeeOther {
			t.Fatalf("disable: %d", status)
		}
		_, _, page = b.get("/settings/webhooks")
		if !strings.Contains(page, "is disabled: disabled by admin@example.com") {
			t.Errorf("the list does not say it is disabled:\n%.2000s", textOf(page))
		}
	})
}

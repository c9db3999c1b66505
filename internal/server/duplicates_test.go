package server_test

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// twins makes n people, each entered twice with a slip (a letter wrong in
// the surname, the company with its legal form), through the API.
func twins(t *testing.T, f *fixture, n int) {
	t.Helper()
	first := []string{"Kayla", "Lachlan", "Deakin", "Paige", "Jacob", "Amelia", "Joshua", "Tori", "Willow", "Kelsey"}
	last := strings.Fields(`Harrington Berryman Sondergeld Lowenthal Chiera Ryanson Rickett Keogh Bradfield Halligan
		Trevorrow Lombardi Stephenson Gryosler Maltby Dumas Turtur Waller Giblin Goldfinch Blacket Kosciusko Yerralee
		Tullaroop Ballarat Wangaratta Toowoomba Pakenham Kyogle Unanderra`)
	for i := range n {
		typo := []byte(last[i])
		typo[3] = 'x'
		for j, body := range []string{
			fmt.Sprintf(`{"email":"p%d@orbit.io","first_name":%q,"last_name":%q,"company":"Orbit","city":"Brasov"}`, i, first[i%10], last[i]),
			fmt.Sprintf(`{"email":"p%d@gmail.com","first_name":%q,"last_name":%q,"company":"Orbit SRL","city":"Brasov"}`, i, first[i%10], string(typo)),
		} {
			if status, l := f.call(t, "marketing", "POST", "/api/v1/leads", body); status != 201 {
				t.Fatalf("lead %d.%d: %d %v", i, j, status, l)
			}
		}
	}
}

// TestDuplicatesAPI: the queue pages with next_cursor and explains each
// pair; not a duplicate is remembered; a merge picks values field by
// field; bulk accept merges from a score; bad input names the field.
func TestDuplicatesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		twins(t, f, 5)
		seen := map[string]bool{}
		path := "/api/v1/duplicates?limit=2"
		for pages := 0; path != ""; pages++ {
			status, page := f.call(t, "marketing", "GET", path, "")
			if status != 200 || page["total"] != 5.0 || pages > 3 {
				t.Fatalf("page %d: %d %v", pages, status, page)
			}
			for _, p := range page["data"].([]any) {
				pair := p.(map[string]any)
				key := fmt.Sprint(pair["a"].(map[string]any)["id"], "-", pair["b"].(map[string]any)["id"])
				if seen[key] || pair["verdict"] != "probable" || len(pair["fields"].([]any)) == 0 {
					t.Errorf("pair %s: %v", key, pair)
				}
				seen[key] = true
			}
			path = ""
			if next, ok := page["next_cursor"].(string); ok {
				path = "/api/v1/duplicates?limit=2&cursor=" + url.QueryEscape(next)
			}
		}
		if len(seen) != 5 {
			t.Errorf("%d pairs over the pages, want 5", len(seen))
		}

		_, page := f.call(t, "marketing", "GET", "/api/v1/duplicates?sort=newest&limit=1", "")
		pair := page["data"].([]any)[0].(map[string]any)
		a, b := pair["a"].(map[string]any), pair["b"].(map[string]any)
		fields := map[string]string{}
		for _, fl := range pair["fields"].([]any) {
			m := fl.(map[string]any)
			fields[m["field"].(string)] = m["level"].(string)
		}
		if fields["first_name"] != "same" || fields["last_name"] != "similar" || fields["company"] != "same" || fields["phone"] != "missing" {
			t.Errorf("explanation %v", fields)
		}
		if status, _ := f.call(t, "marketing", "POST", "/api/v1/duplicates/dismiss", fmt.Sprintf(`{"a":%v,"b":%v}`, a["id"], b["id"])); status != 204 {
			t.Errorf("dismiss: %d", status)
		}
		if _, page = f.call(t, "marketing", "GET", "/api/v1/duplicates", ""); page["total"] != 4.0 {
			t.Errorf("after not a duplicate: %v pairs", page["total"])
		}

		pair = page["data"].([]any)[0].(map[string]any)
		a, b = pair["a"].(map[string]any), pair["b"].(map[string]any)
		status, m := f.call(t, "marketing", "POST", "/api/v1/duplicates/merge",
			fmt.Sprintf(`{"keep":%v,"others":[%v],"pick":{"last_name":%v,"email":%v}}`, a["id"], b["id"], b["id"], b["id"]))
		if status != 200 || m["last_name"] != b["last_name"] || m["email"] != b["email"] || m["id"] != a["id"] {
			t.Errorf("merge with picks: %d %v", status, m)
		}

		for _, c := range []struct{ path, body, field string }{
			{"/api/v1/duplicates?sort=size", "", "sort"},
			{"/api/v1/duplicates?limit=500", "", "limit"},
			{"/api/v1/duplicates?cursor=zz!", "", "cursor"},
			{"/api/v1/duplicates/dismiss", `{"a":1}`, "b"},
			{"/api/v1/duplicates/merge", `{"keep":1,"others":[]}`, "others"},
			{"/api/v1/duplicates/merge", fmt.Sprintf(`{"keep":%v,"others":[999999],"pick":{"stage":%v}}`, a["id"], a["id"]), "pick.stage"},
			{"/api/v1/duplicates/accept", `{}`, "min_score"},
			{"/api/v1/duplicates/accept", `{"min_score":3}`, "min_score"},
		} {
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			status, body := f.call(t, "marketing", method, c.path, c.body)
			e, _ := body["error"].(map[string]any)
			fl, _ := e["fields"].(map[string]any)
			if status != 422 || fl[c.field] == nil {
				t.Errorf("%s %s: %d %v, want 422 naming %s", method, c.path, status, body, c.field)
			}
		}

		status, acc := f.call(t, "marketing", "POST", "/api/v1/duplicates/accept", `{"min_score":8}`)
		if status != 200 || acc["merged"] != 3.0 {
			t.Errorf("bulk accept: %d %v", status, acc)
		}
		if _, page = f.call(t, "marketing", "GET", "/api/v1/duplicates", ""); page["total"] != 0.0 {
			t.Errorf("after bulk accept: %v pairs", page["total"])
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/duplicates", ""); status != 403 {
			t.Errorf("sales: %d", status)
		}
	})
}

// TestBrowserReviewQueue: a marketing user pages through the queue, says
// one pair is not a duplicate, and merges another choosing the surname,
// at desktop width and on a phone, where nothing scrolls sideways.
func TestBrowserReviewQueue(t *testing.T) {
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx := chromium(t)
			db := dbtest.SQLite(t)
			f := newFixture(t, db)
			twins(t, f, 30)
			var overflow bool
			var total, first string
			var cards int
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(width, 900),
				signIn(f.srv.URL+"/duplicates", "mia@example.com"),
				chromedp.WaitVisible(`section.pair`),
				chromedp.Evaluate(`document.querySelectorAll("section.pair").length`, &cards),
				chromedp.Text(`form.bulk .sub`, &total),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
				chromedp.AttributeValue(`section.pair`, "data-pair", &first, nil),
			)
			if err != nil {
				t.Fatal(err)
			}
			if cards != 25 || total != "30 pairs in the queue" || overflow {
				t.Errorf("first page: %d cards, %q, sideways scroll %v", cards, total, overflow)
			}
			screenshot(t, ctx, fmt.Sprint("duplicates-", width))
			clickToNavigate(t, ctx, `a[rel=next]`)
			if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("section.pair").length`, &cards)); err != nil || cards != 5 {
				t.Errorf("second page: %d cards (%v)", cards, err)
			}

			// Not a duplicate: the pair leaves the queue.
			if err := chromedp.Run(ctx, chromedp.Navigate(f.srv.URL+"/duplicates"), chromedp.WaitVisible(`section.pair`)); err != nil {
				t.Fatal(err)
			}
			clickToNavigate(t, ctx, `section.pair form button`)
			var after string
			if err := chromedp.Run(ctx, chromedp.Text(`form.bulk .sub`, &after)); err != nil || after != "29 pairs in the queue" {
				t.Errorf("after not a duplicate: %q (%v)", after, err)
			}
			var again bool
			chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector('[data-pair=%q]')`, first), &again))
			if again {
				t.Errorf("pair %s still listed", first)
			}

			// Merge, taking the surname of the second lead.
			clickToNavigate(t, ctx, `section.pair a.button`)
			var surnames []string
			err = chromedp.Run(ctx,
				chromedp.WaitVisible(`form.merge`),
				chromedp.Evaluate(`[...document.querySelectorAll('input[name="pick.last_name"]')].map(i => i.parentElement.textContent.trim())`, &surnames),
				chromedp.Click(`input[name="pick.last_name"]:not(:checked)`),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
			)
			if err != nil || len(surnames) != 2 {
				t.Fatalf("merge page: %v %v", surnames, err)
			}
			if overflow {
				t.Error("the merge page scrolls sideways")
			}
			screenshot(t, ctx, fmt.Sprint("merge-", width))
			clickToNavigate(t, ctx, `form.merge button[type=submit]`)
			var h1 string
			if err := chromedp.Run(ctx, chromedp.Text(`h1`, &h1)); err != nil || !strings.HasSuffix(h1, surnames[1]) {
				t.Errorf("merged lead is %q, want the surname %q (%v)", h1, surnames[1], err)
			}

			// Undo, from the merge on the lead's timeline.
			clickToNavigate(t, ctx, `form[action="/duplicates/undo"] button`)
			var flash string
			if err := chromedp.Run(ctx, chromedp.Text(`.flash`, &flash), chromedp.Text(`h1`, &h1)); err != nil ||
				!strings.HasPrefix(flash, "Merge undone") || !strings.HasSuffix(h1, surnames[0]) {
				t.Errorf("after undo: %q, lead %q, want the surname %q back (%v)", flash, h1, surnames[0], err)
			}

			// Differing values of a known email: keep the one that arrived.
			createForm(t, f, `{"slug":"vr","name":"VR","fields":[{"name":"email"},{"name":"company"}]}`)
			for _, body := range []string{`{"email":"vr@orbit.io","company":"Orbit"}`, `{"email":"vr@orbit.io","company":"Nebula Labs International Holdings"}`} {
				post(t, f.srv.URL, "/f/vr", "application/json", body)
			}
			err = chromedp.Run(ctx,
				chromedp.Navigate(f.srv.URL+"/duplicates#values"),
				chromedp.WaitVisible(`form.value-review`),
				chromedp.Click(`form.value-review input[name="pick.company"][value="offered"]`),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
			)
			if err != nil || overflow {
				t.Fatalf("differing values: sideways scroll %v (%v)", overflow, err)
			}
			screenshot(t, ctx, fmt.Sprint("values-", width))
			clickToNavigate(t, ctx, `form.value-review button[type=submit]`)
			if status, list := f.call(t, "marketing", "GET", "/api/v1/leads?q=vr%40orbit.io", ""); status != 200 ||
				list["data"].([]any)[0].(map[string]any)["company"] != "Nebula Labs International Holdings" {
				t.Errorf("after review: %v", list)
			}
		})
	}
}

// TestWebMergeThree: the merge page takes a third lead and merges all
// three, with the values picked from each.
func TestWebMergeThree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var ids []string
		for _, body := range []string{
			`{"email":"ana@orbit.io","first_name":"Ana","last_name":"Pop","company":"Orbit"}`,
			`{"email":"ana.pop@gmail.com","first_name":"Ana","last_name":"Pop","city":"Cluj"}`,
			`{"phone":"+40721234567","first_name":"Anna","last_name":"Pop","company":"Orbit Software"}`,
		} {
			_, l := f.call(t, "marketing", "POST", "/api/v1/leads", body)
			ids = append(ids, fmt.Sprint(l["id"]))
		}
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		path := "/duplicates/merge?keep=" + ids[0] + "&other=" + ids[1] + "&other=" + ids[2]
		_, _, page := b.get(path)
		if strings.Count(page, `name="pick.first_name"`) != 3 || !strings.Contains(page, `id="add-other"`) {
			t.Fatalf("merge page for three:\n%.3000s", page)
		}
		// Add pressed with the box for one more lead left empty: the same
		// page again, not an error.
		if status, _, page := b.get(path + "&other="); status != 200 || strings.Count(page, `name="pick.first_name"`) != 3 {
			t.Errorf("Add with an empty box: %d\n%.2000s", status, page)
		}
		// The kept lead, or one already there, added again: the same three.
		if status, _, page := b.get(path + "&other=" + ids[0] + "&other=" + ids[1]); status != 200 || strings.Count(page, `name="pick.first_name"`) != 3 {
			t.Errorf("the kept lead added again: %d\n%.2000s", status, page)
		}
		// The values read as the pages write them: the phone in groups.
		if !strings.Contains(html.UnescapeString(page), "+40 721 234 567") {
			t.Errorf("the merge page does not write the phone in groups")
		}
		status, loc, _ := b.post(path, url.Values{"pick.company": {ids[2]}, "pick.phone": {ids[2]}, "pick.city": {ids[1]}})
		if status != 303 || loc != "/leads/"+ids[0] {
			t.Fatalf("merge: %d → %s", status, loc)
		}
		_, m := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[0], "")
		if m["company"] != "Orbit Software" || m["phone"] != "+40721234567" || m["city"] != "Cluj" || m["email"] != "ana@orbit.io" {
			t.Errorf("merged lead %v", m)
		}
		for _, id := range ids[1:] {
			if status, _ := f.call(t, "admin", "GET", "/api/v1/leads/"+id, ""); status != 404 {
				t.Errorf("lead %s still there: %d", id, status)
			}
		}
	})
}

// TestUndoMerge: the surviving lead's timeline offers "Undo merge"; the
// button gives both leads back; the API lists the merge as undone and
// refuses a second undo, and an undo after the survivor was edited, with
// 409 naming why.
func TestUndoMerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var ids []string
		for _, body := range []string{
			`{"email":"ana@orbit.io","first_name":"Ana","last_name":"Pop","company":"Orbit"}`,
			`{"email":"ana.pop@gmail.com","first_name":"Ana","last_name":"Pop","city":"Cluj"}`,
		} {
			_, l := f.call(t, "marketing", "POST", "/api/v1/leads", body)
			ids = append(ids, fmt.Sprint(l["id"]))
		}
		if status, m := f.call(t, "marketing", "POST", "/api/v1/duplicates/merge", `{"keep":`+ids[0]+`,"others":[`+ids[1]+`],"pick":{"email":`+ids[1]+`}}`); status != 200 || m["email"] != "ana.pop@gmail.com" {
			t.Fatalf("merge: %d %v", status, m)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		_, _, page := b.get("/leads/" + ids[0])
		i := strings.Index(page, `action="/duplicates/undo"`)
		if i < 0 || !strings.Contains(page[i:], "Undo merge") {
			t.Fatalf("no undo on the survivor's timeline:\n%.3000s", textOf(page))
		}
		_, merges := f.call(t, "marketing", "GET", "/api/v1/leads/"+ids[0]+"/merges", "")
		data := merges["data"].([]any)
		merge := fmt.Sprint(data[0].(map[string]any)["id"])
		if len(data) != 1 || !strings.Contains(page[i:], `name="merge" value="`+merge+`"`) {
			t.Fatalf("merges %v", merges)
		}
		if status, _ := f.call(t, "sales", "POST", "/api/v1/merges/"+merge+"/undo", ""); status != 403 {
			t.Errorf("sales undid a merge: %d", status)
		}
		status, loc, _ := b.post("/duplicates/undo", url.Values{"merge": {merge}, "lead": {ids[0]}})
		if status != 303 || loc != "/leads/"+ids[0] {
			t.Fatalf("undo: %d → %s", status, loc)
		}
		_, _, page = b.get(loc)
		if !strings.Contains(page, "Merge undone") {
			t.Errorf("no word of the undo on the lead page:\n%.2000s", textOf(page))
		}
		_, keep := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[0], "")
		_, back := f.call(t, "admin", "GET", "/api/v1/leads/"+ids[1], "")
		if keep["email"] != "ana@orbit.io" || keep["city"] != "" || back["email"] != "ana.pop@gmail.com" || back["city"] != "Cluj" {
			t.Errorf("after undo: kept %v, back %v", keep, back)
		}
		_, merges = f.call(t, "marketing", "GET", "/api/v1/leads/"+ids[0]+"/merges", "")
		if merges["data"].([]any)[0].(map[string]any)["undone_at"] == nil {
			t.Errorf("the merge is not shown undone: %v", merges)
		}
		if status, e := f.call(t, "marketing", "POST", "/api/v1/merges/"+merge+"/undo", ""); status != 409 || !strings.Contains(fmt.Sprint(e), "undone already") {
			t.Errorf("second undo: %d %v", status, e)
		}

		f.call(t, "marketing", "POST", "/api/v1/leads/"+ids[0]+"/merge", `{"other_id":`+ids[1]+`}`)
		_, merges = f.call(t, "marketing", "GET", "/api/v1/leads/"+ids[0]+"/merges", "")
		merge = fmt.Sprint(merges["data"].([]any)[0].(map[string]any)["id"])
		f.call(t, "marketing", "PATCH", "/api/v1/leads/"+ids[0], `{"city":"Iasi"}`)
		status, e := f.call(t, "marketing", "POST", "/api/v1/merges/"+merge+"/undo", "")
		fields, _ := e["error"].(map[string]any)["fields"].(map[string]any)
		if status != 409 || fields["city"] == nil {
			t.Errorf("undo after the city the merge filled was edited: %d %v", status, e)
		}
		if status, _ := f.call(t, "marketing", "POST", "/api/v1/merges/999999/undo", ""); status != 404 {
			t.Errorf("undo of no merge: %d", status)
		}
	})
}

// TestValueReview: a form sends a known email with another company and
// city; the review page shows both values of each field, and the
// reviewer's choice (the new company, the old city) is what the lead
// keeps; the API lists and resolves reviews, naming a bad choice.
func TestValueReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, `{"slug":"vr","name":"VR","fields":[{"name":"email"},{"name":"company"},{"name":"city"},{"name":"job_title"}]}`)
		for _, body := range []string{
			`{"email":"ana@orbit.io","company":"Orbit","city":"Cluj"}`,
			`{"email":"ana@orbit.io","company":"Nebula Labs","city":"Iasi"}`,
			`{"email":"bo@orbit.io","job_title":"CTO"}`,
			`{"email":"bo@orbit.io","job_title":"CEO"}`,
		} {
			if resp, b := post(t, f.srv.URL, "/f/vr", "application/json", body); resp.StatusCode >= 300 {
				t.Fatalf("form: %d %s", resp.StatusCode, b)
			}
		}
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		_, _, page := b.get("/duplicates")
		i := strings.Index(page, `data-review="`)
		if i < 0 || !strings.Contains(page[i:], "Nebula Labs") || !strings.Contains(page[i:], "Orbit") || !strings.Contains(page[i:], `name="pick.city" value="offered"`) {
			t.Fatalf("no review of the differing values:\n%.3000s", textOf(page))
		}
		review := page[i+len(`data-review="`):]
		review = review[:strings.Index(review, `"`)]
		status, loc, _ := b.post("/duplicates/values", url.Values{"review": {review}, "pick.company": {"offered"}, "pick.city": {"kept"}})
		if status != 303 || !strings.HasPrefix(loc, "/duplicates") {
			t.Fatalf("review: %d → %s", status, loc)
		}
		_, list := f.call(t, "marketing", "GET", "/api/v1/leads?q=ana%40orbit.io", "")
		l := list["data"].([]any)[0].(map[string]any)
		if l["company"] != "Nebula Labs" || l["city"] != "Cluj" {
			t.Errorf("after review: %v, %v", l["company"], l["city"])
		}

		status, vals := f.call(t, "marketing", "GET", "/api/v1/duplicates/values", "")
		data := vals["data"].([]any)
		if status != 200 || vals["total"] != 1.0 || len(data) != 1 {
			t.Fatalf("value reviews: %d %v", status, vals)
		}
		r := data[0].(map[string]any)
		if jt := r["values"].(map[string]any)["job_title"].(map[string]any); jt["kept"] != "CTO" || jt["offered"] != "CEO" {
			t.Errorf("review %v", r)
		}
		id := fmt.Sprint(r["id"])
		status, e := f.call(t, "marketing", "POST", "/api/v1/duplicates/values/"+id, `{"pick":{"job_title":"both"}}`)
		if fl, _ := e["error"].(map[string]any)["fields"].(map[string]any); status != 422 || fl["pick.job_title"] == nil {
			t.Errorf("a bad choice: %d %v", status, e)
		}
		if status, l := f.call(t, "marketing", "POST", "/api/v1/duplicates/values/"+id, `{"pick":{"job_title":"offered"}}`); status != 200 || l["job_title"] != "CEO" {
			t.Errorf("resolve: %d %v", status, l)
		}
		if status, _ := f.call(t, "marketing", "POST", "/api/v1/duplicates/values/"+id, `{}`); status != 409 {
			t.Errorf("resolved twice: %d", status)
		}
		if status, _ := f.call(t, "sales", "GET", "/api/v1/duplicates/values", ""); status != 403 {
			t.Errorf("sales: %d", status)
		}
	})
}

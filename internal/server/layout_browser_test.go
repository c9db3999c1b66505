package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
	"leadflow/internal/web"
)

// fitsScript answers what does not fit the window: the page scrolling
// sideways, and each visible control (field, button, link styled as a
// button) cut off at the window's edge, unless it sits in a box made to
// scroll sideways (the deal board between tablet and desktop widths).
const fitsScript = `(() => {
	const out = [];
	if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push("the page scrolls sideways (" + document.documentElement.scrollWidth + " px)");
	const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if ((o === "auto" || o === "scroll") && p.scrollWidth > p.clientWidth) return true; } return false; };
	for (const e of document.querySelectorAll("main input:not([type=hidden]), main select, main textarea, main button, main a.button")) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === "hidden") continue;
		if ((r.right > window.innerWidth + 1 || r.left < -1) && !scrolls(e)) out.push((e.id || e.name || e.textContent.trim().slice(0, 30) || e.tagName) + " is cut off (" + Math.round(r.left) + "–" + Math.round(r.right) + " px)");
	}
	return out.slice(0, 5).join("; ");
})()`

// Every page a role may open, signed in as each role, at phone and
// desktop width: nothing scrolls sideways and no control is cut off.
// The pages are the router's own list, with the records the
// authorization walk makes, so a new page is checked without being
// named here.
func TestBrowserEveryPageFits(t *testing.T) {
	t.Parallel()
	everyPageFits(t, nil)
}

// The same walk with each role reading another language, whose words run
// longer than English: sales in Romanian, marketing in Italian, admins in
// Bokmål.
func TestBrowserEveryPageFitsTranslated(t *testing.T) {
	t.Parallel()
	everyPageFits(t, map[string]string{"sales": "ro", "marketing": "it", "admin": "nb"})
}

// everyPageFits walks every page as each role, reading the language
// langs gives the role (English when none).
func everyPageFits(t *testing.T, langs map[string]string) {
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	recs := matrixRecords(t, f, db, "layout")
	// Each role walks in a browser of its own, beside the others: the
	// walk mostly waits on the server and Chromium, one page at a time.
	for _, role := range []string{"sales", "marketing", "admin"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			fitsAs(t, f, db, recs, role, langs[role])
		})
	}
}

// fitsAs walks every page role may open, reading lang (English when
// empty), at phone and desktop width.
func fitsAs(t *testing.T, f *fixture, db *sqldb.DB, recs records, role, lang string) {
	email := map[string]string{"sales": "sam@example.com", "marketing": "mia@example.com", "admin": "admin@example.com"}[role]
	if lang != "" {
		users := user.NewService(db)
		u, err := users.ByEmail(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		if err := users.SetLanguage(context.Background(), u.Actor(), lang); err != nil {
			t.Fatal(err)
		}
	}
	ctx := chromiumWithin(t, 15*time.Minute)
	var htmlLang string
	if err := chromedp.Run(ctx, signIn(f.srv.URL+"/login?next=/home", email), chromedp.WaitVisible(`header.top`),
		chromedp.Navigate(f.srv.URL+"/home"), chromedp.WaitVisible(`main`),
		chromedp.AttributeValue(`html`, "lang", &htmlLang, nil)); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{true: lang, false: "en"}[lang != ""]; htmlLang != want {
		t.Fatalf("%s reads %q, want %q", role, htmlLang, want)
	}
	// The check sees a page that does not fit: a field made too wide.
	var caught string
	err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844),
		chromedp.Evaluate(`(() => { const i = document.createElement("input"); i.id = "too-wide"; i.style.width = "900px"; document.querySelector("main").append(i); })()`, nil),
		chromedp.Evaluate(fitsScript, &caught))
	if err != nil || !strings.Contains(caught, "scrolls sideways") || !strings.Contains(caught, "too-wide is cut off") {
		t.Fatalf("a 900 px field at 390 px: %q, %v", caught, err)
	}
	// Each page below is checked at desktop width without loading it
	// again: the same field fits once the window widens.
	caught = "unchecked"
	err = chromedp.Run(ctx, chromedp.EmulateViewport(1280, 844), chromedp.Evaluate(fitsScript, &caught))
	if err != nil || strings.Contains(caught, "too-wide") {
		t.Fatalf("a 900 px field, the window widened to 1280 px: %q, %v", caught, err)
	}
	skip := []string{"/static/", ".csv", ".pdf", ".ics", ".xml", "/calendar/feed/", "/privacy/export", "/logout"}
	checked := 0
	for _, rt := range web.Routes() {
		rule, ok := pageMatrix[rt.Pattern]
		if !ok || !rt.Private || !strings.HasPrefix(rt.Pattern, "GET ") || !mayUse(rule, role, "own") || skipped(skip, rt.Pattern) {
			continue
		}
		_, path, _ := recs.request(rt.Pattern, rule, kindOf(rule), role)
		// The page loads once, at phone width, and is checked again at
		// desktop width: the layout follows the window, not the load.
		for i, width := range []int64{390, 1280} {
			var opts []chromedp.EmulateViewportOption
			if width == 390 {
				opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
			}
			var problems string
			steps := chromedp.Tasks{chromedp.EmulateViewport(width, 844, opts...)}
			if i == 0 {
				steps = append(steps, chromedp.Navigate(f.srv.URL+path), chromedp.WaitReady(`body`))
			}
			err := chromedp.Run(ctx, append(steps, chromedp.Evaluate(fitsScript, &problems))...)
			if err != nil {
				t.Fatalf("%s as %s at %d px: %v", path, role, width, err)
			}
			checked++
			if problems != "" {
				t.Errorf("%s as %s (%s) at %d px: %s", path, role, htmlLang, width, problems)
				screenshot(t, ctx, fmt.Sprintf("fit-%s-%s-%d-%s", role, htmlLang, width, strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(strings.Trim(path, "/"))))
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no page checked as %s", role)
	}
	t.Logf("%d pages checked", checked)
}

// kindOf is the record a page names for this walk: the user's own.
func kindOf(rule pageRule) string {
	if ownerScoped[rule.record] || rule.record == "convertible" {
		return "own"
	}
	return ""
}

// skipped says whether pattern names a file, not a page.
func skipped(parts []string, pattern string) bool {
	for _, p := range parts {
		if strings.Contains(pattern, p) {
			return true
		}
	}
	return false
}

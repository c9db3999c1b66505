package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// chromium gives the test a browser of its own for 90 s, or skips (fails
// under CI) when there is no Chromium.
func chromium(t *testing.T) context.Context { return chromiumWithin(t, 90*time.Second) }

// chromiumWithin is chromium for a test whose whole browsing may take up
// to limit (a walk over every page takes longer than one story). The
// test's browser is a new browser context, cookies, storage and cache of
// its own as in a fresh profile, in the one Chromium the package's tests
// share: starting a Chromium takes about 1.5 s, and some 40 tests use one.
func chromiumWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	shared := sharedChromium(t)
	// Commands to the browser itself get a limit of their own, so a
	// Chromium that stops answering fails the test rather than hangs it.
	browser := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(shared, 30*time.Second)
		return cdp.WithExecutor(ctx, chromedp.FromContext(shared).Browser), cancel
	}
	bctx, cancel := browser()
	defer cancel()
	bc, err := target.CreateBrowserContext().Do(bctx)
	if err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := browser()
		defer cancel()
		target.DisposeBrowserContext(bc).Do(ctx)
	})
	// A tab in a new browser context needs a window of its own: headless
	// Chromium refuses a tab where no window of its context is open.
	tab, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).
		WithNewWindow(true).WithWidth(1280).WithHeight(900).Do(bctx)
	if err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	// Attached under the test's context, not its time limit: the tab's
	// events are read until the test ends, and a reader stopped while
	// Chromium still sends them would hold up the browser every test
	// shares.
	tabCtx, cancelTab := chromedp.NewContext(shared, chromedp.WithTargetID(tab))
	t.Cleanup(cancelTab)
	if err := chromedp.Run(tabCtx); err != nil {
		t.Fatalf("attach to the tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(context.WithValue(tabCtx, browserContextKey{}, bc), limit)
	t.Cleanup(cancelTimeout)
	return ctx
}

type browserContextKey struct{}

// browserContext is the browser context of chromium's ctx, for the
// commands that take one (where files download to, say).
func browserContext(ctx context.Context) cdp.BrowserContextID {
	return ctx.Value(browserContextKey{}).(cdp.BrowserContextID)
}

// sharedBrowser is the Chromium the package's tests share, started by the
// first test that needs it and stopped by TestMain.
var sharedBrowser struct {
	sync.Mutex
	ctx  context.Context // its first tab's, done if Chromium has exited
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedBrowser.Lock()
	if sharedBrowser.stop != nil {
		sharedBrowser.stop()
	}
	sharedBrowser.Unlock()
	os.Exit(code)
}

// sharedChromium returns the shared Chromium, started anew if there is
// none yet or the last one has exited.
func sharedChromium(t *testing.T) context.Context {
	t.Helper()
	sharedBrowser.Lock()
	defer sharedBrowser.Unlock()
	if sharedBrowser.ctx != nil && sharedBrowser.ctx.Err() == nil {
		return sharedBrowser.ctx
	}
	if sharedBrowser.stop != nil {
		sharedBrowser.stop()
		sharedBrowser.ctx, sharedBrowser.stop = nil, nil
	}
	path := chromiumPath(t)
	// Not t.TempDir: the profile outlives the test that starts Chromium.
	profile, err := os.MkdirTemp("", "leadflow-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	stop := func() { cancelCtx(); cancelAlloc(); os.RemoveAll(profile) }
	if err := chromedp.Run(ctx); err != nil {
		stop()
		t.Fatalf("start chromium %s: %v", path, err)
	}
	sharedBrowser.ctx, sharedBrowser.stop = ctx, stop
	return ctx
}

// chromiumPath is LEADFLOW_CHROMIUM, or the first Chromium on the PATH.
func chromiumPath(t *testing.T) string {
	if path := os.Getenv("LEADFLOW_CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	dbtest.Unavailable(t, "BROWSER TESTS NOT RUN: no Chromium found (install chromium or set LEADFLOW_CHROMIUM)")
	return ""
}

// screenshot saves the page to $LEADFLOW_SCREENSHOTS, when set, for a
// person to look at.
// signIn opens url, which must show the login page (the page itself, or a
// page that sends a signed-out visitor there), and signs in as email with
// the test password; Enter submits the form.
func signIn(url, email string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(url),
		chromedp.WaitVisible(`#email`, chromedp.ByID),
		chromedp.SendKeys(`#email`, email, chromedp.ByID),
		chromedp.SendKeys(`#password`, testPassword+"\n", chromedp.ByID),
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("LEADFLOW_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// Two tests' browsers share nothing a site keeps: a cookie and a stored
// value set in one are not in the other, as in two fresh profiles.
func TestBrowserContextsShareNoState(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!doctype html><title>site</title>")
	}))
	defer site.Close()
	keep := `document.cookie = "kept=yes; path=/"; localStorage.setItem("kept", "yes"); document.cookie`
	read := `document.cookie + "|" + (localStorage.getItem("kept") || "")`
	var set, first, other string
	t.Run("first", func(t *testing.T) {
		a := chromium(t)
		if err := chromedp.Run(a, chromedp.Navigate(site.URL), chromedp.Evaluate(keep, &set),
			chromedp.Reload(), chromedp.Evaluate(read, &first)); err != nil {
			t.Fatal(err)
		}
		t.Run("beside it", func(t *testing.T) {
			b := chromium(t)
			if err := chromedp.Run(b, chromedp.Navigate(site.URL), chromedp.Evaluate(read, &other)); err != nil {
				t.Fatal(err)
			}
		})
	})
	if set != "kept=yes" || first != "kept=yes|yes" {
		t.Fatalf("the first browser kept %q, read back %q", set, first)
	}
	if other != "|" {
		t.Errorf("a second browser, open beside the first, reads %q", other)
	}
}

func TestBrowserSignInFilterOpenLead(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedLeads(t, db)

	var count, rows, title, stage, score string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Text(`#count`, &count, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "1–3 of 3 leads" {
		t.Errorf("after sign-in the list says %q", count)
	}
	screenshot(t, ctx, "leads")

	if err := chromedp.Run(ctx, chromedp.SetValue(`#stage`, "mql", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `form.filters button[type=submit]`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`table.leads`),
		chromedp.Text(`table.leads tbody`, &rows),
		chromedp.Text(`#count`, &count, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows, "Ana Pop") || strings.Contains(rows, "Ben Kurz") || count != "1–1 of 1 lead" {
		t.Errorf("filtered by MQL the list shows %q (%s)", rows, count)
	}

	clickToNavigate(t, ctx, `a.lead-name`)
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#lead-stage`, chromedp.ByID),
		chromedp.Text(`h1`, &title),
		chromedp.Text(`#lead-stage`, &stage, chromedp.ByID),
		chromedp.Text(`#lead-score`, &score, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if title != "Ana Pop" || stage != "MQL" || score != "80" {
		t.Errorf("lead page shows %q, stage %q, score %q", title, stage, score)
	}
	screenshot(t, ctx, "lead")
}

// widerThanScreen is whether the page is wider than the emulated
// phone's screen. Not the window's inner width: a phone's browser widens
// its layout viewport to a page that does not fit, so the two grow
// together.
const widerThanScreen = `document.documentElement.scrollWidth > screen.width`

func TestBrowserPhoneWidth(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	seedLeads(t, db)

	var overflow bool
	var headerShown bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		// An admin, who sees every button a lead page has.
		signIn(f.srv.URL+"/leads", "admin@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.Evaluate(`document.querySelector("table.leads thead").getBoundingClientRect().right > 0`, &headerShown),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the lead list scrolls sideways on a 390px-wide phone")
	}
	if headerShown {
		t.Error("on a phone the table header should give way to labelled cards")
	}
	screenshot(t, ctx, "leads-phone")

	var buttons []string // those past the screen's right edge
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/leads/1"),
		chromedp.WaitVisible(`#lead-stage`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.Evaluate(`[...document.querySelectorAll(".head-actions a")].filter(a => a.getBoundingClientRect().right > screen.width).map(a => a.textContent)`, &buttons),
	)

	if err != nil {
		t.Fatal(err)
	}
	if overflow || len(buttons) > 0 {
		t.Errorf("the lead page scrolls sideways on a phone; buttons off the screen: %q", buttons)
	}
	screenshot(t, ctx, "lead-phone")
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/leads/1/edit"),
		chromedp.WaitVisible(`#f-email`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the edit form scrolls sideways on a phone")
	}
	screenshot(t, ctx, "edit-phone")
}

// clickToNavigate clicks sel and waits for the page it leads to, so the
// next query cannot read the page being left.
func clickToNavigate(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != 200 {
		t.Fatalf("click %s: the next page answered %v", sel, resp)
	}
}

// TestBrowserFillsHostedForm fills the public form as a visitor would,
// then signs in and finds the lead.
func TestBrowserFillsHostedForm(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	createForm(t, f, contactForm)

	err := chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/f/contact?utm_source=linkedin&utm_campaign=launch"),
		chromedp.WaitVisible(`#lf-email`, chromedp.ByID),
		chromedp.SendKeys(`#lf-email`, "visitor@kite.io", chromedp.ByID),
		chromedp.SendKeys(`#lf-first_name`, "Vera", chromedp.ByID),
		chromedp.SendKeys(`#lf-company`, "Kite Labs", chromedp.ByID),
		chromedp.SetValue(`#lf-budget`, ">50k", chromedp.ByID),
		chromedp.Click(`#lf-consent`, chromedp.ByID),
		// A person takes a moment; the form refuses to be faster than one.
		chromedp.Sleep(2100*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "hosted-form")
	clickToNavigate(t, ctx, `form.lf-form button[type=submit]`)
	var thanks string
	if err := chromedp.Run(ctx, chromedp.Text(`main`, &thanks)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(thanks, "Thanks, we will call you.") {
		t.Fatalf("after sending: %q", thanks)
	}

	var name, source string
	err = chromedp.Run(ctx,
		signIn(f.srv.URL+"/leads", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Text(`a.lead-name`, &name),
		chromedp.Text(`td[data-label=Source]`, &source),
	)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Vera" || source != "Web" {
		t.Errorf("the list shows %q from %q, want Vera from Web (the form credits web)", name, source)
	}
	clickToNavigate(t, ctx, `a.lead-name`)
	var page string
	if err := chromedp.Run(ctx, chromedp.Text(`main`, &page)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Kite Labs", "linkedin", "launch", ">50k", "Form submit", "Yes, given"} {
		if !strings.Contains(page, want) {
			t.Errorf("the lead page lacks %q", want)
		}
	}
	screenshot(t, ctx, "lead-from-form")
}

// The deal board on a phone: columns stack, nothing scrolls sideways, and
// a card's own Move button moves the deal.
func TestBrowserDealBoardOnPhone(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"cio@tui.nz","company":"Tui Freight"}`)
	if status, body := f.call(t, "sales", "POST", path+"/convert", `{"opportunity":{"name":"Tui fleet CRM","amount":30000,"currency":"NZD"}}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	var overflow bool
	var column string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/deals", "sam@example.com"),
		chromedp.WaitVisible(`#board .deal`),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the deal board scrolls sideways on a 390px-wide phone")
	}
	screenshot(t, ctx, "deals-phone")
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#board .deal select`, "negotiation", chromedp.ByQuery),
		chromedp.Click(`#board .deal button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#board .deal").closest(".column").dataset.stage`, &column),
	)
	if err != nil {
		t.Fatal(err)
	}
	if column != "negotiation" {
		t.Errorf("after Move the deal is in %q, want negotiation", column)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(f.srv.URL+"/home"),
		chromedp.WaitVisible(`#my-deals`, chromedp.ByID),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("My work scrolls sideways on a phone")
	}
}

// At desktop width the whole pipeline fits, Lost included; a card
// dropped on Lost asks for the reason on the board, and the deal is
// lost with it without leaving the board. Cancelling leaves it where it
// was.
func TestBrowserDealBoardLostOnTheBoard(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	path := sqlLead(t, f, "sales", `{"email":"cio@kea.nz","company":"Kea Freight"}`)
	if status, body := f.call(t, "sales", "POST", path+"/convert", `{"opportunity":{"name":"Kea fleet CRM","amount":30000,"currency":"NZD"}}`); status != 201 {
		t.Fatalf("convert: %d %v", status, body)
	}
	drop := `(() => {
		const card = document.querySelector("#board .deal");
		const col = document.querySelector("#board .column.outcome-lost");
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		col.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		card.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return document.getElementById("lost-dialog").open;
	})()`
	var lostFits, open bool
	var column, path2 string
	err := chromedp.Run(ctx,
		signIn(f.srv.URL+"/login?next=/deals", "sam@example.com"),
		chromedp.WaitVisible(`#board .deal`),
		chromedp.Evaluate(`document.querySelector("#board .column.outcome-lost").getBoundingClientRect().right <= window.innerWidth && document.getElementById("board").scrollWidth <= document.getElementById("board").clientWidth`, &lostFits),
		chromedp.Evaluate(drop, &open),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !lostFits {
		t.Error("at 1280 px the Lost column is cut off")
	}
	if !open {
		t.Fatal("dropping on Lost does not ask for the reason")
	}
	// Cancel: nothing moves.
	err = chromedp.Run(ctx,
		chromedp.Click(`#lost-form button[value=cancel]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("lost-dialog").open`, &open),
		chromedp.Evaluate(`document.querySelector("#board .deal").closest(".column").dataset.stage`, &column),
	)
	if err != nil {
		t.Fatal(err)
	}
	if open || column == "lost" {
		t.Errorf("after Cancel the dialog is open %v and the deal in %q", open, column)
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(drop, &open),
		chromedp.SendKeys(`#lost-reason`, "competitor", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickToNavigate(t, ctx, `#lost-form button[value=lost]`)
	var reason string
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`location.pathname`, &path2),
		chromedp.Evaluate(`document.querySelector("#board .deal").closest(".column").dataset.stage`, &column),
		chromedp.Text(`#board .column.outcome-lost .deal`, &reason, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if path2 != "/deals" || column != "lost" || !strings.Contains(reason, "Lost: competitor") {
		t.Errorf("after Mark lost: on %s, the deal in %q, reading %q", path2, column, reason)
	}
	screenshot(t, ctx, "deals-lost-1280")
}

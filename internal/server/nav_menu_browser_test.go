package server_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"leadflow/internal/dbtest"
	"leadflow/internal/user"
)

// headerShape is what the header shows: its height, the screen's, how
// many of its nav links can be seen (and of how many), the current
// page's link when it can be seen, and the menu button's state.
const headerShape = `(() => {
	const top = document.querySelector("header.top");
	const seen = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"; };
	const links = [...top.querySelectorAll("nav a")];
	const current = links.find((a) => a.getAttribute("aria-current") === "page");
	const button = top.querySelector(".menu-toggle");
	return {
		height: top.getBoundingClientRect().height,
		screen: screen.height,
		links: links.length,
		shown: links.filter(seen).length,
		current: current && seen(current) ? current.textContent.trim() : "",
		button: button && seen(button) ? button.textContent.trim() : "",
		expanded: button ? button.getAttribute("aria-expanded") || "" : "",
		focused: document.activeElement === button,
	};
})()`

type headerState struct {
	Height   float64 `json:"height"`
	Screen   float64 `json:"screen"`
	Links    int     `json:"links"`
	Shown    int     `json:"shown"`
	Current  string  `json:"current"`
	Button   string  `json:"button"`
	Expanded string  `json:"expanded"`
	Focused  bool    `json:"focused"`
}

func readHeader(t *testing.T, ctx context.Context) headerState {
	t.Helper()
	var h headerState
	if err := chromedp.Run(ctx, chromedp.Evaluate(headerShape, &h)); err != nil {
		t.Fatal(err)
	}
	return h
}

// On a phone an admin's thirty links fold behind a menu button: the
// header takes less than a third of the screen; the button, by click or
// by keyboard, shows the links with the current page's among them, and
// a link opens its page. On a desktop every link shows without a click.
func TestBrowserPhoneNavMenu(t *testing.T) {
	ctx := chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	var overflow bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/leads", "admin@example.com"),
		chromedp.WaitVisible(`header.top`),
		// Loaded anew, as Navigate waits for the page's scripts to run.
		chromedp.Navigate(f.srv.URL+"/leads"),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	h := readHeader(t, ctx)
	if h.Links < 25 {
		t.Fatalf("an admin's header has %d links; is the nav still there?", h.Links)
	}
	if h.Button == "" {
		t.Fatalf("at 390 px the header has no menu button: %+v", h)
	}
	if h.Height > h.Screen/3 || h.Shown != 0 || h.Button != "Menu" || h.Expanded != "false" {
		t.Errorf("closed, at 390 px: %+v, want a header under a third of the screen, no link shown, a Menu button", h)
	}
	if overflow {
		t.Error("the page scrolls sideways at 390 px")
	}
	screenshot(t, ctx, "nav-phone-closed")

	if err := chromedp.Run(ctx, chromedp.Click(`header.top .menu-toggle`)); err != nil {
		t.Fatal(err)
	}
	h = readHeader(t, ctx)
	if h.Shown != h.Links || h.Current != "Leads" || h.Expanded != "true" {
		t.Errorf("opened by a click: %+v, want all %d links with Leads among them", h, h.Links)
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(widerThanScreen, &overflow)); err != nil || overflow {
		t.Errorf("the open menu scrolls sideways at 390 px (%v)", err)
	}
	screenshot(t, ctx, "nav-phone-open")

	// Escape closes the menu and leaves the keyboard on the button,
	// where Enter opens it again.
	if err := chromedp.Run(ctx, chromedp.Focus(`#top-nav a[aria-current=page]`), chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if h = readHeader(t, ctx); h.Shown != 0 || h.Expanded != "false" || !h.Focused {
		t.Errorf("after Escape: %+v, want the menu closed and the button focused", h)
	}
	if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if h = readHeader(t, ctx); h.Shown != h.Links || h.Expanded != "true" {
		t.Errorf("after Enter on the button: %+v, want the menu open", h)
	}

	clickToNavigate(t, ctx, `#top-nav a[href="/reports"]`)
	var at string
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`header.top[data-menu=closed]`), chromedp.Evaluate(`location.pathname`, &at)); err != nil {
		t.Fatal(err)
	}
	if at != "/reports" {
		t.Errorf("the Reports link opened %s", at)
	}
	if h = readHeader(t, ctx); h.Shown != 0 || h.Height > h.Screen/3 {
		t.Errorf("on the page it opened: %+v, want the menu closed again", h)
	}
	if err := chromedp.Run(ctx, chromedp.Click(`header.top .menu-toggle`)); err != nil {
		t.Fatal(err)
	}
	if h = readHeader(t, ctx); h.Current != "Reports" {
		t.Errorf("the menu opened on Reports marks %q as the current page", h.Current)
	}

	// A desktop shows every link, no button; widening the window undoes
	// the phone's folding whatever state the menu was left in.
	for _, menu := range []string{"open", "closed"} {
		err := chromedp.Run(ctx, chromedp.EmulateViewport(1280, 900),
			chromedp.Evaluate(`document.querySelector("header.top").dataset.menu = "`+menu+`"`, nil))
		if err != nil {
			t.Fatal(err)
		}
		if h = readHeader(t, ctx); h.Shown != h.Links || h.Button != "" || h.Current != "Reports" || h.Height > 200 {
			t.Errorf("at 1280 px, the menu %s: %+v, want every link and no button", menu, h)
		}
	}
	screenshot(t, ctx, "nav-desktop")
}

// The menu's button speaks the reader's language, and the header still
// fits a phone's width and a third of its height with the longer words.
func TestBrowserPhoneNavMenuTranslated(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	users := user.NewService(db)
	admin, err := users.ByEmail(context.Background(), "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login?next=/home", "admin@example.com"), chromedp.WaitVisible(`header.top`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ro": "Meniu", "it": "Menu", "nb": "Meny"}
	for _, lang := range []string{"ro", "it", "nb"} {
		if err := users.SetLanguage(context.Background(), admin.Actor(), lang); err != nil {
			t.Fatal(err)
		}
		var overflow bool
		var buttonTop, brandTop float64
		err := chromedp.Run(ctx,
			chromedp.Navigate(f.srv.URL+"/home"),
			chromedp.WaitVisible(`html[lang=`+lang+`] header.top`),
			chromedp.Evaluate(widerThanScreen, &overflow),
			chromedp.Evaluate(`document.querySelector(".menu-toggle").getBoundingClientRect().top`, &buttonTop),
			chromedp.Evaluate(`document.querySelector(".brand").getBoundingClientRect().top`, &brandTop),
		)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		h := readHeader(t, ctx)
		if h.Button != want[lang] || h.Shown != 0 || h.Height > h.Screen/3 || overflow {
			t.Errorf("%s at 390 px: %+v (sideways: %v), want a %q button and the links folded", lang, h, overflow, want[lang])
		}
		// The button sits on the brand's row, where a thumb finds it.
		if buttonTop-brandTop > 20 || brandTop-buttonTop > 20 {
			t.Errorf("%s: the menu button is on another row than the brand (%v vs %v px)", lang, buttonTop, brandTop)
		}
		screenshot(t, ctx, "nav-phone-"+lang)
	}
}

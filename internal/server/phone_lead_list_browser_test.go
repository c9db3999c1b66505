package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// brokenWords lists each word of a list's names, emails, companies and
// job titles (the cell of each a.lead-name and the cell after it) that a
// reader cannot take in whole: drawn on more than one line (a word split
// at white space, or after a hyphen, gives the range one rect per line),
// or running past the edge of the box that clips it without an ellipsis
// to say so.
const brokenWords = `(() => {
	const out = [];
	const clipper = (e) => {
		for (; e; e = e.parentElement) if (getComputedStyle(e).overflowX !== "visible") return e;
		return document.documentElement;
	};
	for (const name of document.querySelectorAll("table.leads tbody a.lead-name")) {
		const cell = name.closest("td");
		for (const td of [cell, cell.nextElementSibling]) {
			const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
			for (let n = walk.nextNode(); n; n = walk.nextNode()) {
				if (n.parentElement.closest(".badge")) continue;
				const box = clipper(n.parentElement);
				const edge = box === document.documentElement ? screen.width : box.getBoundingClientRect().right;
				for (const m of n.data.matchAll(/[^\s-]+-?/g)) {
					const r = document.createRange();
					r.setStart(n, m.index);
					r.setEnd(n, m.index + m[0].length);
					const rects = [...r.getClientRects()].filter((q) => q.width > 0);
					const lines = new Set(rects.map((q) => Math.round(q.top)));
					const word = JSON.stringify(m[0]) + " of " + JSON.stringify(n.data.trim());
					if (lines.size > 1) out.push(word + " on " + lines.size + " lines");
					else if (rects.some((q) => q.right > edge + 1) && getComputedStyle(box).textOverflow !== "ellipsis") out.push(word + " cut off at " + Math.round(edge) + " px, no ellipsis");
				}
			}
		}
	}
	return out;
})()`

// wordyLeads are ordinary names beside long ones: a long email squeezed
// Johan's name to "Joh" over "an"; a surname, a company or an email may
// also be one word longer than a phone's line, and an email of 60 and
// more characters is wider than its column on a desktop.
var wordyLeads = []struct {
	First, Last, Email, Company, Title string
}{
	{"Johan", "Berg", "johan.berg@nordlysenergiforsyningsselskapet.example", "Berg AS", "CEO"},
	{"Ana", "Pop", "ana@orbit.io", "Orbit", ""},
	{"Li", "Wei", "li.wei@lotus.cn", "Lotus Trading", ""},
	{"Bjørnstjerne", "Bjørnson", "bjornstjerne.bjornson@fjordkraft-handel.example",
		"Fjordkraft Handel og Eiendomsforvaltning", "Innkjøpssjef for energi og infrastruktur"},
	{"Maximiliane Konstantina", "Hohenzollern-Sigmaringen", "maximiliane.konstantina.hohenzollern@sigmaringen-beteiligungen.example",
		"Internationale Handelsgesellschaft Norddeutschland GmbH & Co. KG", "Vice President of Strategic Partnerships"},
	{"Hubert", "Wolfeschlegelsteinhausenbergerdorff", "hubert@wolfeschlegelsteinhausenbergerdorff.example",
		"Versicherungsverwaltungsgesellschaftsverein", "Geschäftsführer"},
}

// A marketer reads the lead list on a 390 px phone: each lead is a
// card, and no name, email, company or job title is broken inside a word
// ("Johan" is not "Joh" above "an"), whether the text is short or runs
// longer than the screen (it wraps between words or ends in an
// ellipsis); the page does not scroll sideways.
func TestBrowserPhoneLeadListKeepsWordsWhole(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	for _, l := range wordyLeads {
		body, _ := json.Marshal(map[string]string{"first_name": l.First, "last_name": l.Last, "email": l.Email, "company": l.Company, "job_title": l.Title})
		if status, out := f.call(t, "marketing", "POST", "/api/v1/leads", string(body)); status != http.StatusCreated {
			t.Fatalf("create %s: %d %v", l.Email, status, out)
		}
	}

	var cards bool
	var names []string
	var broken []string
	var overflow bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/leads", "mia@example.com"),
		chromedp.WaitVisible(`table.leads`),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("table.leads tr")).display === "block"`, &cards),
		chromedp.Evaluate(`[...document.querySelectorAll("table.leads a.lead-name")].map((a) => a.textContent)`, &names),
		chromedp.Evaluate(brokenWords, &broken),
		chromedp.Evaluate(widerThanScreen, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "leads-phone-words")
	if !cards {
		t.Error("on a phone the lead list should show a card per lead")
	}
	if len(names) != 6 {
		t.Fatalf("the list shows %d leads, want 6: %q", len(names), names)
	}
	if len(broken) > 0 {
		t.Errorf("on a 390 px phone the lead list breaks or cuts off words:\n%s", strings.Join(broken, "\n"))
	}
	if overflow {
		t.Error("the lead list scrolls sideways on a 390 px phone")
	}
}

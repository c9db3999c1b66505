package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"leadflow/internal/dbtest"
	"leadflow/internal/web"
)

// englishWords are words of English that no Romanian page writes, nor
// the test's own records (their names are "Matrix admin", "Deal …",
// "Tess Twin"): one of them on a Romanian page is text the catalogs do
// not carry.
var englishWords = strings.Fields(`the and with from your you this that which was were has have
	been will not none saved matched assigned completed exited draft queued sent failed running
	planned decision maker influencer champion blocker channel campaign industry category
	website domain company name email phone role roles delivered existing account accounts
	there here what when where who why how every each more less than into onto about after before
	yes off set show hide edit delete remove add close save send cancel undo back next previous
	deals leads contacts notes click choose upload download yet ago days hours
	minutes today tomorrow yesterday week month year amount due overdue owner owners
	replied disabled erased entries attempts`)

// notEnglish are texts of the Romanian pages that hold a word of the
// list and are right as they are, each for the reason given.
var notEnglish = map[string]string{
	// Codes a reader types or reads as codes: form fields, CSV columns,
	// criteria keys, a feature key, the "email" source.
	"Campanie atribuită (când vizita nu are utm_campaign)":          "the UTM parameter's name",
	"Criterii: nice_to_have, industry, language, licences, budget.": "the keys the weights are saved under",
	"email-sync": "a feature key of the test's catalog",
	"email":      "a field's name in what a visitor sent",
	// What the test's visitor typed.
	"not an address admin": "a submission's value",
}

// notEnglishOn are pages whose flagged words are data, not wording: the
// audit log and the jobs list stay English (README), and an import shows
// the columns of the uploaded file.
var notEnglishOn = []string{"/audit", "/jobs", "/imports/"}

// readableText is what a reader of page sees or hears: its text and the
// labels, titles, placeholders and alternatives of its elements, less
// scripts, styles and what users typed into text areas.
func readableText(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "textarea", "svg", "code", "pre":
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "aria-label", "title", "placeholder", "alt", "data-label":
					out = append(out, a.Val)
				case "value":
					if n.Data == "input" && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "type" && a.Val == "submit" }) {
						out = append(out, a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			out = append(out, strings.TrimSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

var wordRE = regexp.MustCompile(`[\p{L}]+`)

// englishIn lists the pieces of text of page that hold an English word.
func englishIn(page string) []string {
	var hits []string
	for _, s := range readableText(page) {
		if _, ok := notEnglish[s]; ok || strings.Contains(s, "„email”") || strings.HasPrefix(s, "Un fișier CSV") {
			continue // a quoted code, a list of CSV columns
		}
		// "Account executive" is the job title Romanian sales teams use.
		s = strings.ReplaceAll(s, "account executive", "")
		for _, w := range wordRE.FindAllString(s, -1) {
			if slices.Contains(englishWords, strings.ToLower(w)) {
				hits = append(hits, strings.ToLower(w)+": "+s)
				break
			}
		}
	}
	return hits
}

// Every page, read by an admin who set Romanian, is Romanian: no text,
// label or title of any GET page in pageMatrix holds a word of English.
// A message a page writes in Go rather than through the catalogs fails
// here, naming the page and the text.
func TestEveryPageSpeaksRomanian(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	recs := matrixRecords(t, f, f.db, "admin")
	// Reasons leadflow stores in English: an enrolment that ended and a
	// webhook turned off.
	if status, body := f.call(t, "admin", "POST", "/api/v1/enrolments/"+recs["enrolment:own"]+"/exit", `{"reason":"replied"}`); status != http.StatusNoContent && status != http.StatusOK {
		t.Fatalf("exit: %d %v", status, body)
	}
	if status, body := f.call(t, "admin", "PATCH", "/api/v1/webhooks/"+recs["webhook"], `{"active":false}`); status != http.StatusOK {
		t.Fatalf("webhook off: %d %v", status, body)
	}
	b := newBrowser(t, f.srv.URL)
	b.login("admin@example.com")
	if status, _, body := b.post("/account/language", url.Values{"language": {"ro"}}); status != http.StatusSeeOther {
		t.Fatalf("language: %d %.300s", status, body)
	}
	var patterns []string
	for _, rt := range web.Routes() {
		if rt.Private && strings.HasPrefix(rt.Pattern, "GET ") {
			patterns = append(patterns, rt.Pattern)
		}
	}
	sort.Strings(patterns)
	// Pages a GET reaches only with a query: the erasure that asks first.
	extra := map[string]string{"GET /privacy/erase": "/privacy/erase?email=won%40admin-own.example"}
	pages := 0
	for _, p := range patterns {
		rule := pageMatrix[p]
		kind := ""
		if ownerScoped[rule.record] || rule.record == "convertible" {
			kind = "own"
		}
		_, path, _ := recs.request(p, rule, kind, "admin")
		if q, ok := extra[p]; ok {
			path = q
		}
		status, _, body := b.get(path)
		if status != http.StatusOK || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), "<!doctype html") {
			continue
		}
		pages++
		if slices.ContainsFunc(notEnglishOn, func(p string) bool { return strings.HasPrefix(path, p) }) {
			continue
		}
		for _, hit := range englishIn(body) {
			t.Errorf("%s: %s", path, hit)
		}
	}
	if pages < 40 {
		t.Fatalf("only %d pages were read", pages)
	}
	t.Logf("%d pages read in Romanian", pages)
}

package server_test

import (
	"html"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/web"
)

var hrefRE = regexp.MustCompile(`href="(/[^"]*)"`)

// No page offers a user a link that the user may not follow: a sales or
// marketing user who opens every page they may read finds no link there
// to a refusal, a missing page or an error (an account's page offered a
// sales user the account scoring rules, which only marketing may open).
func TestNoLinkLeadsToARefusal(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, role := range []string{"sales", "marketing"} {
		recs := matrixRecords(t, f, f.db, role)
		b := newBrowser(t, f.srv.URL)
		b.login(map[string]string{"sales": "sam@example.com", "marketing": "mia@example.com"}[role])
		found := map[string]string{} // a link, and a page it is on
		pages := 0
		for _, rt := range web.Routes() {
			if !rt.Private || !strings.HasPrefix(rt.Pattern, "GET ") {
				continue
			}
			_, path, _ := recs.request(rt.Pattern, pageMatrix[rt.Pattern], "own", role)
			status, _, body := b.get(path)
			if status != http.StatusOK || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), "<!doctype html") {
				continue
			}
			pages++
			for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
				link := html.UnescapeString(m[1])
				if _, ok := found[link]; !ok {
					found[link] = path
				}
			}
		}
		links := make([]string, 0, len(found))
		for l := range found {
			links = append(links, l)
		}
		sort.Strings(links)
		for _, link := range links {
			if strings.HasPrefix(link, "/static/") {
				continue
			}
			if status, _, _ := b.get(link); status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 {
				t.Errorf("as %s, %s links to %s, which answers %d", role, found[link], link, status)
			}
		}
		if pages < 30 || len(links) < 100 {
			t.Fatalf("as %s only %d pages were read and %d links found", role, pages, len(links))
		}
		t.Logf("as %s: %d pages read, %d links followed", role, pages, len(links))
	}
}

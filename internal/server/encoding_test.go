package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestImportPageShowsAndTakesEncoding: the mapping page says which
// encoding it guessed, and reading the file again in another one changes
// the header it proposes a mapping for.
func TestImportPageShowsAndTakesEncoding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		text, _ := charmap.Windows1250.NewEncoder().String("Email,Oraş\nstefan@x.ro,Brăila\n")
		status, loc, _ := b.upload("ro.csv", text)
		if status != http.StatusSeeOther {
			t.Fatalf("upload: %d", status)
		}
		_, _, page := b.get(loc)
		if !strings.Contains(page, `<option value="windows-1250" selected>`) || !strings.Contains(page, `id="encoding-used">windows-1250<`) ||
			!strings.Contains(page, "Oraş") {
			t.Fatalf("mapping page does not show windows-1250:\n%s", page)
		}
		if status, _, _ := b.post(loc+"/encoding", url.Values{"encoding": {"windows-1252"}}); status != http.StatusSeeOther {
			t.Fatalf("set encoding: %d", status)
		}
		if _, _, page = b.get(loc); !strings.Contains(page, "Oraº") || !strings.Contains(page, `<option value="windows-1252" selected>`) {
			t.Errorf("read again as windows-1252, the header is not Oraº:\n%s", page)
		}
		if status, _, page := b.post(loc+"/encoding", url.Values{"encoding": {"klingon"}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "unknown encoding") {
			t.Errorf("unknown encoding: %d", status)
		}
	})
}

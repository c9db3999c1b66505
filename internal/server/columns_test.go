package server_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	testdata "leadflow/internal/fixture"
	"leadflow/internal/i18n"
	"leadflow/internal/sqldb"
)

// importDone reloads an import's page at loc, as a user waiting for it
// does, until it says Done in lang or within has passed, and returns the
// page. It reloads every 10 ms, or less often for a long wait (50 ms for
// a quarter of an hour).
func (b *browser) importDone(loc, lang string, within time.Duration) string {
	b.t.Helper()
	doneWord := "<strong>" + i18n.For(lang).T("code.done") + "</strong>"
	pause := max(10*time.Millisecond, within/18000)
	var page string
	for until := time.Now().Add(within); time.Now().Before(until) && !strings.Contains(page, doneWord); {
		_, _, page = b.get(loc)
		time.Sleep(pause)
	}
	return page
}

// upload posts a CSV file to the import page.
func (b *browser) upload(name, text string) (int, string, string) {
	b.t.Helper()
	return b.uploadTo("/imports", name, text)
}

// uploadTo posts a file as the form at path does.
func (b *browser) uploadTo(path, name, text string) (int, string, string) {
	b.t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", name)
	io.WriteString(part, text)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(buf.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(raw)
}

// TestImportRefusesTooManyColumns: a file of 100,000 columns is refused
// at upload, quickly and in a short page naming the count and the limit,
// while Salesforce's 67-column Data Loader export goes on to its
// mapping; and a mapping form that cannot be read says so.
func TestImportRefusesTooManyColumns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")

		var header strings.Builder
		header.WriteString("email")
		for i := 1; i < 100_000; i++ {
			header.WriteString(",c")
		}
		start := time.Now()
		status, _, page := b.upload("wide.csv", header.String()+"\na@x.io\n")
		took := time.Since(start)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "100000 columns") || !strings.Contains(page, "at most 500") {
			t.Fatalf("wide upload: %d\n%.2000s", status, page)
		}
		if len(page) > 20_000 || took > 15*time.Second {
			t.Errorf("wide upload answered %d bytes in %s", len(page), took)
		}

		sf, err := os.ReadFile(testdata.Path(t, "salesforce_sample/Lead_dataloader_export_header_only.csv", "testdata/salesforce_Lead_dataloader_header.csv"))
		if err != nil {
			t.Fatal(err)
		}
		status, loc, _ := b.upload("Lead.csv", string(sf)+"\n")
		if status != http.StatusSeeOther {
			t.Fatalf("data loader upload: %d", status)
		}
		_, _, mapping := b.get(loc)
		if !strings.Contains(mapping, `<option value="email" selected>`) {
			t.Errorf("the data loader header's Email is not proposed")
		}
		req, _ := http.NewRequest("POST", f.srv.URL+loc+"/start", strings.NewReader("col0=%zz&col1=email"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.srv.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "could not be read") ||
			strings.Contains(string(raw), "mapped to email") {
			t.Errorf("unreadable mapping form: %d\n%.3000s", resp.StatusCode, raw)
		}
	})
}

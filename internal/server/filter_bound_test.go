package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestListFilterValuesAreBounded: 40,000 values in one filter are a
// 422 naming the filter in the API, the lead list and the export, which
// does not answer an empty file.
func TestListFilterValuesAreBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		values := make([]string, 40_000)
		for i := range values {
			values[i] = fmt.Sprintf("src%d", i)
		}
		query := "?source=" + strings.Join(values, ",")

		status, body := f.call(t, "marketing", "GET", "/api/v1/leads"+query, "")
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "source:takes at most 100 values, not 40000") {
			t.Errorf("API: %d %v", status, body)
		}
		b := newBrowser(t, f.srv.URL)
		b.login("mia@example.com")
		status, _, page := b.get("/leads" + query)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "takes at most 100 values, not 40000") {
			t.Errorf("lead list: %d", status)
		}
		status, _, page = b.get("/leads/export.csv" + query)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "takes at most 100 values") {
			t.Errorf("export: %d %.300q", status, page)
		}
		if status, _, page := b.get("/leads/export.csv?source=" + strings.Join(values[:100], ",")); status != http.StatusOK || !strings.HasPrefix(page, "id,email") {
			t.Errorf("export with 100 sources: %d %.300q", status, page)
		}
	})
}

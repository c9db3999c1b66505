package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
	"leadflow/internal/i18n"
	"leadflow/internal/job"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
	"leadflow/internal/user"
)

// failedJob makes a job that failed for good. Its kind is one the
// server's runner has no handler for, so a retried one stays waiting
// instead of being run (and failing) again at once.
func failedJob(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	ctx := context.Background()
	id, _, err := job.Enqueue(ctx, db.W, "test.import", map[string]int{"import_id": 999}, job.EnqueueOptions{RunAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `UPDATE jobs SET state = 'failed', attempt = 5, error = 'import 999 not found' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestJobsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		id := failedJob(t, db)
		if status, _ := f.call(t, "sales", "GET", "/api/v1/jobs", ""); status != http.StatusForbidden {
			t.Errorf("sales listed jobs: %d", status)
		}
		status, body := f.call(t, "admin", "GET", "/api/v1/jobs?state=failed", "")
		data, _ := body["data"].([]any)
		if status != http.StatusOK || len(data) != 1 {
			t.Fatalf("failed jobs: %d %v", status, body)
		}
		got := data[0].(map[string]any)
		if got["kind"] != "test.import" || got["error"] != "import 999 not found" || got["attempt"] != 5.0 {
			t.Errorf("failed job as listed: %v", got)
		}
		schema := openAPISchema(t, f, "Job")
		for k := range got {
			if _, ok := schema[k]; !ok {
				t.Errorf("job field %q is not in the OpenAPI schema", k)
			}
		}
		for k := range schema {
			if _, ok := got[k]; !ok {
				t.Errorf("the OpenAPI schema names %q, the answer lacks it", k)
			}
		}
		if counts, _ := body["counts"].(map[string]any); counts["failed"] != 1.0 {
			t.Errorf("counts: %v", body["counts"])
		}
		if status, body := f.call(t, "admin", "GET", "/api/v1/jobs?state=stuck", ""); status != http.StatusUnprocessableEntity || errorFields(body)["state"] == nil {
			t.Errorf("unknown state: %d %v", status, body)
		}

		status, body = f.call(t, "admin", "POST", fmt.Sprintf("/api/v1/jobs/%d/retry", id), "")
		if status != http.StatusOK || body["state"] != "available" || body["attempt"] != 0.0 {
			t.Errorf("retry: %d %v", status, body)
		}
		if status, _ := f.call(t, "admin", "POST", fmt.Sprintf("/api/v1/jobs/%d/retry", id), ""); status != http.StatusConflict {
			t.Errorf("retrying a job that has not failed: %d, want 409", status)
		}
		if status, _ := f.call(t, "marketing", "POST", fmt.Sprintf("/api/v1/jobs/%d/retry", id), ""); status != http.StatusForbidden {
			t.Errorf("marketing retried a job: %d", status)
		}
	})
}

func TestJobsPage(t *testing.T) {
	db := dbtest.SQLite(t)
	// A runner never started: the page's empty state of running jobs
	// must not meet a periodic job that a loaded machine is slow to end.
	f := newFixtureWith(t, db, server.Config{Jobs: job.NewRunner(db, job.Options{})})
	id := failedJob(t, db)

	sales := newBrowser(t, f.srv.URL)
	sales.login("sam@example.com")
	if status, _, _ := sales.get("/jobs"); status != http.StatusForbidden {
		t.Errorf("sales opened the jobs page: %d", status)
	}

	admin := newBrowser(t, f.srv.URL)
	admin.login("admin@example.com")
	_, _, page := admin.get("/jobs?state=failed")
	if !strings.Contains(page, "import 999 not found") || !strings.Contains(page, fmt.Sprintf(`action="/jobs/%d/retry"`, id)) {
		t.Fatalf("the failed job, its reason and a Retry button are not shown:\n%s", page)
	}
	if status, _, _ := admin.post(fmt.Sprintf("/jobs/%d/retry", id), url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("retry: %d", status)
	}
	if _, _, page := admin.get("/jobs"); !strings.Contains(page, fmt.Sprintf("Job %d will run again.", id)) {
		t.Error("no confirmation after the retry")
	}
	if _, _, page := admin.get("/jobs?state=running"); !strings.Contains(page, "No running jobs yet") {
		t.Errorf("empty state not shown:\n%s", page)
	}
}

// TestEveryJobKindHasAName: each kind of job a server runs is named in
// the catalogs, and the jobs page names it in the reader's language,
// its code kept for a pointer's hover.
func TestEveryJobKindHasAName(t *testing.T) {
	db := dbtest.SQLite(t)
	runner := job.NewRunner(db, job.Options{})
	f := newFixtureWith(t, db, server.Config{Jobs: runner})
	kinds := runner.Kinds()
	if len(kinds) < 15 {
		t.Fatalf("the server's runner handles %d kinds: %v", len(kinds), kinds)
	}
	for _, k := range kinds {
		if !i18n.Has("jobkind." + k) {
			t.Errorf("job kind %q has no name in the catalogs", k)
		}
	}
	ctx := context.Background()
	id, _, err := job.Enqueue(ctx, db.W, "import", map[string]int{"import_id": 999}, job.EnqueueOptions{RunAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(ctx, `UPDATE jobs SET state = 'failed', attempt = 5 WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	b := browserIn(t, f, "admin@example.com", "it")
	_, _, page := b.get("/jobs?state=failed")
	expectPage(t, "/jobs (it)", page, []string{`<span title="import">Importazione CSV</span>`}, []string{">import<"})
}

// TestSessionSweep: the hourly sweep job deletes ended sessions and keeps
// live ones.
func TestSessionSweep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		newFixture(t, db) // starts the server's job runner
		ctx := context.Background()
		users := user.NewService(db)
		for range 2 {
			if _, _, err := users.Login(ctx, "sam@example.com", testPassword, ""); err != nil {
				t.Fatal(err)
			}
		}
		// One of the two sessions ended a day ago.
		if _, err := db.W.Exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = (SELECT MIN(token_hash) FROM sessions)`,
			time.Now().Add(-24*time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		id, _, err := job.Enqueue(ctx, db.W, "sessions.sweep", nil, job.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wait, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := job.Wait(wait, db.R, id); err != nil {
			t.Fatal(err)
		}
		var left int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&left)
		if left != 1 {
			t.Errorf("%d sessions after the sweep, want the live one", left)
		}
	})
}

// TestBrowserRetryFailedJob: an admin opens Jobs from the menu, picks the
// failed ones and retries one with its button, on a phone.
func TestBrowserRetryFailedJob(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	id := failedJob(t, db)
	var reason, flash, state string
	var overflow bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		signIn(f.srv.URL+"/login", "admin@example.com"),
		// On a phone the header's links are behind its menu button.
		chromedp.Click(`.menu-toggle`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav[aria-label=Main]`, chromedp.ByQuery),
		chromedp.Click(`nav[aria-label=Main] a[href="/jobs"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav.tabs`, chromedp.ByQuery),
		chromedp.Click(`nav.tabs a[href="/jobs?state=failed"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`td[data-label="Last error"]`, chromedp.ByQuery),
		chromedp.Text(`td[data-label="Last error"]`, &reason, chromedp.ByQuery),
		chromedp.Evaluate(widerThanScreen, &overflow),
		chromedp.ActionFunc(func(ctx context.Context) error { screenshot(t, ctx, "jobs-phone"); return nil }),
		chromedp.Click(`form[action="/jobs/`+fmt.Sprint(id)+`/retry"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Text(`.flash`, &flash, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	db.R.QueryRow(context.Background(), `SELECT state FROM jobs WHERE id = ?`, id).Scan(&state)
	if reason != "import 999 not found" || !strings.Contains(flash, "will run again") || state != "available" {
		t.Errorf("reason %q, flash %q, state after retry %q", reason, flash, state)
	}
	if overflow {
		t.Error("the jobs page scrolls sideways on a phone")
	}
}

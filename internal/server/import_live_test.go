package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"leadflow/internal/dbtest"
)

// An import that moves on, or ends, between the page's rendering and
// the opening of its live stream is shown as it is once the stream
// opens, not left at the figure the page was rendered with: its events
// in between are not sent again. The browser's stream is held back
// until the import has ended, which is the race a user met right after
// the demo started.
func TestBrowserImportCatchesUpWhenItsStreamOpens(t *testing.T) {
	ctx := chromium(t)
	db := dbtest.SQLite(t)
	f := newFixture(t, db)
	var id int64
	err := db.W.QueryRow(context.Background(), `INSERT INTO imports (file_name, path, status, total_bytes, created_by, created_at)
		VALUES ('leads.csv', '', 'running', 1000, (SELECT id FROM users WHERE email = 'admin@example.com'), ?) RETURNING id`,
		time.Now().UnixMilli()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	// EventSource waits for window.openStreams() before it connects.
	hold := `(() => {
		const Real = window.EventSource, waiting = [];
		window.openStreams = () => waiting.splice(0).forEach((go) => go());
		window.EventSource = function (url) {
			const t = new EventTarget();
			waiting.push(() => {
				const s = new Real(url);
				for (const k of ["open", "change"]) s.addEventListener(k, (e) => t.dispatchEvent(new MessageEvent(k, { data: e.data })));
				t.close = () => s.close();
			});
			t.close = () => {};
			return t;
		};
	})()`
	var before, after string
	err = chromedp.Run(ctx,
		signIn(f.srv.URL+"/login", "admin@example.com"),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(hold).Do(ctx)
			return err
		}),
		chromedp.Navigate(fmt.Sprint(f.srv.URL, "/imports/", id)),
		chromedp.Text(`#progress`, &before, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "0%") {
		t.Fatalf("the running import's page reads %q, want 0%%", before)
	}
	if _, err := db.W.Exec(context.Background(), `UPDATE imports SET status = 'done', done_bytes = 1000, rows_done = 12, created = 12,
		finished_at = ? WHERE id = ?`, time.Now().UnixMilli(), id); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.openStreams()`, nil),
		chromedp.WaitVisible(`body[data-live-open]`, chromedp.ByQuery),
		chromedp.Poll(`!document.querySelector("#progress[data-refresh]")`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Text(`#progress`, &after, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("the page did not catch up with the import's end (it reads %q): %v", before, err)
	}
	if !strings.Contains(after, "Done") || !strings.Contains(after, "12") {
		t.Errorf("after the stream opened the page reads %q, want the import done with 12 leads", after)
	}
}

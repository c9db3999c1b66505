package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/job"
	"leadflow/internal/sqldb"
)

// syncBuffer is a buffer the server goroutine and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs leadflow in-process with dbFlag and env, returning stdout.
func cli(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	if err != nil {
		t.Logf("leadflow %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), err
}

// start runs a long-lived command (serve, demo) until the test ends and
// returns the URL it printed and its output so far.
func start(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	return startWithStderr(t, env, &syncBuffer{}, args...)
}

// startWithStderr is start that keeps the command's standard error (its
// log) in errOut.
func startWithStderr(t *testing.T, env map[string]string, errOut *syncBuffer, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, &out, errOut) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("leadflow %s ended with %v", args[0], err)
		}
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			// Poll /healthz as a client would before using the server.
			if resp, err := http.Get(m[1] + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return m[1], &out
				}
			}
		}
		select {
		case err := <-done:
			t.Fatalf("leadflow %s stopped: %v\n%s", args[0], err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("leadflow %s never said where it listens:\n%s\n%s", args[0], out.String(), errOut.String())
	return "", nil
}

// target returns the --db flag and environment that select dsn.
func target(dsn string) ([]string, map[string]string) {
	if sqldb.IsPostgresURL(dsn) {
		return nil, map[string]string{"LEADFLOW_DATABASE_URL": dsn}
	}
	return []string{"--db", dsn}, map[string]string{}
}

func TestAdministerAndServe(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		db, env := target(dsn)
		if out, err := cli(t, env, append([]string{"migrate"}, db...)...); err != nil || !strings.Contains(out, "up to date") {
			t.Fatalf("migrate: %q %v", out, err)
		}
		if _, err := cli(t, env, append([]string{"user", "create", "--email", "boss@acme.io", "--password", "short", "--role", "admin"}, db...)...); err == nil ||
			!strings.Contains(err.Error(), "--password must be at least 10 characters") {
			t.Errorf("a short password was not refused by name: %v", err)
		}
		if _, err := cli(t, env, append([]string{"user", "create", "--email", "boss@acme.io", "--password", "a long passphrase", "--role", "admin"}, db...)...); err != nil {
			t.Fatal(err)
		}
		if _, err := cli(t, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--pairs-memory", "0"}, db...)...); err == nil ||
			!strings.Contains(err.Error(), "--pairs-memory must be a positive number of MB") {
			t.Errorf("a memory budget of 0 MB was not refused by name: %v", err)
		}
		if _, err := cli(t, env, append([]string{"user", "create", "--email", "sal@acme.io", "--password", "a long passphrase", "--role", "sales"}, db...)...); err != nil {
			t.Fatal(err)
		}
		out, err := cli(t, env, append([]string{"token", "create", "--user", "boss@acme.io"}, db...)...)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := lines[len(lines)-1]
		if !strings.HasPrefix(token, "lf_") {
			t.Fatalf("the token is not the last line: %q", out)
		}

		base, _ := start(t, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, db...)...)
		req, _ := http.NewRequest("POST", base+"/api/v1/leads", strings.NewReader(`{"email":"first@customer.io","owner":"sal@acme.io"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var l map[string]any
		json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if resp.StatusCode != 201 || l["owner"] != "sal@acme.io" {
			t.Errorf("create through the served API: %d %v", resp.StatusCode, l)
		}
	})
}

func TestDemoPrintsWorkingCredentials(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	base, out := start(t, nil, "demo", "--addr", "127.0.0.1:0", "--db", dbPath, "--leads", "120")
	m := regexp.MustCompile(`email:\s+(\S+)\s+password:\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("demo printed no credentials:\n%s", out)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"email": {m[1]}, "password": {m[2]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Fatalf("the printed credentials do not sign in: %d", resp.StatusCode)
	}
	session := resp.Cookies()[0]
	req, _ = http.NewRequest("GET", base+"/leads?limit=500", nil)
	req.AddCookie(session)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	// 120 generated leads, 4 probable duplicates and the accepted demo form submissions.
	m = regexp.MustCompile(`of (\d+) leads`).FindStringSubmatch(body.String())
	if m == nil || m[1] < "124" || len(m[1]) != 3 {
		t.Errorf("demo list shows %v leads, want 120 generated plus the duplicates and form leads", m)
	}
	for _, stage := range []string{"Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer", "Nurturing", "Disqualified"} {
		if !strings.Contains(body.String(), fmt.Sprintf(`">%s</span>`, stage)) {
			t.Errorf("demo data has no lead in stage %s", stage)
		}
	}
	// The deal board is alive too: converted leads' deals, some won.
	req, _ = http.NewRequest("GET", base+"/deals", nil)
	req.AddCookie(session)
	board, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body.Reset()
	body.ReadFrom(board.Body)
	board.Body.Close()
	won := regexp.MustCompile(`id="col-won">Won <span class="badge">(\d+)<`).FindStringSubmatch(body.String())
	if won == nil || won[1] == "0" || !strings.Contains(body.String(), `class="deal"`) {
		t.Errorf("demo deal board has no deals or no won deal: %v", won)
	}
	// The demo segments are counted already.
	req, _ = http.NewRequest("GET", base+"/segments", nil)
	req.AddCookie(session)
	segs, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body.Reset()
	body.ReadFrom(segs.Body)
	segs.Body.Close()
	counts := regexp.MustCompile(`class="segment-count" data-segment="\d+">(\d+)<`).FindAllStringSubmatch(body.String(), -1)
	if len(counts) != 3 || counts[0][1] == "0" || counts[1][1] == "0" || counts[2][1] == "0" || strings.Contains(body.String(), "counting") {
		t.Errorf("demo segments: %v", counts)
	}
}

// TestBenchQuick runs the measuring tool at its small size: it must go
// through every step and write a report. Its figures are not judged here.
func TestBenchQuick(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench.json")
	stdout, err := cli(t, map[string]string{}, "bench", "--quick", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Leads    int
		Measures []struct {
			Name  string
			Value float64
		}
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Leads != 2000 || len(rep.Measures) != 14 || !strings.Contains(stdout, "HTTP web-to-lead intake, concurrency 64") || !strings.Contains(stdout, "lead list while a full rescore runs") {
		t.Errorf("report: %d leads, %d measures\n%s", rep.Leads, len(rep.Measures), stdout)
	}
	for _, m := range rep.Measures {
		if m.Value <= 0 && m.Name != "KPI dashboard query" {
			t.Errorf("%s measured nothing", m.Name)
		}
	}
}

// TestServeWithoutJobs: an instance started with --jobs=false serves and
// enqueues, but runs no job; an instance with jobs on the same database
// runs what it enqueued.
func TestServeWithoutJobs(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		dbFlag, env := target(dsn)
		cli(t, env, append([]string{"user", "create", "--email", "boss@acme.io", "--password", "a long passphrase", "--role", "admin"}, dbFlag...)...)
		out, err := cli(t, env, append([]string{"token", "create", "--user", "boss@acme.io"}, dbFlag...)...)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := lines[len(lines)-1]

		web, _ := start(t, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--jobs=false"}, dbFlag...)...)
		rules := `{"rules": {"explicit": [], "behaviour": [{"event": "page_view", "points": 3}], "half_life_days": 30, "hot": 60, "warm": 30, "mql": 50}, "note": "web only"}`
		req, _ := http.NewRequest("PUT", web+"/api/v1/scoring/rules", strings.NewReader(rules))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("saving rules: %d", resp.StatusCode)
		}
		db, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var id int64
		db.R.QueryRow(context.Background(), `SELECT id FROM jobs WHERE kind = 'rescore'`).Scan(&id)
		time.Sleep(1500 * time.Millisecond) // longer than a runner's poll
		if j, err := job.Get(context.Background(), db.R, id); err != nil || j.State != job.Available {
			t.Fatalf("the rescore job under --jobs=false: %+v %v; want it waiting", j, err)
		}

		start(t, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbFlag...)...)
		wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := job.Wait(wait, db.R, id); err != nil {
			t.Fatalf("the instance with jobs did not run it: %v", err)
		}
	})
}

// TestBackupAndRestore: a backup taken while the server takes in leads,
// restored in place of a database, opens with the leads it held; a
// damaged backup is refused and the database left as it was.
func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	cli(t, nil, "user", "create", "--email", "boss@acme.io", "--password", "a long passphrase", "--role", "admin", "--db", live)
	out, _ := cli(t, nil, "token", "create", "--user", "boss@acme.io", "--db", live)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	base, _ := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--db", live)
	post := func(i int) {
		req, _ := http.NewRequest("POST", base+"/api/v1/leads", strings.NewReader(fmt.Sprintf(`{"email": "b%d@backup.test"}`, i)))
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	for i := range 20 {
		post(i)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // writes go on during the backup
		defer close(done)
		for i := 20; ; i++ {
			select {
			case <-stop:
				return
			default:
				post(i)
			}
		}
	}()
	backupFile := filepath.Join(dir, "backup.db")
	out, err := cli(t, nil, "backup", "--out", backupFile, "--db", live)
	close(stop)
	<-done
	if err != nil || !strings.Contains(out, "checked") {
		t.Fatalf("backup: %q %v", out, err)
	}

	restored := filepath.Join(dir, "restored.db")
	if out, err := cli(t, nil, "restore", "--from", backupFile, "--db", restored); err != nil || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %q %v", out, err)
	}
	out, err = cli(t, nil, "check", "--db", restored)
	if err != nil || !strings.Contains(out, "sound") {
		t.Fatalf("check of the restored database: %q %v", out, err)
	}
	var n int
	if m := regexp.MustCompile(`leads (\d+)`).FindStringSubmatch(out); m != nil {
		fmt.Sscan(m[1], &n)
	}
	if n < 20 {
		t.Errorf("the restored database holds %d leads, want at least the 20 made before the backup:\n%s", n, out)
	}

	if _, err := cli(t, nil, "restore", "--from", backupFile, "--db", restored); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restoring over an existing database without --force: %v", err)
	}
	damaged := filepath.Join(dir, "damaged.db")
	os.WriteFile(damaged, []byte("this is not a database"), 0o600)
	if _, err := cli(t, nil, "restore", "--from", damaged, "--db", restored, "--force"); err == nil {
		t.Error("a damaged backup was restored")
	}
	if out, err := cli(t, nil, "check", "--db", restored); err != nil || !strings.Contains(out, fmt.Sprintf("leads %d", n)) {
		t.Errorf("after the refused restore the database changed: %q %v", out, err)
	}
}

// Asking for a token of a user the database does not have says where
// the demo's users are: the usual mistake is the default database.
func TestTokenForAnUnknownUserPointsToTheDemoDatabase(t *testing.T) {
	_, err := cli(t, nil, "token", "create", "--user", "admin@leadflow.test", "--db", filepath.Join(t.TempDir(), "empty.db"))
	if err == nil || !strings.Contains(err.Error(), "--db leadflow-demo.db") {
		t.Errorf("token for an unknown user: %v", err)
	}
}

// bench --keep leaves the SQLite file it measured in place and says
// where, with the data set in it.
func TestBenchKeepsItsDatabase(t *testing.T) {
	stdout, err := cli(t, map[string]string{}, "bench", "--quick", "--only", "kpi", "--keep", "--out", filepath.Join(t.TempDir(), "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`database kept: (\S+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no kept database named:\n%s", stdout)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(m[1])) })
	db, err := sqldb.Open(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM leads`).Scan(&n); err != nil || n != 2000 {
		t.Errorf("the kept database holds %d leads (%v), want 2000", n, err)
	}
}

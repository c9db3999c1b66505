package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"leadflow/internal/dbtest"
	"leadflow/internal/racebuild"
	"leadflow/internal/sqldb"
)

// TestClusterOnPostgres runs three leadflow processes on one PostgreSQL
// and puts them under concurrent load: intake, events, edits of one lead
// from two instances, conversions raced across instances, a rescore, a CLI
// import killed midway, and one instance killed with SIGKILL and started
// again. Then it checks what a team would: no acknowledged lead lost, no
// duplicate, no lost edit, every job done once, one decay sweep per
// period, and instance A's dashboard counting leads that arrived at C.
func TestClusterOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers; not with -short")
	}
	dsn := dbtest.PostgresDSN(t)
	bin := buildLeadflow(t)
	c := &cluster{t: t, bin: bin, env: append(os.Environ(), "LEADFLOW_DATABASE_URL="+dsn, "LEADFLOW_JOB_LEASE=2s")}
	// The three start together on an empty database: one migrates it
	// while the others wait for the migration lock.
	c.nodes = make([]*node, 3)
	var starting sync.WaitGroup
	for i := range 3 {
		starting.Go(func() { c.nodes[i] = c.start(i) })
	}
	starting.Wait()
	if t.Failed() {
		t.FailNow()
	}
	c.run("user", "create", "--email", "ops@cluster.test", "--password", "a long passphrase", "--role", "admin")
	out := strings.Split(strings.TrimSpace(c.run("token", "create", "--user", "ops@cluster.test")), "\n")
	c.token = out[len(out)-1]
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	edits := c.seedEdits(20)
	converts := c.seedConversions(10)
	importFile := c.writeImport(3000)

	ctx, stopLoad := context.WithTimeout(context.Background(), 8*time.Second)
	defer stopLoad()
	var wg sync.WaitGroup
	acked := &ackSet{m: map[string]bool{}}
	for w := range 6 {
		wg.Go(func() { c.intake(ctx, w, acked) })
	}
	var events atomic.Int64
	for w := range 2 {
		wg.Go(func() { c.events(ctx, w, acked, &events) })
	}
	last := make([]map[int64]string, 2) // per editor: lead → last acknowledged value
	for w := range 2 {
		last[w] = map[int64]string{}
		wg.Go(func() { c.edit(ctx, w, edits, last[w]) })
	}
	wins := make([]atomic.Int32, len(converts))
	for w := range 3 {
		wg.Go(func() { c.convert(w, converts, wins) })
	}
	wg.Go(func() { c.killedImport(importFile, db) })
	wg.Go(func() {
		time.Sleep(time.Second)
		rules := `{"rules": {"explicit": [], "behaviour": [{"event": "page_view", "points": 3, "cap": 30}],
			"half_life_days": 30, "hot": 60, "warm": 30, "mql": 50}, "note": "cluster"}`
		if st := c.req(0, "PUT", "/api/v1/scoring/rules", rules, nil); st != http.StatusOK {
			t.Errorf("saving the scoring rules: %d", st)
		}
	})
	wg.Go(func() {
		time.Sleep(3 * time.Second)
		c.nodes[2].kill()
		time.Sleep(time.Second)
		c.restart(2)
	})
	wg.Wait()

	settled := c.waitForJobs(db)
	c.checkLeads(db, acked)
	c.checkEdits(edits, last)
	c.checkConversions(converts, wins)
	c.checkJobs(db, settled)
	c.checkDashboard(db)
	t.Logf("%d leads acknowledged, %d events, %d edits, decay every %s; instance C killed and restarted",
		len(acked.m), events.Load(), len(last[0])+len(last[1]), decayEvery)
}

// decayEvery is the test cluster's decay period: short, so that the run
// sees several.
const decayEvery = 2 * time.Second

type cluster struct {
	t     *testing.T
	bin   string
	env   []string
	token string
	mu    sync.Mutex
	nodes []*node
}

type node struct {
	cmd *exec.Cmd
	url string
	log *syncBuffer
}

func (n *node) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	n.cmd.Wait()
}

// buildLeadflow compiles the command once for the processes to run, with
// the race detector when the test has it: the instances are then checked
// for races too, and the build reuses the packages compiled for the test.
func buildLeadflow(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "leadflow")
	args := []string{"build", "-o", bin}
	if racebuild.On {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (c *cluster) run(args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("leadflow %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs instance i and waits for the address it prints.
func (c *cluster) start(i int) *node {
	c.t.Helper()
	cmd := exec.Command(c.bin, "serve", "--addr", "127.0.0.1:0", "--decay-every", decayEvery.String())
	cmd.Env = c.env
	stdout, _ := cmd.StdoutPipe()
	n := &node{cmd: cmd, log: &syncBuffer{}}
	cmd.Stderr = n.log
	if err := cmd.Start(); err != nil {
		c.t.Error(err)
		return nil
	}
	c.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if strings.Contains(n.log.String(), "WARNING: DATA RACE") {
			c.t.Errorf("instance %c found a data race", 'A'+i)
		}
		if c.t.Failed() {
			c.t.Logf("instance %c log:\n%s", 'A'+i, n.log.String())
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, url, ok := strings.Cut(sc.Text(), "listening on "); ok {
			n.url, _, _ = strings.Cut(url, " ")
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if n.url == "" {
		cmd.Wait()
		c.t.Errorf("instance %c printed no address:\n%s", 'A'+i, n.log.String())
		return nil
	}
	return n
}

func (c *cluster) restart(i int) {
	n := c.start(i)
	if n == nil {
		return
	}
	c.mu.Lock()
	c.nodes[i] = n
	c.mu.Unlock()
}

// req sends a request to instance i and decodes a JSON answer into out;
// it returns the status, or 0 when the instance did not answer.
func (c *cluster) req(i int, method, path, body string, out any) int {
	c.mu.Lock()
	url := c.nodes[i%len(c.nodes)].url
	c.mu.Unlock()
	r, _ := http.NewRequest(method, url+path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+c.token)
	r.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Errorf("%s %s: %v: %s", method, path, err, b)
		}
	}
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s on instance %c: %d %s", method, path, 'A'+i%3, resp.StatusCode, b)
	}
	return resp.StatusCode
}

type leadOut struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	JobTitle string `json:"job_title"`
	City     string `json:"city"`
	Stage    string `json:"stage"`
}

func (c *cluster) create(i int, body string) leadOut {
	var l leadOut
	if st := c.req(i, "POST", "/api/v1/leads", body, &l); st != http.StatusCreated {
		c.t.Fatalf("create lead %s: %d", body, st)
	}
	return l
}

func (c *cluster) seedEdits(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = c.create(i, fmt.Sprintf(`{"email": "edit%d@cluster.test", "company": "Edit %d"}`, i, i)).ID
	}
	return ids
}

func (c *cluster) seedConversions(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = c.create(i, fmt.Sprintf(`{"email": "buyer%d@buyer%d.example", "company": "Buyer %d", "stage": "sql"}`, i, i, i)).ID
	}
	return ids
}

type ackSet struct {
	mu sync.Mutex
	m  map[string]bool
}

// intake creates leads round-robin across the instances until ctx ends,
// each sent to two instances at once as a double submission would be.
func (c *cluster) intake(ctx context.Context, w int, acked *ackSet) {
	for i := 0; ctx.Err() == nil; i++ {
		email := fmt.Sprintf("w%d-%d@intake.test", w, i)
		body := fmt.Sprintf(`{"email": %q, "source": "cluster", "country": "NO"}`, email)
		var wg sync.WaitGroup
		for k := range 2 {
			wg.Go(func() {
				if c.req(w+i+k, "POST", "/api/v1/leads", body, nil) == http.StatusCreated {
					acked.mu.Lock()
					acked.m[email] = true
					acked.mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
}

func (c *cluster) events(ctx context.Context, w int, acked *ackSet, n *atomic.Int64) {
	for i := 0; ctx.Err() == nil; i++ {
		acked.mu.Lock()
		var email string
		for e := range acked.m {
			email = e
			break
		}
		acked.mu.Unlock()
		if email == "" {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		body := fmt.Sprintf(`{"email": %q, "type": "page_view", "url": "https://x.example/p%d"}`, email, i)
		if c.req(w+i, "POST", "/api/v1/events", body, nil) < 300 {
			n.Add(1)
		}
	}
}

// edit changes one field of the seeded leads over and over, editor 0 the
// job title, editor 1 the city, on different instances at once.
func (c *cluster) edit(ctx context.Context, w int, ids []int64, last map[int64]string) {
	field := []string{"job_title", "city"}[w]
	for round := 0; ctx.Err() == nil; round++ {
		for _, id := range ids {
			v := fmt.Sprintf("%s %d", field, round)
			if c.req(w+round, "PATCH", fmt.Sprintf("/api/v1/leads/%d", id), fmt.Sprintf(`{%q: %q}`, field, v), nil) == http.StatusOK {
				last[id] = v
			}
		}
	}
}

// convert races the other converters to convert each lead.
func (c *cluster) convert(w int, ids []int64, wins []atomic.Int32) {
	for k, id := range ids {
		time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
		if c.req(w+k, "POST", fmt.Sprintf("/api/v1/leads/%d/convert", id), `{}`, nil) == http.StatusCreated {
			wins[k].Add(1)
		}
	}
}

func (c *cluster) writeImport(n int) string {
	var b bytes.Buffer
	b.WriteString("Email,First Name,Company\n")
	for i := range n {
		fmt.Fprintf(&b, "imp%d@import.test,Imp%d,Imported %d\n", i, i, i%50)
	}
	path := filepath.Join(c.t.TempDir(), "import.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// killedImport starts `leadflow import` and kills it once it has
// committed some rows: a server must take the job over and finish it.
func (c *cluster) killedImport(file string, db *sqldb.DB) {
	cmd := exec.Command(c.bin, "import", file)
	cmd.Env = c.env
	if err := cmd.Start(); err != nil {
		c.t.Error(err)
		return
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var done int64
		db.R.QueryRow(context.Background(), `SELECT COALESCE(MAX(rows_done), 0) FROM imports`).Scan(&done)
		if done > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	var done int64
	db.R.QueryRow(context.Background(), `SELECT rows_done FROM imports`).Scan(&done)
	if done == 3000 {
		c.t.Log("the import finished before it could be killed")
	}
}

// waitForJobs waits until no job that is due is waiting or running, and
// returns the moment it saw so: jobs due by then are all done.
func (c *cluster) waitForJobs(db *sqldb.DB) int64 {
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var pending int
		now := time.Now().UnixMilli()
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE state IN ('available', 'running') AND run_at <= ?`, now).Scan(&pending)
		if pending == 0 {
			return now
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Error("jobs still pending after 90 s")
	return time.Now().UnixMilli()
}

func (c *cluster) checkLeads(db *sqldb.DB, acked *ackSet) {
	ctx := context.Background()
	var lost []string
	for email := range acked.m {
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE email = ?`, email).Scan(&n)
		if n != 1 {
			lost = append(lost, fmt.Sprintf("%s ×%d", email, n))
		}
	}
	if len(lost) > 0 {
		c.t.Errorf("%d of %d acknowledged leads lost or doubled: %v", len(lost), len(acked.m), lost[:min(5, len(lost))])
	}
	var dups int
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT lower(email) FROM leads GROUP BY lower(email) HAVING COUNT(*) > 1) d`).Scan(&dups)
	if dups > 0 {
		c.t.Errorf("%d emails have more than one lead", dups)
	}
}

func (c *cluster) checkEdits(ids []int64, last []map[int64]string) {
	lost := 0
	for _, id := range ids {
		var l leadOut
		c.req(0, "GET", fmt.Sprintf("/api/v1/leads/%d", id), "", &l)
		if l.JobTitle != last[0][id] || l.City != last[1][id] {
			lost++
			c.t.Logf("lead %d: job title %q city %q; last acknowledged %q and %q", id, l.JobTitle, l.City, last[0][id], last[1][id])
		}
	}
	if lost > 0 {
		c.t.Errorf("%d of %d leads lost an acknowledged edit", lost, len(ids))
	}
}

func (c *cluster) checkConversions(ids []int64, wins []atomic.Int32) {
	for k, id := range ids {
		if n := wins[k].Load(); n != 1 {
			c.t.Errorf("lead %d converted %d times by the racing instances, want once", id, n)
		}
	}
}

func (c *cluster) checkJobs(db *sqldb.DB, settled int64) {
	ctx := context.Background()
	rows, err := db.R.Query(ctx, `SELECT kind, state, attempt, error FROM jobs WHERE run_at <= ? ORDER BY id`, settled)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	kinds := map[string]int{}
	for rows.Next() {
		var kind, state, msg string
		var attempt int
		rows.Scan(&kind, &state, &attempt, &msg)
		kinds[kind]++
		if state != "done" {
			c.t.Errorf("%s job is %s after %d attempts: %s", kind, state, attempt, msg)
		}
	}
	if kinds["import"] != 1 || kinds["rescore"] != 1 || kinds["decay"] < 3 {
		c.t.Errorf("jobs by kind %v; want one import, one rescore and a decay sweep per period", kinds)
	}
	var rowsDone, created, imported int
	db.R.QueryRow(ctx, `SELECT rows_done, created FROM imports`).Scan(&rowsDone, &created)
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE email LIKE '%@import.test'`).Scan(&imported)
	if rowsDone != 3000 || created != 3000 || imported != 3000 {
		c.t.Errorf("killed import: %d rows done, %d created, %d leads; want 3000 of each", rowsDone, created, imported)
	}
	// Every decay period's job is one row (its key names the period), and
	// ran once: the sweep rescored each lead at most once per period.
	var periods, sweeps int
	db.R.QueryRow(ctx, `SELECT COUNT(DISTINCT unique_key), COUNT(*) FROM jobs WHERE kind = 'decay'`).Scan(&periods, &sweeps)
	if periods != sweeps {
		c.t.Errorf("%d decay jobs for %d periods", sweeps, periods)
	}
	var doubled int
	db.R.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT lead_id FROM lead_changes WHERE reason LIKE 'scoring rules version%'
		GROUP BY lead_id, field HAVING COUNT(*) > 1) d`).Scan(&doubled)
	if doubled > 0 {
		c.t.Errorf("%d leads have the rescore's change recorded twice", doubled)
	}
}

// checkDashboard asks instance A for the KPIs: they count every lead,
// whichever instance took it in.
func (c *cluster) checkDashboard(db *sqldb.DB) {
	var total int
	db.R.QueryRow(context.Background(), `SELECT COUNT(*) FROM leads`).Scan(&total)
	var k struct {
		Total struct {
			Leads int `json:"leads"`
		} `json:"total"`
	}
	if st := c.req(0, "GET", "/api/v1/kpis?period=7d", "", &k); st != http.StatusOK || k.Total.Leads != total {
		c.t.Errorf("instance A's dashboard: %d, %d leads; the database holds %d", st, k.Total.Leads, total)
	}
}

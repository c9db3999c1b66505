package privacy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/imports"
	"leadflow/internal/lead"
	"leadflow/internal/privacy"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// Pat asks what leadflow holds about them, then to be forgotten; Ola,
// in the same company and the same import, must not notice.
const (
	pat = "pat.doe@example.com"
	ola = "ola@example.org"
)

// world is what seed made: the ids the test checks afterwards.
type world struct {
	patLead, olaLead       int64
	olaContact, deal       int64
	patImport, olaImport   int64
	olaSubmission, olaJect int64
}

// seed gives Pat and Ola a lead each with events, a submission, a
// contact at the same account (Pat's with a deal), an import reject and
// an uploaded file; Pat is also in a file with Ola, and Ola's timeline
// names Pat from a merge.
func seed(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	ctx := context.Background()
	leads := lead.NewService(db)
	var w world
	p, err := leads.Create(ctx, access.System, lead.Changes{"email": "Pat.Doe@Example.com", "first_name": "Pat", "last_name": "Doe", "consent": "true"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := leads.Create(ctx, access.System, lead.Changes{"email": ola, "first_name": "Ola", "last_name": "Nordmann"})
	if err != nil {
		t.Fatal(err)
	}
	w.patLead, w.olaLead = p.ID, o.ID
	if _, err := leads.RecordEvents(ctx, access.System, []lead.EventInput{
		{VisitorID: "v-pat", Type: "page_view", URL: "https://example.com/before-the-form"},
		{LeadID: p.ID, VisitorID: "v-pat", Type: "pricing_page_view", URL: "https://example.com/pricing"},
		{LeadID: o.ID, VisitorID: "v-ola", Type: "page_view", URL: "https://example.com/ola"},
	}); err != nil {
		t.Fatal(err)
	}
	exec := func(query string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.W.QueryRow(ctx, query+` RETURNING id`, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return id
	}
	sub := `INSERT INTO submissions (payload, meta, received_at, status, lead_id) VALUES (?, ?, 1, ?, ?)`
	exec(sub, `{"email":"pat.doe@example.com","message":"call me"}`, `{"ip":"203.0.113.77","user_agent":"PatBrowser/9.1","visitor_id":"v-pat"}`, "accepted", p.ID)
	exec(sub, `{"email":"PAT.DOE@EXAMPLE.COM","phone":"bad"}`, `{"ip":"203.0.113.77","user_agent":"PatBrowser/9.1"}`, "rejected", nil)
	w.olaSubmission = exec(sub, `{"email":"ola@example.org","note":"jimpat.doe@example.com is my colleague"}`, `{"ip":"198.51.100.4"}`, "accepted", o.ID)
	account := exec(`INSERT INTO accounts (name, name_key, created_at, updated_at) VALUES ('Doe Holding', 'doe holding', 1, 1)`)
	contact := `INSERT INTO contacts (account_id, email, first_name, last_name, phone, stage, created_at, updated_at) VALUES (?, ?, ?, '', ?, 'opportunity', 1, 1)`
	patContact := exec(contact, account, "Pat.Doe@example.com", "Pat", "+40 712 345 678")
	w.olaContact = exec(contact, account, ola, "Ola", "")
	w.deal = exec(`INSERT INTO opportunities (account_id, contact_id, name, amount, stage, created_at, updated_at) VALUES (?, ?, 'Doe Holding licences', 12000, 'proposal', 1, 1)`, account, patContact)
	up := imports.NewService(db, leads)
	both, err := up.Upload(ctx, access.System, "people.csv", strings.NewReader("email,first_name,employees\npat.doe@example.com,Pat,many\nola@example.org,Ola,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	alone, err := up.Upload(ctx, access.System, "ola.csv", strings.NewReader("email,first_name\nola@example.org,Ola\n"))
	if err != nil {
		t.Fatal(err)
	}
	w.patImport, w.olaImport = both.ID, alone.ID
	reject := `INSERT INTO import_rejects (import_id, row_num, raw, reason) VALUES (?, ?, ?, 'employees: not a number')`
	exec(reject, both.ID, 1, "pat.doe@example.com,Pat,many")
	w.olaJect = exec(reject, alone.ID, 1, "ola@example.org,Ola,lots")
	for e, client := range map[string]string{"Pat.Doe@example.com": "203.0.113.77", ola: "198.51.100.4"} {
		if _, err := db.W.Exec(ctx, `INSERT INTO login_attempts (email, client, at) VALUES (?, ?, 1)`, e, client); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO lead_changes (lead_id, at, kind, detail, reason) VALUES (?, 1, 'merged', ?, 'merged pat.doe@example.com into this lead')`,
		o.ID, `{"merged_lead":["99","pat.doe@example.com"]}`)
	return w
}

func TestExportHoldsEverythingAboutThePerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := seed(t, db)
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		ex, err := privacy.NewService(db).Export(context.Background(), admin, "PAT.doe@example.COM")
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{"leads": len(ex.Leads), "consent": len(ex.Consent), "events": len(ex.Events),
			"submissions": len(ex.Submissions), "contacts": len(ex.Contacts), "opportunities": len(ex.Opportunities),
			"accounts": len(ex.Accounts), "import_rejects": len(ex.ImportRejects), "import_files": len(ex.ImportFiles)}
		want := map[string]int{"leads": 1, "consent": 1, "events": 2, "submissions": 2, "contacts": 1, "opportunities": 1,
			"accounts": 1, "import_rejects": 1, "import_files": 1}
		for k, n := range want {
			if counts[k] != n {
				t.Errorf("export has %d %s, want %d", counts[k], k, n)
			}
		}
		if len(ex.Timeline) == 0 {
			t.Error("export has no timeline")
		}
		if len(ex.ImportFiles) == 1 && ex.ImportFiles[0].ID != w.patImport {
			t.Errorf("import file %d, want %d", ex.ImportFiles[0].ID, w.patImport)
		}
		raw, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Pat.Doe@example.com", "203.0.113.77", "PatBrowser/9.1", "call me", "pricing_page_view",
			"before-the-form", "+40 712 345 678", "Doe Holding licences", `"name":"Doe Holding"`, "pat.doe@example.com,Pat,many", `"consent":true`} {
			if !bytes.Contains(raw, []byte(s)) {
				t.Errorf("export lacks %q", s)
			}
		}
		for _, s := range []string{ola, "198.51.100.4", "v-ola"} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("export of Pat holds Ola's %q", s)
			}
		}
	})
}

func TestEraseRemovesThePersonEverywhereAndNoOneElse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := seed(t, db)
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		svc := privacy.NewService(db)
		sum, err := svc.Preview(ctx, admin, pat)
		if err != nil {
			t.Fatal(err)
		}
		er, err := svc.Erase(ctx, admin, "Pat.Doe@EXAMPLE.com")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"leads": 1, "events": 2, "submissions": 2, "contacts": 1, "opportunities_unlinked": 1,
			"import_rejects": 1, "import_files": 1, "timeline_mentions_redacted": 1, "login_attempts": 1}
		for k, n := range want {
			if er.Counts[k] != n || sum.Counts[k] != n {
				t.Errorf("%s: erased %d, preview said %d, want %d", k, er.Counts[k], sum.Counts[k], n)
			}
		}
		if er.EmailSHA256 != privacy.Hash(pat) || er.ByID != admin.ID {
			t.Errorf("erasure recorded as %+v", er)
		}
		if ok, err := svc.WasErased(ctx, "PAT.DOE@example.com"); err != nil || !ok {
			t.Errorf("WasErased = %v, %v", ok, err)
		}
		again, err := svc.Preview(ctx, admin, pat)
		if err != nil || !again.Empty() {
			t.Errorf("after erasure, still found: %+v %v", again.Counts, err)
		}
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := db.R.QueryRow(ctx, query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		for _, c := range []struct {
			what  string
			query string
			args  []any
			want  int
		}{
			{"Pat's lead", `SELECT COUNT(*) FROM leads WHERE id = ?`, []any{w.patLead}, 0},
			{"Pat's timeline", `SELECT COUNT(*) FROM lead_changes WHERE lead_id = ?`, []any{w.patLead}, 0},
			{"Pat's events, with the anonymous one", `SELECT COUNT(*) FROM events WHERE lead_id = ? OR visitor_id = 'v-pat'`, []any{w.patLead}, 0},
			{"Pat's submissions", `SELECT COUNT(*) FROM submissions WHERE payload LIKE '%203.0.113.77%' OR meta LIKE '%PatBrowser%' OR lower(payload) LIKE '%"pat.doe@%'`, nil, 0},
			{"Pat's contact", `SELECT COUNT(*) FROM contacts WHERE lower(email) = ?`, []any{pat}, 0},
			{"Pat's reject", `SELECT COUNT(*) FROM import_rejects WHERE raw LIKE 'pat.doe%'`, nil, 0},
			{"the file Pat was in", `SELECT COUNT(*) FROM import_chunks WHERE import_id = ?`, []any{w.patImport}, 0},
			{"the erasure's record", `SELECT COUNT(*) FROM erasures WHERE email_sha256 = ? AND counts NOT LIKE '%@%'`, []any{privacy.Hash(pat)}, 1},
			{"Ola's lead", `SELECT COUNT(*) FROM leads WHERE id = ?`, []any{w.olaLead}, 1},
			{"Ola's failed sign-in", `SELECT COUNT(*) FROM login_attempts WHERE email = ?`, []any{ola}, 1},
			{"Ola's event", `SELECT COUNT(*) FROM events WHERE lead_id = ?`, []any{w.olaLead}, 1},
			{"Ola's submission", `SELECT COUNT(*) FROM submissions WHERE id = ?`, []any{w.olaSubmission}, 1},
			{"Ola's contact", `SELECT COUNT(*) FROM contacts WHERE id = ?`, []any{w.olaContact}, 1},
			{"Ola's reject", `SELECT COUNT(*) FROM import_rejects WHERE id = ?`, []any{w.olaJect}, 1},
			{"Ola's own file", `SELECT COUNT(*) FROM import_chunks WHERE import_id = ?`, []any{w.olaImport}, 1},
			{"the deal, without its contact", `SELECT COUNT(*) FROM opportunities WHERE id = ? AND contact_id IS NULL AND amount = 12000`, []any{w.deal}, 1},
			{"Ola's timeline, Pat's address redacted", `SELECT COUNT(*) FROM lead_changes WHERE lead_id = ? AND detail LIKE '%[erased]%' AND reason = 'merged [erased] into this lead'`, []any{w.olaLead}, 1},
			{"Ola's timeline naming Pat", `SELECT COUNT(*) FROM lead_changes WHERE lower(detail || reason) LIKE '%pat.doe@%'`, nil, 0},
		} {
			if n := count(c.query, c.args...); n != c.want {
				t.Errorf("%s: %d rows, want %d", c.what, n, c.want)
			}
		}
	})
}

func TestOnlyAdminsExportOrErase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		seed(t, db)
		svc := privacy.NewService(db)
		for _, role := range []access.Role{access.Sales, access.Marketing} {
			a := usertest.Actor(t, db, string(role)+"@example.com", role)
			_, err := svc.Export(ctx, a, pat)
			if fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s export: %v, want forbidden", role, err)
			}
			if _, err := svc.Preview(ctx, a, pat); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s preview: %v, want forbidden", role, err)
			}
			if _, err := svc.Erase(ctx, a, pat); fault.CodeOf(err) != fault.Forbidden {
				t.Errorf("%s erase: %v, want forbidden", role, err)
			}
		}
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE lower(email) = ?`, pat).Scan(&n)
		if n != 1 {
			t.Errorf("Pat's lead is gone after refused erasures")
		}
	})
}

// TestErasedBytesLeaveTheSQLiteFiles: secure_delete and the checkpoint
// leave no trace of the person in the database file or its log.
func TestErasedBytesLeaveTheSQLiteFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadflow.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seed(t, db)
	traces := []string{pat, "203.0.113.77", "patbrowser/9.1", "+40 712 345 678", "before-the-form"}
	present := func(when string, wantAll bool) {
		t.Helper()
		for _, file := range []string{path, path + "-wal"} {
			raw, err := os.ReadFile(file)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			// Ola's submission names a colleague whose address ends like Pat's.
			raw = bytes.ReplaceAll(bytes.ToLower(raw), []byte("jim"+pat), nil)
			for _, s := range traces {
				if in := bytes.Contains(raw, []byte(s)); in && !wantAll {
					t.Errorf("%s: %s holds %q", when, filepath.Base(file), s)
				}
			}
		}
	}
	// Without the erasure the bytes are there (so the check can fail).
	all, _ := os.ReadFile(path)
	wal, _ := os.ReadFile(path + "-wal")
	if !bytes.Contains(bytes.ToLower(append(all, wal...)), []byte(pat)) {
		t.Fatal("the seeded address is not in the database files at all")
	}
	admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
	if _, err := privacy.NewService(db).Erase(ctx, admin, pat); err != nil {
		t.Fatal(err)
	}
	present("after the erasure's checkpoint", false)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	present("after closing", false)
}

// TestEraseWaitsForAnImportUnderWay: cutting the file of a running import
// would end it early without a word, so the erasure is refused and
// nothing is deleted.
func TestEraseWaitsForAnImportUnderWay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := seed(t, db)
		if _, err := db.W.Exec(ctx, `UPDATE imports SET status = 'running' WHERE id = ?`, w.patImport); err != nil {
			t.Fatal(err)
		}
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		_, err := privacy.NewService(db).Erase(ctx, admin, pat)
		if fault.CodeOf(err) != fault.Conflict {
			t.Fatalf("erase during an import: %v, want a conflict", err)
		}
		var n int
		db.R.QueryRow(ctx, `SELECT COUNT(*) FROM leads WHERE id = ?`, w.patLead).Scan(&n)
		if n != 1 {
			t.Error("the refused erasure deleted Pat's lead")
		}
	})
}

// TestExportOfAPersonWithoutALead: someone known only from a refused
// form post and the anonymous visits of its browser is exported with
// those visits, on both databases.
func TestExportOfAPersonWithoutALead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		leads := lead.NewService(db)
		if _, err := leads.RecordEvents(ctx, access.System, []lead.EventInput{{VisitorID: "v-anon", Type: "page_view", URL: "https://example.com/a"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(ctx, `INSERT INTO submissions (payload, meta, received_at, status) VALUES (?, ?, 1, 'rejected')`,
			`{"email":"anon@example.net","phone":"bad"}`, `{"visitor_id":"v-anon"}`); err != nil {
			t.Fatal(err)
		}
		out, err := privacy.NewService(db).Export(ctx, access.System, "anon@example.net")
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Leads) != 0 || len(out.Submissions) != 1 || len(out.Events) != 1 {
			t.Errorf("export: %d leads, %d submissions, %d events; want 0, 1, 1", len(out.Leads), len(out.Submissions), len(out.Events))
		}
	})
}

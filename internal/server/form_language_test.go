package server_test

import (
	"context"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// A lead keeps the language its first form spoke to it: a new lead is
// written with it, in one write of its row; a lead that had none gets
// it from its next form; a lead that has one keeps it.
func TestFormLanguageIsWrittenWithTheNewLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		countLeadUpdates(t, db)
		createForm(t, f, `{"slug":"notizie","name":"Notizie","language":"it","fields":[{"name":"email"},{"name":"first_name"}]}`)
		createForm(t, f, `{"slug":"nyheter","name":"Nyheter","language":"nb","fields":[{"name":"email"},{"name":"first_name"}]}`)
		submit := func(slug, body string) {
			t.Helper()
			if resp, page := post(t, f.srv.URL, "/f/"+slug, "application/json", body); resp.StatusCode != 200 {
				t.Fatalf("submission to %s: %d %s", slug, resp.StatusCode, page)
			}
		}
		language := func(email string) (lang string, updates int) {
			t.Helper()
			err := db.R.QueryRow(ctx, `SELECT l.language, (SELECT COUNT(*) FROM lead_updates u WHERE u.lead_id = l.id)
				FROM leads l WHERE l.email = ?`, email).Scan(&lang, &updates)
			if err != nil {
				t.Fatalf("language of %s: %v", email, err)
			}
			return lang, updates
		}

		submit("notizie", `{"email":"giulia@esempio.it","first_name":"Giulia"}`)
		if lang, updates := language("giulia@esempio.it"); lang != "it" || updates != 0 {
			t.Errorf("a new lead from the Italian form: language %q after %d updates of its row, want \"it\" written with it", lang, updates)
		}

		if status, l := f.call(t, "admin", "POST", "/api/v1/leads", `{"email":"kari@fjord.no","first_name":"Kari"}`); status != 201 {
			t.Fatalf("lead through the API: %d %v", status, l)
		}
		if lang, _ := language("kari@fjord.no"); lang != "" {
			t.Fatalf("a lead from the API speaks %q, want none (the team's)", lang)
		}
		submit("nyheter", `{"email":"kari@fjord.no"}`)
		if lang, _ := language("kari@fjord.no"); lang != "nb" {
			t.Errorf("a lead without a language after the Norwegian form: %q, want \"nb\"", lang)
		}
		submit("notizie", `{"email":"kari@fjord.no"}`)
		if lang, _ := language("kari@fjord.no"); lang != "nb" {
			t.Errorf("a Norwegian lead after the Italian form: %q, want \"nb\" kept", lang)
		}
	})
}

// countLeadUpdates records in lead_updates the id of each lead row an
// UPDATE writes, so a test can tell how often a lead was written.
func countLeadUpdates(t *testing.T, db *sqldb.DB) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE lead_updates (lead_id BIGINT NOT NULL)`,
		`CREATE TRIGGER lead_updates AFTER UPDATE ON leads BEGIN INSERT INTO lead_updates VALUES (NEW.id); END`,
	}
	if db.Dialect == sqldb.Postgres {
		stmts[1] = `CREATE FUNCTION lead_updates() RETURNS trigger AS $$
			BEGIN INSERT INTO lead_updates VALUES (NEW.id); RETURN NULL; END $$ LANGUAGE plpgsql`
		stmts = append(stmts, `CREATE TRIGGER lead_updates AFTER UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION lead_updates()`)
	}
	for _, s := range stmts {
		if _, err := db.W.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

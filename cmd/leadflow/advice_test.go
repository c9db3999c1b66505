package main

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestCheckAndServeGiveTheSettingsAdvice: the README's promise that
// `leadflow check` lists the PostgreSQL settings that slow leadflow as
// advice, still calling the database sound, and that `leadflow serve`
// prints the same lines when it starts. The test command's PostgreSQL
// runs at the defaults, so there it names both settings; SQLite has none.
func TestCheckAndServeGiveTheSettingsAdvice(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		dbFlag, env := target(dsn)
		db, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		want, err := db.Advice(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cli(t, env, append([]string{"check"}, dbFlag...)...)
		if err != nil || !strings.Contains(out, "the database is sound") {
			t.Fatalf("check: %q %v", out, err)
		}
		if got := strings.Count(out, "advice: "); got != len(want) {
			t.Errorf("check gave %d lines of advice, want %d (%q):\n%s", got, len(want), want, out)
		}
		for _, a := range want {
			if !strings.Contains(out, "advice: "+a+"\n") {
				t.Errorf("check did not say %q:\n%s", a, out)
			}
		}
		_, served := start(t, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbFlag...)...)
		for _, a := range want {
			if !strings.Contains(served.String(), a+"\n") {
				t.Errorf("serve did not say %q when it started:\n%s", a, served.String())
			}
		}
	})
}

package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// TestAdviceNamesTheLogSettings: at PostgreSQL's defaults Advice asks for
// a larger log and compressed pages, naming each setting; with both set
// it says nothing.
func TestAdviceNamesTheLogSettings(t *testing.T) {
	for _, c := range []struct {
		walMB, compression string
		want               []string
	}{
		{"1024", "off", []string{"max_wal_size is 1024 MB", "wal_compression is off"}},
		{"16384", "lz4", nil},
		{"8192", "zstd", nil},
		{"4096", "pglz", []string{"max_wal_size is 4096 MB"}},
	} {
		got := sqldb.AdviceFor(c.walMB, c.compression)
		if len(got) != len(c.want) {
			t.Errorf("max_wal_size %s, wal_compression %s: advice %q, want %d lines", c.walMB, c.compression, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) || !strings.Contains(got[i], "set ") {
				t.Errorf("max_wal_size %s, wal_compression %s: advice %q, want it to say %q and what to set", c.walMB, c.compression, got[i], w)
			}
		}
	}
}

// TestCheckGivesTheServersAdvice: Check reports the advice for the
// settings the server runs with (none on SQLite), and a database with
// advice is still sound.
func TestCheckGivesTheServersAdvice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		h, err := db.Check(ctx)
		if err != nil || !h.OK() {
			t.Fatalf("check: %+v %v", h, err)
		}
		var want []string
		if db.Dialect == sqldb.Postgres {
			var walMB, compression string
			if err := db.R.QueryRow(ctx, `SELECT setting FROM pg_settings WHERE name = 'max_wal_size'`).Scan(&walMB); err != nil {
				t.Fatal(err)
			}
			if err := db.R.QueryRow(ctx, `SHOW wal_compression`).Scan(&compression); err != nil {
				t.Fatal(err)
			}
			want = sqldb.AdviceFor(walMB, compression)
		}
		if strings.Join(h.Advice, "\n") != strings.Join(want, "\n") {
			t.Errorf("advice %q, want %q", h.Advice, want)
		}
	})
}

package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"
)

// A server gets a soft limit on its heap of 64 MiB plus the duplicate
// search's budget, unless GOMEMLIMIT sets one; the commands a test runs
// in its own process set none.
func TestServerSetsItsMemoryLimit(t *testing.T) {
	serve := func(t *testing.T, env map[string]string, args ...string) (limits []int64) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		e := environment{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard,
			limitMemory: func(n int64) int64 { limits = append(limits, n); cancel(); return 0 }}
		db := filepath.Join(t.TempDir(), "leadflow.db")
		if err := runWith(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--jobs=false"}, args...), e); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		return limits
	}
	if got := serve(t, nil); len(got) != 1 || got[0] != 128<<20 {
		t.Errorf("serve set the limits %v, want one of 128 MiB", got)
	}
	if got := serve(t, nil, "--pairs-memory", "256"); len(got) != 1 || got[0] != 320<<20 {
		t.Errorf("serve --pairs-memory 256 set the limits %v, want one of 320 MiB", got)
	}
	var set []int64
	e := environment{getenv: func(k string) string { return map[string]string{"GOMEMLIMIT": "1GiB"}[k] },
		limitMemory: func(n int64) int64 { set = append(set, n); return 0 }}
	if e.setMemoryLimit(64 << 20); len(set) != 0 {
		t.Errorf("with GOMEMLIMIT set, the server set the limits %v, want none", set)
	}
}

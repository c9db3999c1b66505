package httplog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"leadflow/internal/httplog"
)

// A proxy's request id is kept when it is a plain token; anything that
// could forge a log line or flood it is not.
func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"4bf92f3577b34da6": true, "req-2026.11_30": true, "": false, "a b": false, "x\ny": false,
		`"quoted"`: false, string(bytes.Repeat([]byte("a"), 65)): false, string(bytes.Repeat([]byte("a"), 64)): true,
	} {
		if got := httplog.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

// Every line logged with a request's context names the request and, once
// known, its user; lines logged without one name neither.
func TestLinesNameTheRequest(t *testing.T) {
	var buf bytes.Buffer
	log, err := httplog.New(&buf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	ctx := httplog.With(context.Background(), &httplog.Info{ID: "r1"})
	log.InfoContext(ctx, "before sign-in")
	httplog.SetUser(ctx, 42)
	log.With("part", "api").ErrorContext(ctx, "after")
	log.Info("no request")
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if lines[0]["request_id"] != "r1" || lines[0]["user_id"] != nil {
		t.Errorf("first line %v", lines[0])
	}
	if lines[1]["request_id"] != "r1" || lines[1]["user_id"] != float64(42) || lines[1]["part"] != "api" {
		t.Errorf("second line %v", lines[1])
	}
	if _, ok := lines[2]["request_id"]; ok {
		t.Errorf("a line outside any request names one: %v", lines[2])
	}
	if _, err := httplog.New(&buf, "xml", "info"); err == nil {
		t.Error("an unknown format was accepted")
	}
	if _, err := httplog.New(&buf, "text", "loud"); err == nil {
		t.Error("an unknown level was accepted")
	}
}

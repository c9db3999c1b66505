package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/server"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The request log never holds the secret of an emailed link or a
// calendar feed: whoever reads the log could use it.
func TestRequestLogLeavesOutLinkSecrets(t *testing.T) {
	var out lockedBuffer
	h, err := server.New(server.Config{DB: dbtest.SQLite(t), Background: t.Context(), Log: slog.New(slog.NewTextHandler(&out, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	secrets := []string{"/c/CONSENTSECRET", "/invite/INVITESECRET", "/u/UNSUBSECRET", "/e/o/OPENSECRET", "/e/c/CLICKSECRET",
		"/calendar/feed/FEEDSECRET.ics"}
	for _, p := range secrets {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Get(srv.URL + "/login")
	resp.Body.Close()
	log := out.String()
	if strings.Contains(log, "SECRET") {
		t.Errorf("the log holds a link's secret:\n%s", log)
	}
	if !strings.Contains(log, "path=/invite/[secret]") || !strings.Contains(log, "path=/login") {
		t.Errorf("the log does not say which paths were asked for:\n%s", log)
	}
}

package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"leadflow/internal/clientip"
	"leadflow/internal/dbtest"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// TestPublicClientsBehindAProxy serves the public forms behind a reverse
// proxy on this machine: each visitor it forwards has a bucket of their
// own and their address stored with their submission, while the same
// header sent by a client the server does not trust changes nothing.
func TestPublicClientsBehindAProxy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		createForm(t, f, `{"slug":"news","name":"Newsletter","fields":[{"name":"email"}]}`)
		serve := func(trusted *clientip.Resolver) string {
			h, err := server.New(server.Config{DB: db, Background: t.Context(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				PublicPerMinute: 6, PublicBurst: 2, TrustedProxies: trusted})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv.URL
		}
		n := 0
		send := func(base, forwardedFor string) int {
			t.Helper()
			n++
			req, _ := http.NewRequest("POST", base+"/f/news", strings.NewReader(fmt.Sprintf(`{"email":"p%d@x.io"}`, n)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", forwardedFor)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}

		proxied := serve(clientip.MustParse("127.0.0.1, ::1"))
		var got []int
		for _, visitor := range []string{"203.0.113.1", "203.0.113.1", "203.0.113.1", "6.6.6.6, 203.0.113.2", "203.0.113.2"} {
			got = append(got, send(proxied, visitor))
		}
		if fmt.Sprint(got) != "[200 200 429 200 200]" {
			t.Errorf("behind a trusted proxy: %v, want each visitor their own burst of two", got)
		}
		_, subs := f.call(t, "admin", "GET", "/api/v1/submissions?status=accepted&limit=10", "")
		ips := map[string]int{}
		for _, s := range subs["data"].([]any) {
			ips[s.(map[string]any)["meta"].(map[string]any)["ip"].(string)]++
		}
		if ips["203.0.113.1"] != 2 || ips["203.0.113.2"] != 2 || len(ips) != 2 {
			t.Errorf("submissions stored from %v, want two from each forwarded visitor", ips)
		}

		// Without trusting the proxy, the header is the client's word:
		// every request is the connection's, sharing one bucket.
		direct := serve(nil)
		got = got[:0]
		for _, spoof := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
			got = append(got, send(direct, spoof))
		}
		if fmt.Sprint(got) != "[200 200 429]" {
			t.Errorf("spoofed X-Forwarded-For from an untrusted client: %v, want one shared burst of two", got)
		}
	})
}

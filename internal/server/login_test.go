package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/sqldb"
)

// Five wrong passwords for one email and the sign-in page answers 429
// with Retry-After, even to the right password, on both databases.
func TestSignInIsThrottled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		b := newBrowser(t, f.srv.URL)
		for i := 0; i < 5; i++ {
			if status, _, _ := b.post("/login", url.Values{"email": {"mia@example.com"}, "password": {"wrong password"}}); status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, status)
			}
		}
		req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(url.Values{"email": {"mia@example.com"}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.srv.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || secs < 14*60 || secs > 15*60 {
			t.Fatalf("sixth attempt: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		// Another user at the same address still signs in.
		b.login("sam@example.com")
	})
}

package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/server"
	"leadflow/internal/tracking"
	"leadflow/internal/user"
)

// fuzzServer is the whole server on a SQLite file, with an admin token
// and one allowed tracking site, called in-process: what a fuzzer sends
// goes through every layer a visitor's request does.
func fuzzServer(f *testing.F) (http.Handler, string) {
	db := dbtest.SQLite(f)
	ctx := context.Background()
	users := user.NewService(db)
	if _, err := users.Create(ctx, access.System, user.Input{Email: "fuzz@example.com", Password: testPassword, Role: access.Admin}); err != nil {
		f.Fatal(err)
	}
	token, err := users.CreateToken(ctx, access.System, "fuzz@example.com", "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	if err := tracking.NewService(db).SetOrigins(ctx, access.System, "https://shop.example"); err != nil {
		f.Fatal(err)
	}
	bg, cancel := context.WithCancel(context.Background())
	f.Cleanup(cancel)
	h, err := server.New(server.Config{DB: db, Background: bg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicPerMinute: 1 << 30, PublicBurst: 1 << 30})
	if err != nil {
		f.Fatal(err)
	}
	return h, token
}

// serve runs one request and returns its status and body.
func serve(h http.Handler, r *http.Request) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

// FuzzTrackingCollect sends arbitrary tracking payloads from an allowed
// site: each is recorded or refused with a 4xx, never a server error.
func FuzzTrackingCollect(f *testing.F) {
	f.Add(`{"visitor_id":"v1","type":"page_view","url":"https://shop.example/pricing"}`)
	f.Add(`{"visitor_id":"v1","type":"ebook_download","properties":{"title":"Guide"}}`)
	f.Add(`{"visitor_id":"","type":"page_view"}`)
	f.Add(`{"visitor_id":"v\u0000","type":"page_view","url":"https://shop.example/\u00ff"}`)
	f.Add(`{"visitor_id":"v2","type":"no_such_event"}[]`)
	h, _ := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/t/collect", strings.NewReader(body))
		r.Header.Set("Origin", "https://shop.example")
		r.Header.Set("Content-Type", "application/json")
		if status, answer := serve(h, r); status >= 500 || status < 200 {
			t.Fatalf("payload %q: %d %s", body, status, answer)
		}
	})
}

// FuzzAPILeadBody sends arbitrary bodies to create a lead and to change
// it through the API: each is taken or refused with a 4xx naming what is
// wrong, never a server error.
func FuzzAPILeadBody(f *testing.F) {
	f.Add(`{"email":"ann@acme.io","first_name":"Ann","employees":120,"consent":true,"custom":{"plan":"pro"}}`)
	f.Add(`{"email":"ștefan@exemplu.ro","country":"Romania","phone":"+40 721 234 567"}`)
	f.Add(`{"email":"x@y.z","stage":"sql","score":5}`)
	f.Add(`{"email":"dup@x.io","email":"dup2@x.io"}`)
	f.Add(`{"email":"a@b.co"} {"x":1}`)
	f.Add(`{"first_name":"\u0000","email":"nul@x.io"}`)
	f.Add(`[1,2]`)
	h, token := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, req := range []struct{ method, path string }{{"POST", "/api/v1/leads"}, {"PATCH", "/api/v1/leads/1"}} {
			r := httptest.NewRequest(req.method, req.path, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
			status, answer := serve(h, r)
			if status >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, body, status, answer)
			}
			if status >= 400 && !strings.Contains(answer, `"error"`) {
				t.Fatalf("%s %s %q: %d without an error body: %s", req.method, req.path, body, status, answer)
			}
		}
	})
}

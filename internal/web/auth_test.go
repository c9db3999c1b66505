package web

import (
	"net/url"
	"strings"
	"testing"
)

// browserTarget is where a browser on https://leadflow.example goes when
// told to redirect to loc: it drops tabs and newlines anywhere, trims
// spaces and control characters at the ends, and reads \ as /.
func browserTarget(t *testing.T, loc string) *url.URL {
	t.Helper()
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.ReplaceAll(loc, `\`, "/")
	ref, err := url.Parse(loc)
	if err != nil {
		return nil
	}
	base, _ := url.Parse("https://leadflow.example/login")
	return base.ResolveReference(ref)
}

func TestSafeNextKeepsRedirectsOnThisSite(t *testing.T) {
	hostile := []string{
		"", "leads", "evil.example", "//evil.example", "///evil.example", `/\evil.example`, `\\evil.example`, `/\/evil.example`,
		"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example",
		"/\x00/evil.example", "/\x0b/evil.example", "https://evil.example/", "HTTP://evil.example", "http:evil.example",
		"https:/evil.example", "//user@evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>", "/\u00a0/evil.example", "/leads\x7f",
	}
	for _, next := range hostile {
		got := safeNext(next)
		if got != "/home" {
			t.Errorf("safeNext(%q) = %q, want /home", next, got)
		}
		if u := browserTarget(t, got); u == nil || u.Host != "leadflow.example" {
			t.Errorf("safeNext(%q) = %q leads the browser to %v", next, got, u)
		}
	}
	kept := map[string]string{
		"/leads":                        "/leads",
		"/leads?stage=mql&owner=me":     "/leads?stage=mql&owner=me",
		"/deals/7":                      "/deals/7",
		"/leads?q=%2F%2Fevil.example":   "/leads?q=%2F%2Fevil.example",
		"/%09/evil.example":             "/%09/evil.example", // an escaped tab stays escaped: a path on this site
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example",
		"/accounts?q=M%C3%BCller#top":   "/accounts?q=M%C3%BCller",
		"/leads?q=a+b&sort=-created_at": "/leads?q=a+b&sort=-created_at",
	}
	for next, want := range kept {
		got := safeNext(next)
		if got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
		if u := browserTarget(t, got); u == nil || u.Host != "leadflow.example" {
			t.Errorf("safeNext(%q) = %q leads the browser to %v", next, got, u)
		}
	}
}

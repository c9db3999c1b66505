package clientip

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := "10.0.0.0/8, 192.0.2.7, fd00::/8"
	tests := []struct {
		name    string
		trusted string
		peer    string
		headers map[string][]string
		want    string
	}{
		{name: "no proxy configured: the connection's address", peer: "198.51.100.4:5123", want: "198.51.100.4"},
		{name: "spoofed header from an untrusted peer is ignored", trusted: proxies, peer: "198.51.100.4:5123",
			headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1"}, "Forwarded": {"for=1.1.1.1"}}, want: "198.51.100.4"},
		{name: "headers ignored when no proxy is trusted", peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "10.0.0.2"},
		{name: "one trusted proxy", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9"},
		{name: "a single trusted address, not a range", trusted: proxies, peer: "192.0.2.7:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9"},
		{name: "a neighbour of the trusted address is not trusted", trusted: proxies, peer: "192.0.2.8:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "192.0.2.8"},
		{name: "chain of proxies: right-most untrusted address wins", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"6.6.6.6, 203.0.113.9, 10.1.1.1"}}, want: "203.0.113.9"},
		{name: "chain spread over several header lines", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"6.6.6.6, 203.0.113.9", "10.1.1.1"}}, want: "203.0.113.9"},
		{name: "every hop trusted: the first one", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"10.3.3.3, 10.1.1.1"}}, want: "10.3.3.3"},
		{name: "trusted proxy sends no header", trusted: proxies, peer: "10.0.0.2:80", want: "10.0.0.2"},
		{name: "garbage hop stops the walk at the last trusted one", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9, unknown, 10.1.1.1"}}, want: "10.1.1.1"},
		{name: "X-Forwarded-For hop with a port", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9:4711"}}, want: "203.0.113.9"},
		{name: "Forwarded", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"Forwarded": {"for=192.0.2.60;proto=http;by=203.0.113.43"}}, want: "192.0.2.60"},
		{name: "Forwarded with quoted IPv6 and port, and a chain", trusted: proxies, peer: "[fd00::5]:443",
			headers: map[string][]string{"Forwarded": {`for=6.6.6.6, For="[2001:db8:cafe::17]:4711";proto=https, for=10.9.9.9:8080`}},
			want:    "2001:db8:cafe::17"},
		{name: "Forwarded quoted IPv4 with port", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"Forwarded": {`for="203.0.113.9:1234"`}}, want: "203.0.113.9"},
		{name: "Forwarded obfuscated client: the proxy", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"Forwarded": {`for=_hidden, for=10.1.1.1`}}, want: "10.1.1.1"},
		{name: "X-Forwarded-For is preferred to Forwarded", trusted: proxies, peer: "10.0.0.2:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}, "Forwarded": {"for=6.6.6.6"}}, want: "203.0.113.9"},
		{name: "IPv4-mapped peer matches an IPv4 range", trusted: proxies, peer: "[::ffff:10.0.0.2]:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9"},
		{name: "IPv6 peer without a trusted proxy", trusted: proxies, peer: "[2001:db8::1]:80",
			headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustParse(tt.trusted)
			req := httptest.NewRequest("GET", "/f/contact", nil)
			req.RemoteAddr = tt.peer
			for k, vs := range tt.headers {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			if got := r.IP(req); got != tt.want {
				t.Errorf("IP = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNilResolverTrustsNoOne(t *testing.T) {
	var r *Resolver
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.2:80"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := r.IP(req); got != "10.0.0.2" {
		t.Errorf("IP = %s, want the connection's address", got)
	}
}

func TestParseRefusesBadEntries(t *testing.T) {
	for _, list := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.1, nope"} {
		if _, err := Parse(list); err == nil || !strings.Contains(err.Error(), "is not an IP address or CIDR range") {
			t.Errorf("Parse(%q): %v", list, err)
		}
	}
	if r, err := Parse(" 10.0.0.0/8 ,, ::1 "); err != nil || len(r.trusted) != 2 {
		t.Errorf("Parse with spaces and an empty item: %v %v", r, err)
	}
}

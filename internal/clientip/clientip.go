// Package clientip finds the address of the client behind a request. A
// request that comes straight from a client carries it as the
// connection's address; one relayed by reverse proxies carries it in
// X-Forwarded-For or Forwarded, which anyone can also send, so those
// headers are believed only from proxies the operator trusts.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds client addresses. The zero Resolver, like a nil one,
// trusts no proxy: the connection's address is the client's.
type Resolver struct {
	trusted []netip.Prefix
}

// Parse reads a comma-separated list of trusted proxies, each an IP
// address or a CIDR range ("10.0.0.0/8, 192.0.2.7, fd00::/8").
func Parse(list string) (*Resolver, error) {
	r := &Resolver{}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR range", item)
			}
			r.trusted = append(r.trusted, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR range", item)
		}
		a = a.Unmap().WithZone("")
		r.trusted = append(r.trusted, netip.PrefixFrom(a, a.BitLen()))
	}
	return r, nil
}

// MustParse is Parse for lists known to be good, in tests.
func MustParse(list string) *Resolver {
	r, err := Parse(list)
	if err != nil {
		panic(err)
	}
	return r
}

// Trusts reports whether a is a trusted proxy.
func (r *Resolver) Trusts(a netip.Addr) bool {
	if r == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IP returns the client address of req as text. When the connection
// comes from a trusted proxy, the forwarding chain is read from the right
// (the hop nearest to leadflow) and the first address that is not itself
// a trusted proxy is the client's; what lies left of it was written by
// the client and may be invented. X-Forwarded-For is read when present,
// Forwarded otherwise. Without a trusted proxy in front, the headers are
// ignored.
func (r *Resolver) IP(req *http.Request) string {
	peer, ok := parseHost(req.RemoteAddr)
	if !ok {
		return req.RemoteAddr
	}
	if !r.Trusts(peer) {
		return peer.String()
	}
	chain := forwardedFor(req.Header)
	client := peer
	for i := len(chain) - 1; i >= 0; i-- {
		a, ok := parseHost(chain[i])
		if !ok {
			// "unknown", an obfuscated name, or garbage: nothing to its
			// left can be trusted, so the last hop that reported it is
			// the best address known.
			break
		}
		client = a
		if !r.Trusts(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor returns the addresses a request was forwarded for, the
// client's first and the nearest proxy's last.
func forwardedFor(h http.Header) []string {
	var chain []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, hop := range strings.Split(line, ",") {
				chain = append(chain, strings.TrimSpace(hop))
			}
		}
		return chain
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range splitOutsideQuotes(line, ',') {
			for _, pair := range splitOutsideQuotes(elem, ';') {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
					chain = append(chain, unquote(strings.TrimSpace(v)))
				}
			}
		}
	}
	return chain
}

// splitOutsideQuotes splits s at sep except inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = strings.ReplaceAll(v[1:len(v)-1], `\`, "")
	}
	return v
}

// parseHost reads an address written as an IP, an IP with a port, or a
// bracketed IPv6 address with or without a port.
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrPrivateAddress is the error of an attempt whose address is private
// or loopback, on a subscription not allowed to reach one.
var ErrPrivateAddress = errors.New("the address is private, loopback or reserved; an admin may allow private addresses for this webhook")

// notPublic are ranges outside the netip predicates that no public
// service answers on: shared address space (carrier NAT), benchmarking,
// IETF protocol assignments, documentation, and NAT64, which could reach
// a private IPv4 address.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Public says whether ip is an address on the public Internet.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// privateHost says whether a URL's host is, on its face, private: an IP
// literal that is not public, or localhost. Other names are checked when
// connecting.
func privateHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && !Public(ip)
}

// guard refuses a connection to an address that is not public; it runs
// after DNS, on the address dialled, so a name that resolves (or is
// rebound) to a private address is refused too.
func guard(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !Public(ip) {
		return fmt.Errorf("%s: %w", host, ErrPrivateAddress)
	}
	return nil
}

// transport returns the HTTP transport of deliveries: no proxy (which
// would dial for us, past the guard), and the guard unless allowPrivate.
func transport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = guard
	}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Two shared transports, so connections to a receiver are reused.
var (
	publicOnly = transport(false)
	anyAddress = transport(true)
)

// client returns the client of one attempt: redirects are not followed
// (a 3xx is a failure), as a redirect could lead anywhere.
func client(allowPrivate bool, timeout time.Duration) *http.Client {
	t := publicOnly
	if allowPrivate {
		t = anyAddress
	}
	return &http.Client{Transport: t, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

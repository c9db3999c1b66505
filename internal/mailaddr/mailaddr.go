// Package mailaddr validates and normalises email addresses, the key that
// identifies a person across leads and users.
package mailaddr

import (
	"net/mail"
	"strings"
)

// Normalize trims an address and lower-cases its domain (the local part
// is case-sensitive by the standard, so it is kept). reason is non-empty,
// and says what is wrong, when v is not a plain address.
func Normalize(v string) (addr string, reason string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", "is required"
	}
	if len(v) > 254 {
		return "", "must be at most 254 characters"
	}
	parsed, err := mail.ParseAddress(v)
	if err != nil || parsed.Address != v || parsed.Name != "" {
		return "", "is not a valid email address"
	}
	at := strings.LastIndexByte(v, '@')
	local, domain := v[:at], strings.ToLower(v[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", "needs a domain such as example.com after the @"
	}
	return local + "@" + domain, ""
}

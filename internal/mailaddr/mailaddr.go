// Package mailaddr validates and normalises email addresses, the key that
// identifies a person across leads and users.
package mailaddr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Normalize trims an address and lower-cases its domain (the local part
// is case-sensitive by the standard, so it is kept). reason is non-empty,
// and says what is wrong, when v is not an address mail can be sent to.
//
// It accepts the dot-atom form that real mailboxes use (RFC 5321/5322) and
// refuses what the standards allow but no sender should store: quoted
// local parts, comments, IP addresses or numbers as the domain, and a
// domain without a dot (a bare top-level domain has no mail server in
// practice, and "test@example" is almost always a typing slip). An
// internationalised domain (bücher.de) is stored in its ASCII form
// (xn--bcher-kva.de), which every mail server accepts; a non-ASCII local
// part is refused, as delivering it needs SMTPUTF8 at every hop.
func Normalize(v string) (addr string, reason string) {
	// Spaces around a typed address are trimmed; line breaks are refused,
	// never trimmed, as they are how mail headers get injected.
	v = strings.Trim(v, " \t")
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return "", "must be on one line"
	case v == "":
		return "", "is required"
	case len(v) > 254:
		return "", "must be at most 254 characters"
	}
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return "", "needs an @ between the name and the domain, as in name@example.com"
	}
	local, domain := v[:at], strings.ToLower(v[at+1:])
	if reason := checkLocal(local); reason != "" {
		return "", reason
	}
	domain, reason = asciiDomain(domain)
	if reason != "" {
		return "", reason
	}
	if reason := checkDomain(domain); reason != "" {
		return "", reason
	}
	return local + "@" + domain, ""
}

// atext are the characters of an unquoted local part besides letters and
// digits (RFC 5322 section 3.2.3).
const atext = "!#$%&'*+-/=?^_`{|}~"

func checkLocal(local string) string {
	if local == "" {
		return "needs a name before the @"
	}
	if len(local) > 64 {
		return "must have at most 64 characters before the @"
	}
	for _, part := range strings.Split(local, ".") {
		if part == "" {
			return "cannot start or end with a dot, or have two dots in a row, before the @"
		}
		for _, r := range part {
			if !isAlnum(r) && !strings.ContainsRune(atext, r) {
				return "has a character that is not allowed before the @: " + strconv.QuoteRune(r)
			}
		}
	}
	return ""
}

// asciiDomain turns an internationalised domain into its punycode form;
// an ASCII domain comes back unchanged.
func asciiDomain(domain string) (string, string) {
	if domain == "" || isASCII(domain) {
		return domain, ""
	}
	a, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", "has a domain that is not a valid international domain name"
	}
	return a, ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func checkDomain(domain string) string {
	if domain == "" {
		return "needs a domain after the @, as in name@example.com"
	}
	if strings.HasPrefix(domain, "[") || isIPv4(domain) {
		return "needs a domain name after the @, not an IP address"
	}
	if !strings.Contains(domain, ".") {
		return "needs a full domain after the @, with a dot, as in name@example.com"
	}
	if len(domain) > 253 {
		return "has a domain longer than 253 characters"
	}
	for _, label := range strings.Split(domain, ".") {
		switch {
		case label == "":
			return "has an empty part in the domain (two dots, or a dot at an end)"
		case len(label) > 63:
			return "has a domain part longer than 63 characters"
		case label[0] == '-' || label[len(label)-1] == '-':
			return "has a domain part that starts or ends with a hyphen"
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return "has a character that is not allowed in the domain: " + strconv.QuoteRune(r)
			}
		}
	}
	if tld := domain[strings.LastIndexByte(domain, '.')+1:]; isDigits(tld) {
		return "has a domain that ends in a number; a domain ends in letters, as in .com"
	}
	return ""
}

// isIPv4 reports whether domain looks like a dotted IP address (four
// numbers), which mail to a lead should never go to.
func isIPv4(domain string) bool {
	parts := strings.Split(domain, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if !isDigits(p) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// FreeMail are the common free email providers: an address there says
// nothing about the company.
var FreeMail = map[string]bool{}

func init() {
	for _, d := range strings.Fields(`gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de ymail.com hotmail.com
		hotmail.co.uk hotmail.fr hotmail.it outlook.com live.com msn.com aol.com icloud.com me.com mac.com gmx.com gmx.de gmx.net
		web.de mail.com mail.ru yandex.ru yandex.com protonmail.com proton.me zoho.com libero.it virgilio.it orange.fr laposte.net
		free.fr t-online.de seznam.cz wp.pl o2.pl interia.pl qq.com 163.com 126.com naver.com rediffmail.com`) {
		FreeMail[d] = true
	}
}

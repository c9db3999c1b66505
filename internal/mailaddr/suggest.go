package mailaddr

import "strings"

// bigProviders are the domains most people type; a domain one slip away
// from one of them is almost surely that one misspelt.
var bigProviders = strings.Fields(`gmail.com yahoo.com hotmail.com outlook.com icloud.com aol.com live.com
	msn.com gmx.com gmx.de gmx.net web.de mail.com mail.ru yandex.ru protonmail.com hotmail.co.uk yahoo.co.uk
	hotmail.fr hotmail.it yahoo.fr yahoo.de libero.it orange.fr t-online.de googlemail.com`)

// commonTLDs are endings that a slip of the finger turns into .con, .cmo...
var commonTLDs = strings.Fields("com net org de fr it uk ro")

// Suggest returns the address the person probably meant when addr (a
// normalised address) has a domain one typing slip (a letter wrong, missing,
// extra, or two letters swapped) away from a big mail provider, as in
// ann@gmial.com → ann@gmail.com, or a common ending misspelt, as in
// ann@gmail.con. It returns "" when there is nothing to suggest. A
// suggestion is a hint, never a reason to refuse: the typo may be real.
func Suggest(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	local, domain := addr[:at], strings.ToLower(addr[at+1:])
	if FreeMail[domain] || realNeighbours[domain] {
		return ""
	}
	for _, p := range bigProviders {
		if oneSlip(domain, p) {
			return local + "@" + p
		}
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot < 0 {
		return ""
	}
	name, tld := domain[:dot], domain[dot+1:]
	for _, t := range commonTLDs {
		if tld != t && len(tld) == 3 && len(t) == 3 && oneSlip(tld, t) && !isRealTLD(tld) {
			return local + "@" + name + "." + t
		}
	}
	return ""
}

// realNeighbours are real mail domains one slip from a big provider.
var realNeighbours = map[string]bool{"email.com": true, "gmail.de": true, "gmx.at": true, "mail.de": true}

// isRealTLD lists the three-letter endings one slip from .com, .net or .org
// that are real top-level domains.
func isRealTLD(tld string) bool {
	switch tld {
	case "cam", "ong", "new", "nec", "bom", "ngo":
		return true
	}
	return false
}

// oneSlip reports whether a and b differ by exactly one edit: a letter
// replaced, inserted, deleted, or two neighbours swapped (the optimal
// string alignment distance is 1).
func oneSlip(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff := -1
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				if diff >= 0 {
					// a second difference is fine only as the swap of the first
					return i == diff+1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
				}
				diff = i
			}
		}
		return true
	case la == lb+1:
		return deletesTo(a, b)
	case lb == la+1:
		return deletesTo(b, a)
	}
	return false
}

// deletesTo reports whether removing one byte from long gives short.
func deletesTo(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

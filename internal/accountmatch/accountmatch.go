// Package accountmatch links a new lead to the account its company
// already is, before anyone converts it: by the domain of its website or
// work email, or by its company name reduced to a key. The rules are
// plain functions over the lead's text; the lookups use the indexes on
// accounts.domain and accounts.name_key, so a link costs two or three
// index probes whatever the number of accounts.
package accountmatch

import (
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"

	"leadflow/internal/mailaddr"
)

// What a link was made on.
const (
	ByWebsite = "website"      // the lead's website's domain is the account's
	ByEmail   = "email_domain" // the lead's work email's domain is the account's
	ByCompany = "company_name" // the lead's company name reduces to the account's
)

// Describe says in words what a link was made on, for the pages.
func Describe(by, value string) string {
	switch by {
	case ByWebsite:
		return "website domain " + value
	case ByEmail:
		return "email domain " + value
	case ByCompany:
		return "company name “" + value + "”"
	}
	return by + " " + value
}

// Candidate is what a lead says about its company.
type Candidate struct {
	Email, Website, Company string
}

// Key is one value an account may be found by, in the order tried.
type Key struct {
	By    string // ByWebsite, ByEmail or ByCompany
	Value string // a domain, or a name key
}

// Keys lists what c may match an account on, surest first: the website's
// domain, then the email's, each followed by its parent domains down to
// the registrable one (mail.acme.co.uk belongs to acme.co.uk), then the company
// name's key. A free-mail address says nothing about the company and
// gives no key; a look-alike domain (acme-corp.com, acme.co) is a
// different string and never finds acme.com.
func Keys(c Candidate) []Key {
	var keys []Key
	seen := map[string]bool{}
	addDomain := func(by, d string) {
		if d == "" || mailaddr.FreeMail[d] {
			return
		}
		// The registrable domain (acme.co.uk, not co.uk) is the last
		// one tried: a public suffix is nobody's company.
		root, err := publicsuffix.EffectiveTLDPlusOne(d)
		if err != nil {
			return
		}
		for {
			if !seen[d] {
				seen[d] = true
				keys = append(keys, Key{By: by, Value: d})
			}
			if d == root {
				return
			}
			_, d, _ = strings.Cut(d, ".")
		}
	}
	addDomain(ByWebsite, DomainOf(c.Website, ""))
	addDomain(ByEmail, DomainOf("", c.Email))
	if k := NameKey(c.Company); k != "" {
		keys = append(keys, Key{By: ByCompany, Value: k})
	}
	return keys
}

// DomainOf is the company domain of a website, or failing that of a
// work email address: the host in lower case without "www.". Free-mail
// addresses say nothing about the company and give "".
func DomainOf(website, email string) string {
	if website != "" {
		w := website
		if !strings.Contains(w, "://") {
			w = "https://" + w
		}
		if u, err := url.Parse(w); err == nil && strings.Contains(u.Hostname(), ".") {
			return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
	}
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		d := strings.ToLower(strings.TrimSpace(email[at+1:]))
		if !mailaddr.FreeMail[d] && strings.Contains(d, ".") {
			return d
		}
	}
	return ""
}

// legalForms are the endings a company name carries in some places and
// not in others; "ACME GmbH", "Acme" and "acme, inc." are one company.
var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "corp": true, "corporation": true, "co": true, "company": true,
	"llc": true, "ltd": true, "limited": true, "plc": true, "gmbh": true, "ag": true, "kg": true,
	"sa": true, "sas": true, "sarl": true, "srl": true, "spa": true, "bv": true, "nv": true, "oy": true,
	"ab": true, "as": true, "aps": true, "pty": true, "kk": true, "se": true, "group": true,
}

// NameKey reduces a company name for matching: lower case, letters and
// digits only, legal forms dropped.
func NameKey(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&'
	})
	for len(words) > 1 && legalForms[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

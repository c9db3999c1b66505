package identity

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s, strips accents (Ştefan → stefan), turns punctuation
// into spaces and collapses runs of spaces, so that the ways people type
// one name compare equal.
func fold(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'':
			continue // o'brien = obrien
		default:
			space = true
		}
	}
	return b.String()
}

// letters is fold without spaces: "di chiera" and "dichiera" are one name.
func letters(s string) string { return strings.ReplaceAll(fold(s), " ", "") }

// digits keeps only the digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// phoneKey is the last nine digits of a phone: the national number
// without its country code or trunk prefix, for numbers typed both ways.
// Fewer than seven digits is no phone.
func phoneKey(s string) string {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i] // an extension is not the line
	}
	d := digits(s)
	if len(d) < 7 {
		return ""
	}
	if len(d) > 9 {
		d = d[len(d)-9:]
	}
	return d
}

// emailLocal is the mailbox part of an address, lower-cased, without a
// +tag and, as people add and drop them, without dots; "" for a shared
// mailbox (info@, sales@), which says nothing about a person.
func emailLocal(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return ""
	}
	l := strings.ToLower(e[:at])
	if i := strings.IndexByte(l, '+'); i > 0 {
		l = l[:i]
	}
	l = strings.ReplaceAll(l, ".", "")
	if roleMailbox[l] {
		return ""
	}
	return l
}

// roleMailbox are the mailbox names of a company's shared addresses.
var roleMailbox = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`info contact contacts sales office admin hello support mail team marketing hr jobs
		careers billing accounts accounting noreply no-reply webmaster enquiries inquiries service help press secretariat
		kontakt vanzari birou ufficio vendite post`) {
		roleMailbox[w] = true
	}
}

// companyStop are words that say what kind of company, not which.
var companyStop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`inc ltd llc gmbh ag sa srl sas sarl bv nv spa plc co corp corporation company
		limited the and of group holding holdings international intl s r l`) {
		companyStop[w] = true
	}
}

// companyTokens are the words of a company name that tell it apart.
func companyTokens(s string) []string {
	var out []string
	for _, w := range strings.Fields(fold(s)) {
		if !companyStop[w] {
			out = append(out, w)
		}
	}
	return out
}

// birthDigits reads a date as YYYYMMDD, or "" when it is not one.
func birthDigits(s string) string {
	d := digits(s)
	if len(d) != 8 {
		return ""
	}
	return d
}

// Package textcheck refuses input that cannot be kept as text: bytes
// that are not UTF-8, and the NUL character, which PostgreSQL's text
// type cannot hold (SQLite would keep it, so both refuse it alike).
// The HTTP adapters and the CSV import check here, where input enters.
package textcheck

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/fault"
)

// Reasons given for a refused value.
const (
	NotUTF8 = "is not valid UTF-8 text"
	HasNUL  = "must not contain a NUL character"
)

// Problem says why s cannot be kept as text, or "" when it can.
func Problem(s string) string {
	if !utf8.ValidString(s) {
		return NotUTF8
	}
	if strings.IndexByte(s, 0) >= 0 {
		return HasNUL
	}
	return ""
}

// Name is how a field is named in an answer: as sent when it is text,
// quoted with escapes when the name itself is not.
func Name(s string) string {
	if Problem(s) == "" {
		return s
	}
	return strconv.QuoteToASCII(s)
}

// Values adds to bad the reason for every name or value of v that cannot
// be kept as text.
func Values(v url.Values, bad fault.Fields) {
	for k, vs := range v {
		if p := Problem(k); p != "" {
			bad.Add(Name(k), "the field name "+p)
			continue
		}
		for _, s := range vs {
			if p := Problem(s); p != "" {
				bad.Add(k, p)
				break
			}
		}
	}
}

// Form returns an Invalid error naming every field of v that cannot be
// kept as text, or nil.
func Form(v url.Values) error {
	bad := fault.Fields{}
	Values(v, bad)
	return bad.Err()
}

// Package privacy answers requests about a person's data: export
// everything leadflow holds about an email address, or erase it
// everywhere. Both are for admins only.
package privacy

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Service exports and erases people's data.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewService returns a Service on db.
func NewService(db *sqldb.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// check refuses anyone but an admin: an export or an erasure reaches
// every record of a person, whoever owns it.
func check(a access.Actor) error {
	if !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "exporting and erasing a person's data is for admins")
	}
	return nil
}

// normalize returns the email lowercased and trimmed, or an Invalid error
// when it cannot be an address: a search for "" or "a" would match
// everyone.
func normalize(email string) (string, error) {
	e := asciiLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(e, " \t\r\n\x00") {
		return "", &fault.Error{Code: fault.Invalid, Message: "enter the person's email address",
			Fields: map[string]string{"email": "must be an email address"}}
	}
	return e, nil
}

// Hash is the SHA-256 of the lowercased email, in hex: what an erasure
// keeps so that the address can be recognised later without being stored.
func Hash(email string) string {
	sum := sha256.Sum256([]byte(asciiLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// mentions reports whether text holds email (lowercase) as a whole
// address, not inside a longer one: "bob@x.io" is not in "jimbob@x.io"
// nor in "bob@x.io.evil".
func mentions(text, email string) bool {
	return len(findAll(asciiLower(text), email)) > 0
}

// asciiLower lowercases A-Z only, as SQLite's lower() does, and keeps
// every byte where it was, so offsets found in it hold in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// findAll returns the offsets in lower (already lowercased) where email
// stands as a whole address.
func findAll(lower, email string) []int {
	var at []int
	for from := 0; ; {
		i := strings.Index(lower[from:], email)
		if i < 0 {
			return at
		}
		i += from
		end := i + len(email)
		if (i == 0 || !addressByte(lower[i-1])) && (end == len(lower) || !addressByte(lower[end]) || lower[end] == '.' && (end+1 == len(lower) || !addressByte(lower[end+1]))) {
			at = append(at, i)
		}
		from = i + 1
	}
}

// addressByte reports whether b may be part of an email address.
func addressByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80 ||
		strings.IndexByte(".!#$%&'*+/=?^_`{|}~-@", b) >= 0
}

// redact replaces every whole mention of email in text with "[erased]".
func redact(text, email string) string {
	at := findAll(asciiLower(text), email)
	if len(at) == 0 {
		return text
	}
	var b strings.Builder
	prev := 0
	for _, i := range at {
		b.WriteString(text[prev:i])
		b.WriteString("[erased]")
		prev = i + len(email)
	}
	b.WriteString(text[prev:])
	return b.String()
}

// likePattern is a LIKE pattern finding email anywhere in lowercased text.
func likePattern(email string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(email) + "%"
}

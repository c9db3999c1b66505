package leadcsv

import (
	"slices"
	"strings"

	"leadflow/internal/i18n"
)

// A spreadsheet opening a CSV runs a cell that begins with =, +, - or @
// as a formula (and tab or carriage return can hide such a start), so a
// value planted through a public form could run in an admin's
// spreadsheet. Every CSV leadflow writes prefixes such a cell with a
// single quote, which spreadsheets read as "text follows" (the OWASP
// advice). A cell that already begins with a quote gets one more, so that
// reading a file leadflow wrote removes exactly one quote from every cell
// that begins with one, and each value comes back as it was.

// Neutralise returns s as a cell no spreadsheet evaluates.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// NeutraliseAll returns cells with each one neutralised.
func NeutraliseAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Neutralise(c)
	}
	return out
}

// restore undoes Neutralise.
func restore(s string) string { return strings.TrimPrefix(s, "'") }

// ownBefore is the own format's header before it had the salutation and
// address columns, so exports made then still read back as written.
var ownBefore = Own[:len(Own)-4]

// Written reports whether header is that of a file leadflow wrote, whose
// cells are neutralised: its own export, or a rejected-rows file (any
// columns, then line and reason, in any language leadflow writes them).
func Written(header []string) bool {
	if slices.Equal(header, Own) || slices.Equal(header, ownBefore) {
		return true
	}
	n := len(header)
	return n >= 2 && rejectColumns[[2]string{header[n-2], header[n-1]}]
}

// rejectColumns are the names of a rejected-rows file's last two columns
// in each language leadflow writes it in.
var rejectColumns = func() map[[2]string]bool {
	m := map[[2]string]bool{}
	for _, lang := range i18n.Langs {
		l := i18n.For(lang)
		m[[2]string{l.T("imp.col_line"), l.T("imp.col_reason")}] = true
	}
	return m
}()

package web

import (
	"net/http"
	"slices"
	"strings"

	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/report"
)

// namedSources are the sources the catalogs name ("code.paid_search"),
// which the forms offer beside those the leads and the spend already have.
var namedSources = []string{"web", "form", "api", "import", "referral", "event", "social", "email", "paid_search", "organic_search", "paid_social"}

// sourceNames turns the sources leadflow keeps as codes ("paid_search")
// into the names the pages show ("Ricerca a pagamento") and back, so a
// source typed or kept by its name is stored as the source it names, not
// as a new one beside it.
type sourceNames struct {
	// known are the sources the forms offer, in the order a name is
	// matched against them: the catalogs' own, then other codes, then
	// sources typed as free text (a name shared by "paid search" and
	// paid_search names paid_search).
	known []string
	l, en *i18n.Locale
}

// sourceNames reads the sources the leads and the channels' spend have.
func (h *Web) sourceNames(r *http.Request) (sourceNames, error) {
	spends, err := h.Reports.Spends(r.Context())
	if err != nil {
		return sourceNames{}, err
	}
	return h.sourceNamesWith(r, spends)
}

// sourceNamesWith is sourceNames for a page that has read the spend.
func (h *Web) sourceNamesWith(r *http.Request, spends []report.Spend) (sourceNames, error) {
	f, err := h.Leads.Facets(r.Context())
	if err != nil {
		return sourceNames{}, err
	}
	var codes, free []string
	add := func(s string) {
		switch {
		case s == "" || slices.Contains(namedSources, s):
		case codeWord.MatchString(s):
			codes = append(codes, s)
		default:
			free = append(free, s)
		}
	}
	for _, s := range f.Sources {
		add(s)
	}
	for _, sp := range spends {
		add(sp.Source)
	}
	slices.Sort(codes)
	slices.Sort(free)
	known := slices.Concat(namedSources, slices.Compact(codes), slices.Compact(free))
	return sourceNames{known: known, l: i18n.From(r.Context()), en: i18n.For(i18n.Default)}, nil
}

// code is the source typed names: a source itself, else the known
// source whose name it is in the reader's language or in English, else
// what was typed (a new source).
func (s sourceNames) code(typed string) string {
	t := strings.TrimSpace(typed)
	if i := slices.IndexFunc(s.known, func(k string) bool { return strings.EqualFold(k, t) }); i >= 0 {
		return s.known[i]
	}
	for _, k := range s.known {
		if strings.EqualFold(t, localHuman(s.l, k)) || strings.EqualFold(t, localHuman(s.en, k)) {
			return k
		}
	}
	return typed
}

// name is how the forms show source code: by its name where the name
// reads back as the same source, else as stored.
func (s sourceNames) name(code string) string {
	if n := localHuman(s.l, code); s.code(n) == code {
		return n
	}
	return code
}

// names are the forms' suggestions: every known source by name.
func (s sourceNames) names() []string {
	out := make([]string, len(s.known))
	for i, k := range s.known {
		out[i] = s.name(k)
	}
	return out
}

// storedSource stores the source typed on the lead form by its code. A
// source kept as the form showed it stays the one stored (shown), even
// where its name is also another's.
func (s sourceNames) storedSource(c, shown lead.Changes) {
	typed, ok := c[lead.FSource]
	if !ok || strings.TrimSpace(typed) == "" {
		return
	}
	if was, ok := shown[lead.FSource]; ok && strings.TrimSpace(typed) == s.name(was) {
		c[lead.FSource] = was
		return
	}
	c[lead.FSource] = s.code(typed)
}

package web

import (
	"io/fs"
	"strings"
	"testing"

	"leadflow/internal/activity"
	"leadflow/internal/i18n"
	"leadflow/internal/scoring"
)

// The labels an error summary names fields by are kept beside the
// templates, by hand: each must be a message the catalogs hold and, but
// for the summary's own words (errf.*), one a template shows, so that a
// label renamed or dropped from its form fails here rather than leaving
// the summary naming a field by words the page does not use.
func TestErrorSummaryLabelsAreTheFormsOwn(t *testing.T) {
	var pages strings.Builder
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(path)
		pages.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	shown := pages.String()
	for form, fields := range errorFields {
		for field, id := range fields {
			if !i18n.Has(id) {
				t.Errorf("%s: %s is labelled by %q, which no catalog holds", form, field, id)
			}
			// errf.* name fields a form shows without a label of their
			// own (a condition row's selects): the summary's own words.
			if !strings.HasPrefix(id, "errf.") && !strings.Contains(shown, `"`+id+`"`) {
				t.Errorf("%s: %s is labelled by %q, which no template shows", form, field, id)
			}
		}
	}
	for _, row := range rowPrefixes {
		if !i18n.Has(row.id) {
			t.Errorf("rows %q are named by %q, which no catalog holds", row.prefix, row.id)
		}
	}
}

// Every event a rule can score on, and every kind of record an activity
// is linked to, has a name in the catalogs, so that pages never show one
// as its code or in English.
func TestEveryEventTypeHasAName(t *testing.T) {
	for _, e := range scoring.EventTypes {
		if !i18n.Has("code." + e) {
			t.Errorf("event %q has no name (code.%s) in the catalogs", e, e)
		}
	}
	for _, k := range activity.LinkTypes {
		if !i18n.Has("act.link." + k) {
			t.Errorf("an activity's link to a %s has no name (act.link.%s) in the catalogs", k, k)
		}
	}
}

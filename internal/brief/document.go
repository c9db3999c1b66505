package brief

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/pdf"
)

// Document is a brief as a vendor or analyst reads it: the client, the
// need, the constraints and the features, in words.
type Document struct {
	Lead    lead.Lead
	Request Request
	// Facts are the brief's lines by section, in order: Client, Need,
	// Constraints.
	Sections []Section
	MustHave []string // feature names
	Nice     []string
	Made     time.Time
	// loc is the language the brief is written in.
	loc *i18n.Locale
}

// Section is a titled list of label and value pairs.
type Section struct {
	Title string
	Facts [][2]string
}

// Brief assembles lead leadID's brief from its request, in the language
// ctx carries (the reader's on a page, English in the API).
func (s *Service) Brief(ctx context.Context, a access.Actor, leadID int64) (Document, error) {
	return s.BriefIn(ctx, a, leadID, i18n.From(ctx))
}

// BriefIn is Brief written in loc's language.
func (s *Service) BriefIn(ctx context.Context, a access.Actor, leadID int64, loc *i18n.Locale) (Document, error) {
	l, err := s.leads.Get(ctx, a, leadID)
	if err != nil {
		return Document{}, err
	}
	r, err := get(ctx, s.db.R, leadID)
	if err != nil {
		return Document{}, err
	}
	names, err := s.catalog.FeatureNames(ctx)
	if err != nil {
		return Document{}, err
	}
	return ComposeIn(l, r, names, s.now().UTC(), loc), nil
}

// Compose writes the brief of l's request r in English; names maps
// feature keys to names.
func Compose(l lead.Lead, r Request, names map[string]string, made time.Time) Document {
	return ComposeIn(l, r, names, made, i18n.For(i18n.Default))
}

// ComposeIn writes the brief of l's request r in loc's language. It names
// the company and the contact person, never their email or phone: a
// brief goes to vendors.
func ComposeIn(l lead.Lead, r Request, names map[string]string, made time.Time, loc *i18n.Locale) Document {
	d := Document{Lead: l, Request: r, Made: made, loc: loc}
	add := func(s *Section, label, value string) {
		if strings.TrimSpace(value) != "" {
			s.Facts = append(s.Facts, [2]string{loc.T(label), value})
		}
	}
	client := Section{Title: loc.T("bdoc.client")}
	add(&client, "bdoc.company", l.Company)
	add(&client, "bdoc.contact", strings.TrimSpace(l.FirstName+" "+l.LastName))
	add(&client, "bdoc.role", l.JobTitle)
	add(&client, "bdoc.industry", firstOf(r.Industry, l.Industry))
	where := l.City
	if c := loc.Country(l.Country); c != "" && c != l.Country {
		where = strings.Trim(where+", "+c, ", ")
	}
	add(&client, "bdoc.location", where)
	if l.Employees != nil {
		add(&client, "bdoc.employees", loc.Number(int64(*l.Employees)))
	}
	need := Section{Title: loc.T("bdoc.need")}
	add(&need, "bdoc.application", r.Category)
	add(&need, "bdoc.deployment", strings.Join(r.Deployments, " "+loc.T("bdoc.or")+" "))
	add(&need, "bdoc.users", loc.T("bdoc.licences", "Count", r.Licences))
	if r.Timeline != "" {
		add(&need, "bdoc.timeline", TimelineIn(loc, r.Timeline))
	}
	add(&need, "bdoc.in_their_words", r.Notes)
	cons := Section{Title: loc.T("bdoc.constraints")}
	if r.Budget > 0 {
		per := loc.T("bdoc.per_" + string(r.BudgetPeriod))
		add(&cons, "bdoc.budget", loc.T("bdoc.budget_over", "Amount", money(loc, r.Budget, r.Currency), "Per", per,
			"Total", money(loc, r.BudgetTotal(), r.Currency), "Count", r.HorizonMonths()))
	} else {
		add(&cons, "bdoc.budget", loc.T("bdoc.not_said"))
	}
	add(&cons, "bdoc.integrations", strings.Join(r.Integrations, ", "))
	add(&cons, "bdoc.languages", strings.Join(r.Languages, ", "))
	d.Sections = []Section{client, need, cons}
	for _, k := range r.MustHave {
		d.MustHave = append(d.MustHave, firstOf(names[k], k))
	}
	for _, k := range r.NiceToHave {
		d.Nice = append(d.Nice, firstOf(names[k], k))
	}
	return d
}

// money writes minor units of cur as loc writes money, cents only when
// there are some.
func money(loc *i18n.Locale, minor int64, cur string) string {
	if minor%100 == 0 {
		return loc.Money(big.NewInt(minor/100), cur)
	}
	return loc.MoneyMinor(big.NewInt(minor), cur, 2)
}

// TimelineIn is the label of a timeline key in loc's language, or the
// key itself.
func TimelineIn(loc *i18n.Locale, key string) string {
	return loc.Or("timeline."+key, key)
}

// lang is the brief's language, English for a Document made by hand.
func (d Document) lang() *i18n.Locale {
	if d.loc == nil {
		return i18n.For(i18n.Default)
	}
	return d.loc
}

// Title is the brief's heading.
func (d Document) Title() string {
	return d.lang().T("bdoc.heading", "Category", d.Request.Category, "Client", firstOf(d.Lead.Company, d.Lead.Name()))
}

// PDF writes the brief as a one-page (for a usual request) PDF.
func (d Document) PDF() ([]byte, error) {
	f := pdf.New(d.Title(), d.Made)
	f.SetFont(pdf.Family, "B", 16)
	f.MultiCell(0, 8, d.Title(), "", "L", false)
	f.SetFont(pdf.Family, "", 8)
	f.SetTextColor(110, 110, 120)
	f.CellFormat(0, 5, d.lang().T("brief.title")+" · "+d.lang().Date(d.Made), "", 1, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	heading := func(s string) {
		f.Ln(3)
		f.SetFont(pdf.Family, "B", 11)
		f.CellFormat(0, 7, s, "B", 1, "L", false, 0, "")
		f.Ln(1)
	}
	for _, s := range d.Sections {
		heading(s.Title)
		for _, fact := range s.Facts {
			f.SetFont(pdf.Family, "B", 9)
			f.CellFormat(38, 5.5, fact[0], "", 0, "L", false, 0, "")
			f.SetFont(pdf.Family, "", 10)
			f.MultiCell(0, 5.5, fact[1], "", "L", false)
		}
	}
	heading(d.lang().T("bdoc.features"))
	list := func(label string, items []string) {
		f.SetFont(pdf.Family, "B", 9)
		f.CellFormat(38, 5.5, label, "", 0, "L", false, 0, "")
		f.SetFont(pdf.Family, "", 10)
		if len(items) == 0 {
			items = []string{d.lang().T("brief.none_said")}
		}
		f.MultiCell(0, 5.5, "• "+strings.Join(items, "\n• "), "", "L", false)
	}
	list(d.lang().T("brief.must_have"), d.MustHave)
	list(d.lang().T("brief.nice_to_have"), d.Nice)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("brief: pdf of lead %d: %w", d.Lead.ID, err)
	}
	return buf.Bytes(), nil
}

// Text writes the brief as plain text, for an email.
func (d Document) Text() string {
	var b strings.Builder
	b.WriteString(d.Title() + "\n\n")
	for _, s := range d.Sections {
		b.WriteString(strings.ToUpper(s.Title) + "\n")
		for _, f := range s.Facts {
			fmt.Fprintf(&b, "  %-15s %s\n", f[0]+":", strings.ReplaceAll(f[1], "\n", "\n"+strings.Repeat(" ", 18)))
		}
		b.WriteString("\n")
	}
	b.WriteString(strings.ToUpper(d.lang().T("bdoc.features")) + "\n")
	for _, l := range []struct {
		label string
		items []string
	}{{d.lang().T("brief.must_have"), d.MustHave}, {d.lang().T("brief.nice_to_have"), d.Nice}} {
		fmt.Fprintf(&b, "  %s:\n", l.label)
		if len(l.items) == 0 {
			b.WriteString("    " + d.lang().T("brief.none_said") + "\n")
		}
		for _, it := range l.items {
			b.WriteString("    - " + it + "\n")
		}
	}
	return b.String()
}

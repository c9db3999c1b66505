package brief

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/country"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
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
}

// Section is a titled list of label and value pairs.
type Section struct {
	Title string
	Facts [][2]string
}

// Brief assembles lead leadID's brief from its request.
func (s *Service) Brief(ctx context.Context, a access.Actor, leadID int64) (Document, error) {
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
	return Compose(l, r, names, s.now().UTC()), nil
}

// Compose writes the brief of l's request r; names maps feature keys to
// names. It names the company and the contact person, never their email
// or phone: a brief goes to vendors.
func Compose(l lead.Lead, r Request, names map[string]string, made time.Time) Document {
	d := Document{Lead: l, Request: r, Made: made}
	add := func(s *Section, label, value string) {
		if strings.TrimSpace(value) != "" {
			s.Facts = append(s.Facts, [2]string{label, value})
		}
	}
	client := Section{Title: "Client"}
	add(&client, "Company", l.Company)
	add(&client, "Contact", strings.TrimSpace(l.FirstName+" "+l.LastName))
	add(&client, "Role", l.JobTitle)
	add(&client, "Industry", firstOf(r.Industry, l.Industry))
	where := l.City
	if c := country.Name(l.Country); c != "" {
		where = strings.Trim(where+", "+c, ", ")
	}
	add(&client, "Location", where)
	if l.Employees != nil {
		add(&client, "Employees", fmt.Sprint(*l.Employees))
	}
	need := Section{Title: "Need"}
	add(&need, "Application", r.Category)
	add(&need, "Deployment", strings.Join(r.Deployments, " or "))
	add(&need, "Users", fmt.Sprintf("%d licences", r.Licences))
	add(&need, "Timeline", TimelineLabel(r.Timeline))
	add(&need, "In their words", r.Notes)
	cons := Section{Title: "Constraints"}
	if r.Budget > 0 {
		per := "a " + string(r.BudgetPeriod)
		if r.BudgetPeriod == matching.Once {
			per = "one-off"
		}
		add(&cons, "Budget", fmt.Sprintf("%s %s; %s over %d months", matching.Money(r.Budget, r.Currency), per,
			matching.Money(r.BudgetTotal(), r.Currency), r.HorizonMonths()))
	} else {
		add(&cons, "Budget", "not said")
	}
	add(&cons, "Integrations", strings.Join(r.Integrations, ", "))
	add(&cons, "Languages", strings.Join(r.Languages, ", "))
	d.Sections = []Section{client, need, cons}
	for _, k := range r.MustHave {
		d.MustHave = append(d.MustHave, firstOf(names[k], k))
	}
	for _, k := range r.NiceToHave {
		d.Nice = append(d.Nice, firstOf(names[k], k))
	}
	return d
}

// Title is the brief's heading.
func (d Document) Title() string {
	return fmt.Sprintf("Brief: %s for %s", d.Request.Category, firstOf(d.Lead.Company, d.Lead.Name()))
}

// PDF writes the brief as a one-page (for a usual request) PDF.
func (d Document) PDF() ([]byte, error) {
	f := pdf.New(d.Title(), d.Made)
	f.SetFont(pdf.Family, "B", 16)
	f.MultiCell(0, 8, d.Title(), "", "L", false)
	f.SetFont(pdf.Family, "", 8)
	f.SetTextColor(110, 110, 120)
	f.CellFormat(0, 5, "Software request brief · "+d.Made.Format("2 January 2006"), "", 1, "L", false, 0, "")
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
	heading("Features")
	list := func(label string, items []string) {
		f.SetFont(pdf.Family, "B", 9)
		f.CellFormat(38, 5.5, label, "", 0, "L", false, 0, "")
		f.SetFont(pdf.Family, "", 10)
		if len(items) == 0 {
			items = []string{"none said"}
		}
		f.MultiCell(0, 5.5, "• "+strings.Join(items, "\n• "), "", "L", false)
	}
	list("Must have", d.MustHave)
	list("Nice to have", d.Nice)
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
	b.WriteString("FEATURES\n")
	for _, l := range []struct {
		label string
		items []string
	}{{"Must have", d.MustHave}, {"Nice to have", d.Nice}} {
		fmt.Fprintf(&b, "  %s:\n", l.label)
		if len(l.items) == 0 {
			b.WriteString("    none said\n")
		}
		for _, it := range l.items {
			b.WriteString("    - " + it + "\n")
		}
	}
	return b.String()
}

package brief_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leadflow/internal/brief"
	"leadflow/internal/dbtest"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
)

// pdfText extracts the text of a PDF with poppler's pdftotext, as a
// reader's copy and paste would; the test command installs it.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		dbtest.Unavailable(t, "PDF TEXT NOT CHECKED: no pdftotext (install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "brief.pdf")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// A brief for a Romanian shop, with Norwegian and Italian words in it,
// prints every letter as itself, and says who, what, within which limits
// and with which features, and nothing a vendor must not get.
func TestBriefPDFPrintsEveryLetter(t *testing.T) {
	employees := int64(42)
	l := lead.Lead{ID: 7, FirstName: "Ștefan", LastName: "Țăran", Email: "stefan@florarie.example", Phone: "+40712345678",
		Company: "Florăria Înflorită", JobTitle: "Administrator", Country: "RO", City: "Iași", Employees: &employees}
	r := brief.Request{LeadID: 7, Timeline: "3m", Notes: "Livrări în weekend; Bjørn på lageret i Tromsø; perché è urgente.",
		Request: matching.Request{Industry: "retail", Category: "crm", Deployments: []string{"cloud", "mobile"}, Licences: 12,
			Budget: 400000, Currency: "EUR", BudgetPeriod: matching.Year, Horizon: 24, MustHave: []string{"contacts", "e-invoicing"},
			NiceToHave: []string{"mobile-app"}, Integrations: []string{"smartbill"}, Languages: []string{"ro"}}}
	names := map[string]string{"contacts": "Contact management", "e-invoicing": "E-invoicing (e-Factura)", "mobile-app": "Mobile app"}
	doc, err := brief.Compose(l, r, names, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)).PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", doc[:20])
	}
	text := pdfText(t, doc)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Brief: crm for Florăria Înflorită", "Ștefan Țăran", "Iași, Romania", "Livrări în weekend",
		"Bjørn på lageret i Tromsø", "perché è urgente", "12 licences", "Within 3 months", "4,000 EUR a year; 8,000 EUR over 24 months",
		"Contact management", "E-invoicing (e-Factura)", "Mobile app", "smartbill", "cloud or mobile"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{"stefan@florarie.example", "+40712345678"} {
		if strings.Contains(text, secret) {
			t.Errorf("the brief gives away %s", secret)
		}
	}
	if len(doc) > 200_000 {
		t.Errorf("the PDF is %d bytes: the fonts should be subset", len(doc))
	}
}

package invoice_test

import (
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"leadflow/internal/crm"
	"leadflow/internal/dbtest"
	"leadflow/internal/fixture"
	"leadflow/internal/i18n"
	"leadflow/internal/invoice"
)

// einvoice finds a file of the official EN 16931 material (the
// validation rules compiled to XSLT, and example documents, under the
// EUPL 1.2): the shared data set's, else the copy in testdata.
func einvoice(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(fixture.Path(t, "einvoice/"+name, "testdata/einvoice/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// saxon finds Saxon-HE, which runs the EN 16931 rules (XSLT 2.0); the
// test command installs it.
func saxon(t *testing.T) string {
	t.Helper()
	jar := os.Getenv("LEADFLOW_SAXON")
	if jar == "" {
		jar = "/usr/share/java/Saxon-HE.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		dbtest.Unavailable(t, "Saxon-HE (apt-get install libsaxonhe-java) is not installed: the EN 16931 rules cannot run")
	}
	if _, err := exec.LookPath("java"); err != nil {
		dbtest.Unavailable(t, "java is not installed: the EN 16931 rules cannot run")
	}
	return jar
}

var failedAssert = regexp.MustCompile(`(?s)<svrl:failed-assert[^>]*id="([^"]*)"[^>]*flag="([^"]*)".*?<svrl:text>(.*?)</svrl:text>`)

// finding is one failed assert of the rules.
type finding struct{ id, flag, text string }

// rules runs the EN 16931 rules over every document in docs (name →
// XML) at once, and returns each document's failed asserts.
func rules(t *testing.T, docs map[string][]byte) map[string][]finding {
	t.Helper()
	jar := saxon(t)
	in, out := t.TempDir(), t.TempDir()
	for name, body := range docs {
		if err := os.WriteFile(filepath.Join(in, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	xslt := einvoice(t, "EN16931-UBL-validation.xslt")
	cmd := exec.Command("java", "-cp", jar, "net.sf.saxon.Transform", "-s:"+in, "-xsl:"+xslt, "-o:"+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("saxon: %v\n%s", err, msg)
	}
	found := map[string][]finding{}
	for name := range docs {
		report, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("no report for %s: %v", name, err)
		}
		if !strings.Contains(string(report), "schematron-output") {
			t.Fatalf("the report for %s is not a validation report", name)
		}
		for _, m := range failedAssert.FindAllStringSubmatch(string(report), -1) {
			found[name] = append(found[name], finding{m[1], m[2], m[3]})
		}
	}
	return found
}

// validate fails the test for each fatal failed assert in docs, and
// logs the warnings.
func validate(t *testing.T, docs map[string][]byte) {
	t.Helper()
	for name, fs := range rules(t, docs) {
		for _, f := range fs {
			if f.flag == "fatal" {
				t.Errorf("%s breaks %s: %s\n%s", name, f.id, f.text, docs[name])
			} else {
				t.Logf("%s: warning %s: %s", name, f.id, f.text)
			}
		}
	}
}

// The rules themselves catch a broken document, as this test reads
// their report: the check cannot pass by running nothing.
func TestEN16931RulesCatchABrokenDocument(t *testing.T) {
	body, err := os.ReadFile(einvoice(t, "ubl-tc434-example1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(body), `<cbc:PayableAmount currencyID="EUR">250.33</cbc:PayableAmount>`, `<cbc:PayableAmount currencyID="EUR">250.34</cbc:PayableAmount>`, 1)
	found := rules(t, map[string][]byte{"example.xml": body, "broken.xml": []byte(broken)})
	if len(found["example.xml"]) != 0 {
		t.Errorf("the official example fails the rules: %v", found["example.xml"])
	}
	if !slices.ContainsFunc(found["broken.xml"], func(f finding) bool { return f.id == "BR-CO-16" && f.flag == "fatal" }) {
		t.Errorf("a payable amount one cent off passes the rules: %v", found["broken.xml"])
	}
}

// Every kind of document leadflow issues passes the EN 16931 rules: an
// invoice with several rates, discounts, a document allowance and a
// return; reverse charge; an intra-community supply; export; one not
// subject to VAT; a partial credit note and the credit note of a void.
func TestEInvoicesPassEN16931(t *testing.T) {
	w := setup(t, dbtest.SQLite(t))
	docs := map[string][]byte{}
	add := func(name string, i invoice.Invoice) {
		t.Helper()
		body, err := invoice.UBL(i)
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = body
	}
	issue := func(lines ...invoice.LineInput) invoice.Invoice {
		t.Helper()
		i, err := w.inv.Issue(w.ctx, w.ann, w.draft(t, w.ann, lines...).ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	mixed := w.draft(t, w.ann, consulting,
		invoice.LineInput{Name: "Manual tipărit", Quantity: "4", UnitPrice: "19.99", Discount: "10", Category: "S", Rate: "9"},
		invoice.LineInput{Name: "Licență returnată", Quantity: "-1", UnitPrice: "100", Category: "S", Rate: "19"},
		invoice.LineInput{Name: "Training (exempt)", Quantity: "1.5", UnitPrice: "333.3333", Category: "E", Reason: "Scutit conform art. 292"})
	mixed, err := w.inv.AddAllowance(w.ctx, w.ann, mixed.ID, invoice.AllowanceInput{Reason: "Discount fidelitate", Amount: "25.50", Category: "S", Rate: "19"})
	if err != nil {
		t.Fatal(err)
	}
	if mixed, err = w.inv.UpdateDraft(w.ctx, w.ann, mixed.ID, invoice.DraftInput{BuyerReference: "PO-4471", Note: "Mulțumim! Tusen takk!"}); err != nil {
		t.Fatal(err)
	}
	if mixed, err = w.inv.Issue(w.ctx, w.ann, mixed.ID, "2026-11-30"); err != nil {
		t.Fatal(err)
	}
	add("mixed.xml", mixed)
	add("reverse-charge.xml", issue(invoice.LineInput{Name: "Audit", Quantity: "1", UnitPrice: "1200", Category: "AE"}))
	add("intra-community.xml", issue(invoice.LineInput{Name: "Server", Quantity: "2", UnitPrice: "800", Category: "K"}))
	add("export.xml", issue(invoice.LineInput{Name: "Licence", Quantity: "1", UnitPrice: "99", Category: "G"}))
	add("not-subject.xml", issue(invoice.LineInput{Name: "Donation handling", Quantity: "1", UnitPrice: "10", Category: "O"}))
	cn, err := w.inv.CreditNote(w.ctx, w.ann, mixed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cn, err = w.inv.RemoveLine(w.ctx, w.ann, cn.ID, cn.Lines[0].ID); err != nil {
		t.Fatal(err)
	}
	if cn, err = w.inv.Issue(w.ctx, w.ann, cn.ID, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	add("credit-note.xml", cn)
	voided, err := w.inv.Void(w.ctx, w.ann, issue(consulting).ID, "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	add("void-credit-note.xml", voided)
	validate(t, docs)
	if !strings.Contains(string(docs["credit-note.xml"]), "<cbc:ID>"+mixed.Number+"</cbc:ID>") {
		t.Errorf("the credit note does not refer to its invoice %s", mixed.Number)
	}
}

// exampleDoc is what the rebuild reads of an official example.
type exampleDoc struct {
	Lines   []exampleLine `xml:"InvoiceLine"`
	CNLines []exampleLine `xml:"CreditNoteLine"`
	Tax     struct {
		Amount string `xml:"TaxAmount"`
		Subs   []struct {
			Taxable  string `xml:"TaxableAmount"`
			Tax      string `xml:"TaxAmount"`
			Category string `xml:"TaxCategory>ID"`
		} `xml:"TaxSubtotal"`
	} `xml:"TaxTotal"`
	Total struct {
		Lines        string `xml:"LineExtensionAmount"`
		TaxExclusive string `xml:"TaxExclusiveAmount"`
		TaxInclusive string `xml:"TaxInclusiveAmount"`
		Payable      string `xml:"PayableAmount"`
	} `xml:"LegalMonetaryTotal"`
}

type exampleLine struct {
	Quantity  string `xml:"InvoicedQuantity"`
	Credited  string `xml:"CreditedQuantity"`
	Amount    string `xml:"LineExtensionAmount"`
	Name      string `xml:"Item>Name"`
	Category  string `xml:"Item>ClassifiedTaxCategory>ID"`
	Rate      string `xml:"Item>ClassifiedTaxCategory>Percent"`
	Price     string `xml:"Price>PriceAmount"`
	Exemption string
}

// Each official example, rebuilt in leadflow from its lines, comes to
// the example's totals to the cent, line by line and per VAT group,
// and the rebuilt document passes the rules.
func TestRebuildsTheOfficialExamples(t *testing.T) {
	w := setup(t, dbtest.SQLite(t))
	acc, err := w.deals.CreateAccount(w.ctx, w.admin, crm.AccountInput{Name: "Example buyer", Country: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	for _, name := range []string{"ubl-tc434-example1.xml", "sample-discount-price.xml", "ubl-tc434-creditnote1.xml"} {
		raw, err := os.ReadFile(einvoice(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var ex exampleDoc
		if err := xml.Unmarshal(raw, &ex); err != nil {
			t.Fatal(err)
		}
		credit := len(ex.CNLines) > 0
		lines := append(ex.Lines, ex.CNLines...)
		d, err := w.inv.Create(w.ctx, w.ann, invoice.New{AccountID: acc.ID, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			qty := l.Quantity + l.Credited
			// Example 1 writes its return as quantity 6 with a negative
			// amount; leadflow writes a return as a negative quantity.
			if strings.HasPrefix(l.Amount, "-") && !strings.HasPrefix(qty, "-") {
				qty = "-" + qty
			}
			if d, err = w.inv.AddLine(w.ctx, w.ann, d.ID, invoice.LineInput{Name: strings.TrimSpace(l.Name), Quantity: qty, UnitPrice: l.Price, Category: l.Category, Rate: l.Rate}); err != nil {
				t.Fatalf("%s: line %q: %v", name, l.Name, err)
			}
		}
		doc, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if credit {
			// The example is a credit note: credit the invoice it corrects.
			if doc, err = w.inv.CreditNote(w.ctx, w.ann, doc.ID); err == nil {
				doc, err = w.inv.Issue(w.ctx, w.ann, doc.ID, "2026-11-30")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		money := func(minor int64) string { return invoice.Amount(minor, "EUR") }
		for k, l := range doc.Lines {
			if money(l.Net) != lines[k].Amount {
				t.Errorf("%s line %d (%s): %s; the example says %s", name, k+1, l.Name, money(l.Net), lines[k].Amount)
			}
		}
		tt := doc.Totals
		for _, c := range [][2]string{{money(tt.Lines), ex.Total.Lines}, {money(tt.TaxExclusive), ex.Total.TaxExclusive},
			{money(tt.TaxInclusive), ex.Total.TaxInclusive}, {money(tt.TaxInclusive), ex.Total.Payable}, {money(tt.VAT), ex.Tax.Amount}} {
			if c[0] != c[1] {
				t.Errorf("%s: total %s; the example says %s", name, c[0], c[1])
			}
		}
		if len(tt.Breakdown) != len(ex.Tax.Subs) {
			t.Errorf("%s: %d VAT groups; the example has %d", name, len(tt.Breakdown), len(ex.Tax.Subs))
		}
		for k, g := range tt.Breakdown {
			if k < len(ex.Tax.Subs) && (money(g.Taxable) != ex.Tax.Subs[k].Taxable || money(g.Tax) != ex.Tax.Subs[k].Tax) {
				t.Errorf("%s: VAT group %d: %s on %s; the example says %s on %s", name, k+1, money(g.Tax), money(g.Taxable), ex.Tax.Subs[k].Tax, ex.Tax.Subs[k].Taxable)
			}
		}
		body, err := invoice.UBL(doc)
		if err != nil {
			t.Fatal(err)
		}
		docs["rebuilt-"+name] = body
	}
	validate(t, docs)
}

// The PDF of an issued invoice reads, through pdftotext, as the invoice:
// number, both parties with their letters (ă ș ț ø å è), lines and
// totals to the cent.
func TestPDFReadsBack(t *testing.T) {
	i := issuedForPDF(t)
	body, err := invoice.PDF(i)
	if err != nil {
		t.Fatal(err)
	}
	out := pdftotext(t, body, "-layout")
	text := strings.Join(strings.Fields(out), " ")
	// 3 × 450 = 1,350.00 at 19% = 256.50; 2 × 12.5 less 10% = 22.50 at 9% = 2.03 (2.025 rounded up).
	for _, want := range []string{"Invoice NV-2026-0001", "Issued 30 November 2026", "Due 30 December 2026",
		"Nordvest Soluții SRL", "Strada Ștefan cel Mare 12", "Fjordlys Håndverk AS", "Tromsø", "VAT ID RO18547290",
		"Consultanță implementare", "Caffè e formazione", "1350.00", "22.50", "VAT 19% on 1350.00", "VAT 9% on 22.50", "256.50", "2.03",
		"Total EUR 1631.03", "IBAN RO49 AAAA 1B31 0075 9384 0000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q:\n%s", want, out)
		}
	}
}

// The same invoice printed in Romanian: its words, dates as 30.11.2026,
// amounts as 1.350,00 and the buyer's country named in Romanian.
func TestPDFReadsBackInRomanian(t *testing.T) {
	i := issuedForPDF(t)
	body, err := invoice.PDFIn(i, i18n.For("ro"))
	if err != nil {
		t.Fatal(err)
	}
	out := pdftotext(t, body, "-layout")
	text := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Factura NV-2026-0001", "Emisă la 30.11.2026", "Scadentă la 30.12.2026", "FURNIZOR", "CUMPĂRĂTOR",
		"Norvegia", "CIF RO18547290", "Preț unitar", "1.350,00", "22,50", "TVA 19% la 1.350,00", "TVA 9% la 22,50", "256,50", "2,03",
		"Total EUR 1.631,03", "Vă rugăm să plătiți 1.631,03 EUR până la 30.12.2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Romanian PDF does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(text, "Invoice") || strings.Contains(text, "1350.00") {
		t.Errorf("the Romanian PDF still has English:\n%s", out)
	}
}

// A line exempt from VAT with no reason given gets the default wording,
// kept in English in the e-invoice; its PDF in Italian says it in
// Italian, while a reason someone typed prints as typed.
func TestPDFWritesTheDefaultExemptionInItsLanguage(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		dbtest.Unavailable(t, "pdftotext (poppler-utils) is not installed")
	}
	w := setup(t, dbtest.SQLite(t))
	d := w.draft(t, w.ann, consulting, invoice.LineInput{Name: "Corso di formazione", Quantity: "1", UnitPrice: "100", Category: "E"},
		invoice.LineInput{Name: "Export", Quantity: "1", UnitPrice: "50", Category: "G", Reason: "Art. 146 Directive 2006/112/EC"})
	i, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want, not string }{
		{"it", "E: Esente IVA.", "Exempt from VAT"},
		{"en", "E: Exempt from VAT.", "Esente IVA"},
	} {
		body, err := invoice.PDFIn(i, i18n.For(c.lang))
		if err != nil {
			t.Fatal(err)
		}
		out := pdftotext(t, body, "-layout")
		text := strings.Join(strings.Fields(out), " ")
		if !strings.Contains(text, c.want) || strings.Contains(text, c.not) || !strings.Contains(text, "G: Art. 146 Directive 2006/112/EC.") {
			t.Errorf("the %s PDF's VAT notes:\n%s", c.lang, out)
		}
	}
}

// No word of an invoice's PDF is printed over another, in any of the
// languages: the lines' column headings are longest in Romanian
// ("Reducere" ran into "Preț unitar", and pdftotext read "unitarReducere").
func TestPDFWordsDoNotOverlap(t *testing.T) {
	i := issuedForPDF(t)
	for _, lang := range i18n.Langs {
		l := i18n.For(lang)
		body, err := invoice.PDFIn(i, l)
		if err != nil {
			t.Fatal(err)
		}
		out := pdftotext(t, body, "-bbox")
		words := pdfWords(out)
		for _, o := range overlapping(words) {
			t.Errorf("%s: %s", lang, o)
		}
		// Words printed edge to edge read as one: each heading's words
		// must be words of their own.
		for _, key := range []string{"description", "qty", "unit_price", "discount", "vat", "amount"} {
			for _, want := range strings.Fields(l.T("invoice.pdf." + key)) {
				if !slices.ContainsFunc(words, func(w pdfWord) bool { return w.text == want }) {
					t.Errorf("%s: the heading word %q does not stand apart", lang, want)
				}
			}
		}
	}
}

// issuedForPDF is an invoice issued with two lines (one discounted, at
// two VAT rates), to be read back from its PDF; the test is skipped
// without pdftotext.
func issuedForPDF(t *testing.T) invoice.Invoice {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		dbtest.Unavailable(t, "pdftotext (poppler-utils) is not installed")
	}
	w := setup(t, dbtest.SQLite(t))
	d := w.draft(t, w.ann, consulting, invoice.LineInput{Name: "Caffè e formazione", Quantity: "2", UnitPrice: "12.5", Discount: "10", Category: "S", Rate: "9"})
	i, err := w.inv.Issue(w.ctx, w.ann, d.ID, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// pdftotext is what poppler's pdftotext reads in a PDF, with flag
// (-layout, -bbox).
func pdftotext(t *testing.T, body []byte, flag string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", flag, path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// pdfWord is a word pdftotext -bbox read, with its box, on page.
type pdfWord struct {
	text                   string
	page                   int
	xMin, yMin, xMax, yMax float64
}

func pdfWords(bbox string) []pdfWord {
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	var words []pdfWord
	for p, page := range strings.Split(bbox, "<page ")[1:] {
		for _, m := range re.FindAllStringSubmatch(page, -1) {
			w := pdfWord{text: html.UnescapeString(m[5]), page: p}
			w.xMin, _ = strconv.ParseFloat(m[1], 64)
			w.yMin, _ = strconv.ParseFloat(m[2], 64)
			w.xMax, _ = strconv.ParseFloat(m[3], 64)
			w.yMax, _ = strconv.ParseFloat(m[4], 64)
			words = append(words, w)
		}
	}
	return words
}

// overlapping lists the pairs of words whose boxes cross, by more than a
// hair, on a page.
func overlapping(words []pdfWord) []string {
	const hair = 0.5
	var out []string
	for i, a := range words {
		for _, b := range words[i+1:] {
			if a.page == b.page && a.xMin+hair < b.xMax && b.xMin+hair < a.xMax && a.yMin+hair < b.yMax && b.yMin+hair < a.yMax {
				out = append(out, fmt.Sprintf("%q overlaps %q", a.text, b.text))
			}
		}
	}
	return out
}

package invoice

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"

	"github.com/go-pdf/fpdf"

	"leadflow/internal/i18n"
	"leadflow/internal/pdf"
	"leadflow/internal/product"
)

// PDF prints document i on A4: seller and buyer, dates, lines, VAT
// breakdown, totals and how to pay. A draft is marked as such. It is in
// English; PDFIn prints it in another language.
func PDF(i Invoice) ([]byte, error) { return PDFIn(i, i18n.For(i18n.Default)) }

// PDFIn prints document i as PDF does, in l's language: its words, dates
// and amounts (the numbers are the same in every language).
func PDFIn(i Invoice, l *i18n.Locale) ([]byte, error) {
	made := i.UpdatedAt
	if i.IssuedAt != nil {
		made = *i.IssuedAt
	}
	title := i.TitleIn(l)
	f := pdf.New(title, made)
	cur := i.Currency
	longDate := l.LongDay
	// Amount and Price are plain decimals ("1234.50"), written in l's
	// marks.
	Amount := func(minor int64, currency string) string { return l.Plain(Amount(minor, currency)) }
	Price := func(p int64, currency string) string { return l.Plain(Price(p, currency)) }
	Percent := func(bp int64) string { return l.Plain(Percent(bp)) }
	Quantity := func(q int64) string { return l.Plain(Quantity(q)) }
	vatLabel := func(category string, rate int64) string {
		if category == Standard {
			return Percent(rate) + "%"
		}
		return category
	}
	f.SetFont(pdf.Family, "B", 18)
	f.CellFormat(0, 9, title, "", 1, "L", false, 0, "")
	f.SetFont(pdf.Family, "", 9)
	f.SetTextColor(90, 90, 100)
	var facts []string
	if i.IssueDate != "" {
		facts = append(facts, l.T("invoice.pdf.issued", "Date", longDate(i.IssueDate)))
	}
	if i.Kind == KindInvoice && i.DueDate != "" {
		facts = append(facts, l.T("invoice.pdf.due", "Date", longDate(i.DueDate)))
	}
	if i.CreditOfNumber != "" {
		facts = append(facts, l.T("invoice.pdf.corrects", "Number", i.CreditOfNumber, "Date", longDate(i.CreditOfDate)))
	}
	if i.BuyerReference != "" {
		facts = append(facts, l.T("invoice.pdf.your_reference", "Reference", i.BuyerReference))
	}
	if i.Status == Draft {
		facts = append(facts, l.T("invoice.pdf.draft"))
	}
	f.MultiCell(0, 5, strings.Join(facts, "  ·  "), "", "L", false)
	f.SetTextColor(0, 0, 0)
	f.Ln(4)

	// Seller and buyer side by side.
	y := f.GetY()
	block := func(x float64, title string, p Party, extra []string) {
		f.SetXY(x, y)
		f.SetFont(pdf.Family, "B", 8)
		f.SetTextColor(90, 90, 100)
		f.CellFormat(84, 5, strings.ToUpper(title), "", 2, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.SetFont(pdf.Family, "B", 10)
		f.MultiCell(84, 5, firstOf(p.LegalName, p.Name), "", "L", false)
		f.SetFont(pdf.Family, "", 9)
		for _, line := range append(partyLines(p, l), extra...) {
			f.SetX(x)
			f.MultiCell(84, 4.6, line, "", "L", false)
		}
	}
	var bank []string
	if i.Seller.IBAN != "" {
		bank = append(bank, "IBAN "+SpacedIBAN(i.Seller.IBAN))
	}
	if i.Seller.BIC != "" {
		bank = append(bank, "BIC "+i.Seller.BIC)
	}
	block(18, l.T("invoice.pdf.from"), i.Seller.Party, bank)
	left := f.GetY()
	block(108, l.T("invoice.pdf.bill_to"), i.Buyer, nil)
	f.SetY(max(left, f.GetY()) + 6)

	// Lines.
	widths := []float64{71, 18, 26, 17, 14, 28}
	head := []string{l.T("invoice.pdf.description"), l.T("invoice.pdf.qty"), l.T("invoice.pdf.unit_price"),
		l.T("invoice.pdf.discount"), l.T("invoice.pdf.vat"), l.T("invoice.pdf.amount")}
	f.SetFillColor(240, 241, 245)
	for k, h := range head {
		align := "R"
		if k == 0 {
			align = "L"
		}
		fitFont(f, "B", 8, h, widths[k])
		f.CellFormat(widths[k], 7, h, "B", 0, align, true, 0, "")
	}
	f.Ln(-1)
	f.SetFont(pdf.Family, "", 9)
	for _, ln := range i.Lines {
		disc := ""
		if ln.DiscountBP != 0 {
			disc = Percent(ln.DiscountBP) + "%"
		}
		cells := []string{ln.Name, Quantity(ln.Quantity), Price(ln.UnitPrice, cur), disc, vatLabel(ln.Category, ln.RateBP), Amount(ln.Net, cur)}
		lines := f.SplitText(ln.Name, widths[0]-2)
		h := 5.5 * float64(max(1, len(lines)))
		if f.GetY()+h > 297-30 {
			f.AddPage()
		}
		x, top := f.GetX(), f.GetY()
		f.MultiCell(widths[0], 5.5, ln.Name, "", "L", false)
		f.SetXY(x+widths[0], top)
		for k := 1; k < len(cells); k++ {
			f.CellFormat(widths[k], 5.5, cells[k], "", 0, "R", false, 0, "")
		}
		f.SetXY(x, top+h)
		f.SetDrawColor(225, 226, 232)
		f.Line(18, f.GetY(), 192, f.GetY())
	}
	for _, a := range i.Allowances {
		f.CellFormat(widths[0]+widths[1]+widths[2]+widths[3], 5.5, a.Reason, "", 0, "L", false, 0, "")
		f.CellFormat(widths[4], 5.5, vatLabel(a.Category, a.RateBP), "", 0, "R", false, 0, "")
		f.CellFormat(widths[5], 5.5, "-"+Amount(a.Amount, cur), "", 1, "R", false, 0, "")
	}
	f.Ln(4)

	// Totals, right-aligned, with the VAT breakdown.
	total := func(label, value string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		f.SetFont(pdf.Family, style, 9)
		f.SetX(100)
		f.CellFormat(64, 5.5, label, "", 0, "R", false, 0, "")
		f.CellFormat(28, 5.5, value, "", 1, "R", false, 0, "")
	}
	t := i.Totals
	total(l.T("invoice.pdf.net"), Amount(t.Lines, cur), false)
	if t.Allowances != 0 {
		total(l.T("invoice.pdf.discounts"), "-"+Amount(t.Allowances, cur), false)
		total(l.T("invoice.pdf.taxable"), Amount(t.TaxExclusive, cur), false)
	}
	for _, g := range t.Breakdown {
		total(l.T("invoice.pdf.vat_on", "Rate", vatLabel(g.Category, g.RateBP), "Base", Amount(g.Taxable, cur)), Amount(g.Tax, cur), false)
	}
	total(l.T("invoice.pdf.total", "Currency", cur), Amount(t.TaxInclusive, cur), true)
	if i.Paid != 0 {
		total(l.T("invoice.pdf.paid"), "-"+Amount(i.Paid, cur), false)
	}
	if i.Credited != 0 {
		total(l.T("invoice.pdf.credited"), "-"+Amount(i.Credited, cur), false)
	}
	if i.Kind == KindInvoice && (i.Paid != 0 || i.Credited != 0) {
		total(l.T("invoice.pdf.amount_due"), Amount(i.Balance(), cur), true)
	}
	f.Ln(4)
	f.SetFont(pdf.Family, "", 8.5)
	var notes []string
	for _, g := range t.Breakdown {
		if g.Reason != "" {
			notes = append(notes, fmt.Sprintf("%s: %s.", vatLabel(g.Category, g.RateBP), ReasonIn(l, g.Category, g.Reason)))
		}
	}
	if i.Kind == KindInvoice && i.Seller.IBAN != "" {
		notes = append(notes, l.T("invoice.pdf.please_pay", "Amount", l.MoneyMinor(big.NewInt(i.Balance()), cur, product.Decimals(cur)),
			"Date", longDate(i.DueDate), "IBAN", SpacedIBAN(i.Seller.IBAN), "Number", firstOf(i.Number, l.T("invoice.pdf.the_number"))))
	}
	if i.Note != "" {
		notes = append(notes, i.Note)
	}
	f.MultiCell(0, 4.6, strings.Join(notes, "\n"), "", "L", false)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoice: pdf of %d: %w", i.ID, err)
	}
	return buf.Bytes(), nil
}

// partyLines are a party's address and identifiers, one per line, in
// l's language.
func partyLines(p Party, l *i18n.Locale) []string {
	var out []string
	if p.LegalName != "" && p.Name != "" && p.Name != p.LegalName {
		out = append(out, p.Name)
	}
	out = append(out, p.Street)
	out = append(out, strings.TrimSpace(p.PostalCode+" "+p.City))
	if p.Country != "" {
		out = append(out, l.Country(p.Country))
	}
	if p.VATID != "" {
		out = append(out, l.T("invoice.pdf.vat_id", "ID", p.VATID))
	}
	if p.RegistrationNo != "" {
		out = append(out, l.T("invoice.pdf.reg_no", "Number", p.RegistrationNo))
	}
	if p.Email != "" {
		out = append(out, p.Email)
	}
	kept := out[:0]
	for _, l := range out {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	return kept
}

// CategoryNameIn is what category code means, in l's language.
func CategoryNameIn(l *i18n.Locale, code string) string {
	return l.Or("vat.category."+strings.ToLower(code), CategoryName(code))
}

// ReasonIn is an exemption reason as l's language writes it: the
// default wording of its category (stored in English when a line gave
// none) in l's words, a reason someone typed as typed.
func ReasonIn(l *i18n.Locale, category, reason string) string {
	if def, ok := defaultReasons[category]; ok && reason == def && i18n.Has("vat.reason."+strings.ToLower(category)) {
		return l.T("vat.reason." + strings.ToLower(category))
	}
	return reason
}

// CategoryName is what category code means, for people.
func CategoryName(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// SpacedIBAN writes an IBAN in groups of four, as it is read out.
func SpacedIBAN(iban string) string {
	var b strings.Builder
	for k, r := range iban {
		if k > 0 && k%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// fitFont sets the font at size, or smaller (down to three quarters of
// it) where text would not fit a cell of width w with its margins: a
// column's heading runs longer in some languages than in others, and
// one too long is printed into its neighbour's.
func fitFont(f *fpdf.Fpdf, style string, size float64, text string, w float64) {
	f.SetFont(pdf.Family, style, size)
	room := w - 2*f.GetCellMargin()
	for s := size; f.GetStringWidth(text) > room && s > size*3/4; {
		s -= 0.25
		f.SetFontSize(s)
	}
}

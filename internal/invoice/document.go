package invoice

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/country"
	"leadflow/internal/pdf"
)

// PDF prints document i on A4: seller and buyer, dates, lines, VAT
// breakdown, totals and how to pay. A draft is marked as such.
func PDF(i Invoice) ([]byte, error) {
	made := i.UpdatedAt
	if i.IssuedAt != nil {
		made = *i.IssuedAt
	}
	f := pdf.New(i.Title(), made)
	cur := i.Currency
	f.SetFont(pdf.Family, "B", 18)
	f.CellFormat(0, 9, i.Title(), "", 1, "L", false, 0, "")
	f.SetFont(pdf.Family, "", 9)
	f.SetTextColor(90, 90, 100)
	var facts []string
	if i.IssueDate != "" {
		facts = append(facts, "Issued "+longDate(i.IssueDate))
	}
	if i.Kind == KindInvoice && i.DueDate != "" {
		facts = append(facts, "Due "+longDate(i.DueDate))
	}
	if i.CreditOfNumber != "" {
		facts = append(facts, "Corrects invoice "+i.CreditOfNumber+" of "+longDate(i.CreditOfDate))
	}
	if i.BuyerReference != "" {
		facts = append(facts, "Your reference: "+i.BuyerReference)
	}
	if i.Status == Draft {
		facts = append(facts, "DRAFT: not a valid invoice until issued")
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
		for _, l := range append(partyLines(p), extra...) {
			f.SetX(x)
			f.MultiCell(84, 4.6, l, "", "L", false)
		}
	}
	var bank []string
	if i.Seller.IBAN != "" {
		bank = append(bank, "IBAN "+SpacedIBAN(i.Seller.IBAN))
	}
	if i.Seller.BIC != "" {
		bank = append(bank, "BIC "+i.Seller.BIC)
	}
	block(18, "From", i.Seller.Party, bank)
	left := f.GetY()
	block(108, "Bill to", i.Buyer, nil)
	f.SetY(max(left, f.GetY()) + 6)

	// Lines.
	widths := []float64{74, 18, 26, 14, 14, 28}
	head := []string{"Description", "Qty", "Unit price", "Disc.", "VAT", "Amount"}
	f.SetFont(pdf.Family, "B", 8)
	f.SetFillColor(240, 241, 245)
	for k, h := range head {
		align := "R"
		if k == 0 {
			align = "L"
		}
		f.CellFormat(widths[k], 7, h, "B", 0, align, true, 0, "")
	}
	f.Ln(-1)
	f.SetFont(pdf.Family, "", 9)
	for _, l := range i.Lines {
		disc := ""
		if l.DiscountBP != 0 {
			disc = Percent(l.DiscountBP) + "%"
		}
		cells := []string{l.Name, Quantity(l.Quantity), Price(l.UnitPrice, cur), disc, vatLabel(l.Category, l.RateBP), Amount(l.Net, cur)}
		lines := f.SplitText(l.Name, widths[0]-2)
		h := 5.5 * float64(max(1, len(lines)))
		if f.GetY()+h > 297-30 {
			f.AddPage()
		}
		x, top := f.GetX(), f.GetY()
		f.MultiCell(widths[0], 5.5, l.Name, "", "L", false)
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
	total("Net amount", Amount(t.Lines, cur), false)
	if t.Allowances != 0 {
		total("Discounts", "-"+Amount(t.Allowances, cur), false)
		total("Taxable amount", Amount(t.TaxExclusive, cur), false)
	}
	for _, g := range t.Breakdown {
		total(fmt.Sprintf("VAT %s on %s", vatLabel(g.Category, g.RateBP), Amount(g.Taxable, cur)), Amount(g.Tax, cur), false)
	}
	total("Total "+cur, Amount(t.TaxInclusive, cur), true)
	if i.Paid != 0 {
		total("Paid", "-"+Amount(i.Paid, cur), false)
	}
	if i.Credited != 0 {
		total("Credited", "-"+Amount(i.Credited, cur), false)
	}
	if i.Kind == KindInvoice && (i.Paid != 0 || i.Credited != 0) {
		total("Amount due", Amount(i.Balance(), cur), true)
	}
	f.Ln(4)
	f.SetFont(pdf.Family, "", 8.5)
	var notes []string
	for _, g := range t.Breakdown {
		if g.Reason != "" {
			notes = append(notes, fmt.Sprintf("%s: %s.", vatLabel(g.Category, g.RateBP), g.Reason))
		}
	}
	if i.Kind == KindInvoice && i.Seller.IBAN != "" {
		notes = append(notes, fmt.Sprintf("Please pay %s by %s to IBAN %s, quoting %s.", Money(i.Balance(), cur), longDate(i.DueDate), SpacedIBAN(i.Seller.IBAN), firstOf(i.Number, "the invoice number")))
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

// partyLines are a party's address and identifiers, one per line.
func partyLines(p Party) []string {
	var out []string
	if p.LegalName != "" && p.Name != "" && p.Name != p.LegalName {
		out = append(out, p.Name)
	}
	out = append(out, p.Street)
	out = append(out, strings.TrimSpace(p.PostalCode+" "+p.City))
	out = append(out, country.Name(p.Country))
	if p.VATID != "" {
		out = append(out, "VAT ID "+p.VATID)
	}
	if p.RegistrationNo != "" {
		out = append(out, "Reg. no. "+p.RegistrationNo)
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

// vatLabel is "19%" for a rate, or the category's code for no VAT.
func vatLabel(category string, rate int64) string {
	if category == Standard {
		return Percent(rate) + "%"
	}
	return category
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

func longDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
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

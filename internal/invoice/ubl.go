package invoice

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// The document types and profile of a Peppol BIS Billing 3.0 e-invoice,
// which follows EN 16931 and is what Romania's e-Factura (CIUS-RO),
// Norway's EHF and Italy's FatturaPA gateways take in UBL.
const (
	customizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	profileID       = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
	nsInvoice       = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCreditNote    = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCAC           = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC           = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// node is an element of the document. UBL fixes every element's prefix
// and place, so the document is built as a tree in schema order rather
// than through struct tags.
type node struct {
	name  string
	attrs []string // name, value pairs
	text  string
	kids  []*node
}

// el adds child name to n and returns it.
func (n *node) el(name string, attrs ...string) *node {
	c := &node{name: name, attrs: attrs}
	n.kids = append(n.kids, c)
	return c
}

// val adds child name with text, unless text is empty.
func (n *node) val(name, text string, attrs ...string) {
	if text != "" {
		n.kids = append(n.kids, &node{name: name, attrs: attrs, text: text})
	}
}

func (n *node) write(b *bytes.Buffer, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent + "<" + n.name)
	for i := 0; i+1 < len(n.attrs); i += 2 {
		b.WriteString(" " + n.attrs[i] + `="`)
		xml.EscapeText(b, []byte(n.attrs[i+1]))
		b.WriteString(`"`)
	}
	switch {
	case len(n.kids) > 0:
		b.WriteString(">\n")
		for _, k := range n.kids {
			k.write(b, depth+1)
		}
		b.WriteString(indent + "</" + n.name + ">\n")
	default:
		b.WriteString(">")
		xml.EscapeText(b, []byte(n.text))
		b.WriteString("</" + n.name + ">\n")
	}
}

// UBL writes issued document i as a UBL 2.1 Invoice or CreditNote
// following EN 16931 and Peppol BIS Billing 3.0.
func UBL(i Invoice) ([]byte, error) {
	if i.Status == Draft {
		return nil, fmt.Errorf("invoice %d is a draft; only issued documents are e-invoices", i.ID)
	}
	credit := i.Kind == KindCreditNote
	root, ns, lineName, qtyName := "Invoice", nsInvoice, "cac:InvoiceLine", "cbc:InvoicedQuantity"
	if credit {
		root, ns, lineName, qtyName = "CreditNote", nsCreditNote, "cac:CreditNoteLine", "cbc:CreditedQuantity"
	}
	cur := i.Currency
	money := func(minor int64) string { return Amount(minor, cur) }
	d := &node{name: root, attrs: []string{"xmlns", ns, "xmlns:cac", nsCAC, "xmlns:cbc", nsCBC}}
	d.val("cbc:CustomizationID", customizationID)
	d.val("cbc:ProfileID", profileID)
	d.val("cbc:ID", i.Number)
	d.val("cbc:IssueDate", i.IssueDate)
	if credit {
		d.val("cbc:CreditNoteTypeCode", "381")
	} else {
		d.val("cbc:DueDate", i.DueDate)
		d.val("cbc:InvoiceTypeCode", "380")
	}
	d.val("cbc:Note", i.Note)
	d.val("cbc:DocumentCurrencyCode", cur)
	ref := i.BuyerReference
	if ref == "" {
		ref = i.Number // Peppol wants a buyer reference or an order reference
	}
	d.val("cbc:BuyerReference", ref)
	if credit && i.CreditOfNumber != "" {
		r := d.el("cac:BillingReference").el("cac:InvoiceDocumentReference")
		r.val("cbc:ID", i.CreditOfNumber)
		r.val("cbc:IssueDate", i.CreditOfDate)
	}
	// Outside the scope of VAT, EN 16931 wants no VAT identifiers at all.
	withVAT := vatCharged(i)
	party(d.el("cac:AccountingSupplierParty"), i.Seller.Party, withVAT)
	party(d.el("cac:AccountingCustomerParty"), i.Buyer, withVAT)
	if hasCategory(i, IntraCommunity) {
		// An intra-community supply states where and when it was
		// delivered; leadflow dates the supply on the invoice and delivers
		// to the buyer's country.
		del := d.el("cac:Delivery")
		del.val("cbc:ActualDeliveryDate", i.IssueDate)
		del.el("cac:DeliveryLocation").el("cac:Address").el("cac:Country").val("cbc:IdentificationCode", i.Buyer.Country)
	}
	if i.Seller.IBAN != "" {
		pm := d.el("cac:PaymentMeans")
		pm.val("cbc:PaymentMeansCode", "30", "name", "Credit transfer")
		if credit {
			pm.val("cbc:PaymentDueDate", i.DueDate)
		}
		pm.val("cbc:PaymentID", i.Number)
		acc := pm.el("cac:PayeeFinancialAccount")
		acc.val("cbc:ID", i.Seller.IBAN)
		if i.Seller.BIC != "" {
			acc.el("cac:FinancialInstitutionBranch").val("cbc:ID", i.Seller.BIC)
		}
	}
	if !credit && i.Seller.PaymentDays > 0 {
		d.el("cac:PaymentTerms").val("cbc:Note", fmt.Sprintf("Payment within %d days, by %s", i.Seller.PaymentDays, i.DueDate))
	}
	for _, a := range i.Allowances {
		ac := d.el("cac:AllowanceCharge")
		ac.val("cbc:ChargeIndicator", "false")
		ac.val("cbc:AllowanceChargeReason", a.Reason)
		ac.val("cbc:Amount", money(a.Amount), "currencyID", cur)
		taxCategory(ac.el("cac:TaxCategory"), a.Category, a.RateBP, "")
	}
	t := i.Totals
	tax := d.el("cac:TaxTotal")
	tax.val("cbc:TaxAmount", money(t.VAT), "currencyID", cur)
	for _, g := range t.Breakdown {
		sub := tax.el("cac:TaxSubtotal")
		sub.val("cbc:TaxableAmount", money(g.Taxable), "currencyID", cur)
		sub.val("cbc:TaxAmount", money(g.Tax), "currencyID", cur)
		taxCategory(sub.el("cac:TaxCategory"), g.Category, g.RateBP, g.Reason)
	}
	sum := d.el("cac:LegalMonetaryTotal")
	sum.val("cbc:LineExtensionAmount", money(t.Lines), "currencyID", cur)
	sum.val("cbc:TaxExclusiveAmount", money(t.TaxExclusive), "currencyID", cur)
	sum.val("cbc:TaxInclusiveAmount", money(t.TaxInclusive), "currencyID", cur)
	if t.Allowances != 0 {
		sum.val("cbc:AllowanceTotalAmount", money(t.Allowances), "currencyID", cur)
	}
	sum.val("cbc:PayableAmount", money(t.TaxInclusive), "currencyID", cur)
	for n, l := range i.Lines {
		line := d.el(lineName)
		line.val("cbc:ID", fmt.Sprint(n+1))
		line.val(qtyName, Quantity(l.Quantity), "unitCode", "C62")
		line.val("cbc:LineExtensionAmount", money(l.Net), "currencyID", cur)
		if l.Discount != 0 {
			ac := line.el("cac:AllowanceCharge")
			ac.val("cbc:ChargeIndicator", "false")
			ac.val("cbc:AllowanceChargeReasonCode", "95")
			ac.val("cbc:AllowanceChargeReason", "Discount")
			ac.val("cbc:MultiplierFactorNumeric", Percent(l.DiscountBP))
			ac.val("cbc:Amount", money(l.Discount), "currencyID", cur)
			ac.val("cbc:BaseAmount", money(l.Gross), "currencyID", cur)
		}
		item := line.el("cac:Item")
		item.val("cbc:Name", l.Name)
		if l.ProductID != 0 {
			item.el("cac:SellersItemIdentification").val("cbc:ID", fmt.Sprint(l.ProductID))
		}
		taxCategory(item.el("cac:ClassifiedTaxCategory"), l.Category, l.RateBP, "")
		line.el("cac:Price").val("cbc:PriceAmount", Price(l.UnitPrice, cur), "currencyID", cur)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	d.write(&b, 0)
	return b.Bytes(), nil
}

// party writes a seller or buyer (EN 16931 BG-4, BG-7).
func party(parent *node, p Party, withVAT bool) {
	n := parent.el("cac:Party")
	if p.Email != "" {
		n.val("cbc:EndpointID", p.Email, "schemeID", "EM")
	}
	if p.Name != "" && p.Name != p.LegalName {
		n.el("cac:PartyName").val("cbc:Name", p.Name)
	}
	addr := n.el("cac:PostalAddress")
	addr.val("cbc:StreetName", p.Street)
	addr.val("cbc:CityName", p.City)
	addr.val("cbc:PostalZone", p.PostalCode)
	addr.el("cac:Country").val("cbc:IdentificationCode", p.Country)
	if p.VATID != "" && withVAT {
		ts := n.el("cac:PartyTaxScheme")
		ts.val("cbc:CompanyID", p.VATID)
		ts.el("cac:TaxScheme").val("cbc:ID", "VAT")
	}
	legal := n.el("cac:PartyLegalEntity")
	name := p.LegalName
	if name == "" {
		name = p.Name
	}
	legal.val("cbc:RegistrationName", name)
	legal.val("cbc:CompanyID", p.RegistrationNo)
	if p.Email != "" {
		n.el("cac:Contact").val("cbc:ElectronicMail", p.Email)
	}
}

// taxCategory writes a VAT category; "not subject to VAT" has no rate.
func taxCategory(n *node, category string, rate int64, reason string) {
	n.val("cbc:ID", category)
	if category != NotSubject {
		n.val("cbc:Percent", Percent(rate))
	}
	n.val("cbc:TaxExemptionReason", reason)
	n.el("cac:TaxScheme").val("cbc:ID", "VAT")
}

// hasCategory says whether document i has VAT category c.
func hasCategory(i Invoice, c string) bool {
	for _, g := range i.Totals.Breakdown {
		if g.Category == c {
			return true
		}
	}
	return false
}

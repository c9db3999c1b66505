package invoice

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/country"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Party is a seller's or buyer's legal details, as an invoice states
// them (EN 16931 BG-4 and BG-7).
type Party struct {
	Name           string `json:"name"` // the name people know, when other than the legal one
	LegalName      string `json:"legal_name"`
	VATID          string `json:"vat_id"`
	RegistrationNo string `json:"registration_no"`
	Street         string `json:"street"`
	City           string `json:"city"`
	PostalCode     string `json:"postal_code"`
	Country        string `json:"country"` // ISO 3166-1 alpha-2
	Email          string `json:"email"`
}

// Seller is the team's own details and how it invoices.
type Seller struct {
	Party
	IBAN          string `json:"iban"`
	BIC           string `json:"bic"`
	InvoicePrefix string `json:"invoice_prefix"`
	CreditPrefix  string `json:"credit_note_prefix"`
	PaymentDays   int    `json:"payment_days"`
	DefaultRateBP int64  `json:"default_vat_rate_bp"`
}

// DefaultSeller is what a team starts with: its details empty, and the
// defaults of numbering, payment terms and VAT rate.
func DefaultSeller() Seller {
	return Seller{InvoicePrefix: "INV", CreditPrefix: "CN", PaymentDays: 14, DefaultRateBP: 1900}
}

// Ready says what an issued document still needs of the seller's
// details, naming each field; nil when nothing.
func (s Seller) Ready() fault.Fields {
	bad := fault.Fields{}
	if s.LegalName == "" {
		bad.Add("legal_name", "is required on an invoice")
	}
	if s.Country == "" {
		bad.Add("country", "is required on an invoice")
	}
	if s.VATID == "" && s.RegistrationNo == "" {
		bad.Add("vat_id", "an invoice needs the seller's VAT ID or registration number")
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

var (
	vatPattern    = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z+*.]{2,13}$`)
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_-]{0,11}$`)
	bicPattern    = regexp.MustCompile(`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// clean trims every field and upper-cases the codes.
func (p *Party) clean() {
	for _, f := range []*string{&p.Name, &p.LegalName, &p.VATID, &p.RegistrationNo, &p.Street, &p.City, &p.PostalCode, &p.Country, &p.Email} {
		*f = strings.TrimSpace(*f)
	}
	p.VATID = strings.ToUpper(strings.ReplaceAll(p.VATID, " ", ""))
	if c, ok := country.Normalize(p.Country); ok {
		p.Country = c
	}
}

// check names each bad field of p in bad.
func (p Party) check(bad fault.Fields) {
	long := func(field, v string, max int) {
		if utf8.RuneCountInString(v) > max {
			bad.Add(field, fmt.Sprintf("is at most %d characters", max))
		}
	}
	long("name", p.Name, 200)
	long("legal_name", p.LegalName, 200)
	long("registration_no", p.RegistrationNo, 50)
	long("street", p.Street, 200)
	long("city", p.City, 100)
	long("postal_code", p.PostalCode, 20)
	if p.Country != "" && !country.Valid(p.Country) {
		bad.Add("country", "must be a country, as a two-letter code such as RO")
	}
	// A VAT ID starts with its country's code; Greece's is EL.
	if p.VATID != "" && !vatPattern.MatchString(p.VATID) {
		bad.Add("vat_id", "must start with a two-letter country code, such as RO18547290")
	}
	if p.Email != "" && (!strings.Contains(p.Email, "@") || utf8.RuneCountInString(p.Email) > 254) {
		bad.Add("email", "must be an email address")
	}
}

// ValidIBAN says whether iban (spaces allowed) passes the ISO 13616
// check: country, check digits, and the remainder 1 of mod 97.
func ValidIBAN(iban string) bool {
	s := strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	if len(s) < 15 || len(s) > 34 || !country.Valid(s[:2]) {
		return false
	}
	var digits strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			digits.WriteString(strconv.Itoa(int(r-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// SellerInput is the seller form in text.
type SellerInput struct {
	Party
	IBAN, BIC, InvoicePrefix, CreditPrefix, PaymentDays, DefaultRate string
}

// apply validates in into a Seller, naming each bad field.
func (in SellerInput) apply() (Seller, error) {
	s := Seller{Party: in.Party}
	s.clean()
	bad := fault.Fields{}
	s.check(bad)
	s.IBAN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(in.IBAN), " ", ""))
	if s.IBAN != "" && !ValidIBAN(s.IBAN) {
		bad.Add("iban", "is not a valid IBAN (its check digits do not match)")
	}
	s.BIC = strings.ToUpper(strings.TrimSpace(in.BIC))
	if s.BIC != "" && !bicPattern.MatchString(s.BIC) {
		bad.Add("bic", "must be a BIC of 8 or 11 letters and digits")
	}
	s.InvoicePrefix, s.CreditPrefix = strings.TrimSpace(in.InvoicePrefix), strings.TrimSpace(in.CreditPrefix)
	if !prefixPattern.MatchString(s.InvoicePrefix) {
		bad.Add("invoice_prefix", "must be 1 to 12 letters, digits, - / or _, such as INV")
	}
	if !prefixPattern.MatchString(s.CreditPrefix) {
		bad.Add("credit_note_prefix", "must be 1 to 12 letters, digits, - / or _, such as CN")
	} else if strings.EqualFold(s.CreditPrefix, s.InvoicePrefix) {
		bad.Add("credit_note_prefix", "must differ from the invoice prefix, so numbers never collide")
	}
	days, err := strconv.Atoi(strings.TrimSpace(in.PaymentDays))
	if err != nil || days < 0 || days > 365 {
		bad.Add("payment_days", "must be a whole number of days from 0 to 365")
	}
	s.PaymentDays = days
	if s.DefaultRateBP, err = parseRate(in.DefaultRate); err != nil {
		bad.Add("default_vat_rate", err.Error())
	}
	return s, bad.Err()
}

// Input is s as its form shows it.
func (s Seller) Input() SellerInput {
	return SellerInput{Party: s.Party, IBAN: s.IBAN, BIC: s.BIC, InvoicePrefix: s.InvoicePrefix, CreditPrefix: s.CreditPrefix,
		PaymentDays: strconv.Itoa(s.PaymentDays), DefaultRate: Percent(s.DefaultRateBP)}
}

// parseRate reads a VAT rate in percent into basis points.
func parseRate(s string) (int64, error) {
	n, err := parseFixed(strings.TrimSuffix(strings.TrimSpace(s), "%"), percentScale, false)
	if err != nil || n > 10000 {
		return 0, fmt.Errorf("must be a percentage from 0 to 100, such as 19 or 5.5")
	}
	return n, nil
}

// sellerKey is the settings row that holds the seller's details.
const sellerKey = "invoice.seller"

// Seller returns the team's details, the defaults until an admin saves
// them; read from the database each time, so every instance agrees.
func (s *Service) Seller(ctx context.Context) (Seller, error) {
	return seller(ctx, s.db.R)
}

func seller(ctx context.Context, q sqldb.Querier) (Seller, error) {
	var raw string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, sellerKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSeller(), nil
	}
	if err != nil {
		return Seller{}, fmt.Errorf("invoice: seller: %w", err)
	}
	out := DefaultSeller()
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return Seller{}, fmt.Errorf("invoice: seller: %w", err)
	}
	return out, nil
}

// MayConfigure refuses a unless it may change the seller's details.
func MayConfigure(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only admins change the invoicing settings")
	}
	return nil
}

// SaveSeller validates and stores the team's details (admin). Documents
// already issued keep the details they were issued with.
func (s *Service) SaveSeller(ctx context.Context, a access.Actor, in SellerInput) (Seller, error) {
	if err := MayConfigure(a); err != nil {
		return Seller{}, err
	}
	out, err := in.apply()
	if err != nil {
		return out, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	return out, s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, sellerKey, string(raw)); err != nil {
			return fmt.Errorf("invoice: save seller: %w", err)
		}
		return audit.Record(ctx, tx, a, "invoice.settings", "setting", 0, nil)
	})
}

// Billing returns account id's legal details: those saved for it, else
// its name, city and country as the account has them.
func (s *Service) Billing(ctx context.Context, id int64) (Party, error) {
	return billing(ctx, s.db.R, id)
}

func billing(ctx context.Context, q sqldb.Querier, id int64) (Party, error) {
	var p Party
	err := q.QueryRow(ctx, `SELECT a.name, COALESCE(b.legal_name, ''), COALESCE(b.vat_id, ''), COALESCE(b.registration_no, ''),
		COALESCE(b.street, ''), COALESCE(b.city, a.city), COALESCE(b.postal_code, ''), COALESCE(b.country, a.country), COALESCE(b.email, '')
		FROM accounts a LEFT JOIN account_billing b ON b.account_id = a.id WHERE a.id = ?`, id).Scan(
		&p.Name, &p.LegalName, &p.VATID, &p.RegistrationNo, &p.Street, &p.City, &p.PostalCode, &p.Country, &p.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.Errorf(fault.NotFound, "there is no account %d", id)
	}
	if err != nil {
		return p, fmt.Errorf("invoice: billing of %d: %w", id, err)
	}
	if c, ok := country.Normalize(p.Country); ok {
		p.Country = c
	}
	return p, nil
}

// SaveBilling validates and stores account id's legal details. Anyone
// who invoices may: accounts are shared, and a wrong VAT ID is fixed by
// whoever notices.
func (s *Service) SaveBilling(ctx context.Context, a access.Actor, id int64, p Party) (Party, error) {
	if err := mayBill(a); err != nil {
		return p, err
	}
	p.clean()
	bad := fault.Fields{}
	p.check(bad)
	if err := bad.Err(); err != nil {
		return p, err
	}
	return p, s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM accounts WHERE id = ?`+tx.ForUpdate(), id).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "there is no account %d", id)
		} else if err != nil {
			return fmt.Errorf("invoice: account %d: %w", id, err)
		}
		p.Name = name
		_, err := tx.Exec(ctx, `INSERT INTO account_billing (account_id, legal_name, vat_id, registration_no, street, city, postal_code, country, email, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET legal_name = excluded.legal_name, vat_id = excluded.vat_id,
			registration_no = excluded.registration_no, street = excluded.street, city = excluded.city,
			postal_code = excluded.postal_code, country = excluded.country, email = excluded.email, updated_at = excluded.updated_at`,
			id, p.LegalName, p.VATID, p.RegistrationNo, p.Street, p.City, p.PostalCode, p.Country, p.Email, s.stamp().UnixMilli())
		if err != nil {
			return fmt.Errorf("invoice: save billing of %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "account.billing", "account", id, nil)
	})
}

// buyerReady says what an issued document still needs of the buyer.
func buyerReady(p Party) fault.Fields {
	bad := fault.Fields{}
	if p.LegalName == "" && p.Name == "" {
		bad.Add("legal_name", "the buyer's legal name is required on an invoice")
	}
	if p.Country == "" {
		bad.Add("country", "the buyer's country is required on an invoice")
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

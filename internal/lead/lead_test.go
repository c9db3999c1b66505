package lead

import (
	"strings"
	"testing"
	"time"

	"leadflow/internal/fault"
)

var now = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func TestApplyValidatesEachField(t *testing.T) {
	tests := []struct {
		field, value, reason string
	}{
		{FEmail, "not-an-email", "needs an @ between the name and the domain, as in name@example.com"},
		{FEmail, "Ann <ann@example.com>", "has a character that is not allowed before the @: ' '"},
		{FEmail, "ann@-x.com", "has a domain part that starts or ends with a hyphen"},
		{FEmployees, "-3", "must not be negative"},
		{FEmployees, "many", "must be a whole number"},
		{FEmployees, "20000000", "must be at most 10000000"},
		{FStage, "won", "must be one of subscriber, lead, mql, sql, opportunity, customer, nurturing, disqualified"},
		{FCountry, "Atlantis", "must be a country name or a two-letter ISO code such as DE or US"},
		{FWebsite, "ftp://example.com", "must be a web address such as example.com or https://example.com"},
		{FPhone, "+1 call me maybe", "is not a phone number"},
		{FPhone, "0721 234 567", "needs the country code (such as +49) or a country for the lead"},
		{FConsent, "perhaps", "must be true or false"},
		{FFirstName, strings.Repeat("é", 101), "must be at most 100 characters"},
		{"favourite_colour", "blue", "is not a lead field"},
		{FCity, "Bra\xffila", "is not valid UTF-8 text"},
		{FCompany, "Acme\x00", "must not contain a NUL character"},
		{FPhone, "+40 721\x00", "must not contain a NUL character"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			_, bad := Apply(Lead{Email: "ann@example.com"}, Changes{tt.field: tt.value}, now)
			if got := bad[tt.field]; got != tt.reason {
				t.Errorf("reason for %s = %q, want %q", tt.field, got, tt.reason)
			}
		})
	}
}

func TestApplyNormalises(t *testing.T) {
	l, bad := Apply(Lead{}, Changes{
		FEmail: "  Ann.Lee@Example.COM ", FCountry: "germany", FWebsite: "Acme.io",
		FEmployees: "1,200", FSource: "Web", FConsent: "on", FExistingCustomer: "yes", FPhone: "030 901820",
	}, now)
	if err := bad.Err(); err != nil {
		t.Fatal(err)
	}
	if l.Email != "Ann.Lee@example.com" {
		t.Errorf("email = %q: domain lower-cased, local part kept", l.Email)
	}
	if l.Country != "DE" || l.Website != "https://acme.io" || *l.Employees != 1200 || l.Source != "web" {
		t.Errorf("got country %q website %q employees %d source %q", l.Country, l.Website, *l.Employees, l.Source)
	}
	if !l.Consent || l.ConsentAt == nil || !l.ConsentAt.Equal(now) || !l.ExistingCustomer {
		t.Errorf("consent %v at %v, existing customer %v", l.Consent, l.ConsentAt, l.ExistingCustomer)
	}
	if l.Phone != "+4930901820" {
		t.Errorf("phone = %q: a national number is read in the lead's country and stored as E.164", l.Phone)
	}
	if l.Stage != StageLead {
		t.Errorf("a new lead starts in stage %q, want lead", l.Stage)
	}
}

func TestApplyRequiresIdentityAndKeepsConsentTime(t *testing.T) {
	_, bad := Apply(Lead{}, Changes{FFirstName: "Ann"}, now)
	if bad[FEmail] != "is required unless the lead has a phone, or a name with a company, city, address or birth date" {
		t.Errorf("email reason = %q", bad[FEmail])
	}
	for _, c := range []Changes{{FPhone: "+40721234567"}, {FFirstName: "Ann", FCompany: "Orbit"}, {FLastName: "Pop", FCity: "Cluj"}} {
		if l, bad := Apply(Lead{}, c, now); len(bad) != 0 || l.Email != "" {
			t.Errorf("%v: a lead without email refused: %v", c, bad)
		}
	}
	earlier := now.Add(-time.Hour)
	l, _ := Apply(Lead{Email: "a@b.co", Consent: true, ConsentAt: &earlier}, Changes{FConsent: "true"}, now)
	if !l.ConsentAt.Equal(earlier) {
		t.Errorf("re-ticking consent moved consent_at to %v", l.ConsentAt)
	}
	l, _ = Apply(l, Changes{FConsent: "false"}, now)
	if l.Consent || l.ConsentAt != nil {
		t.Errorf("withdrawn consent kept %v %v", l.Consent, l.ConsentAt)
	}
}

func TestFaultListsFields(t *testing.T) {
	_, bad := Apply(Lead{}, Changes{FEmployees: "-1"}, now)
	e := fault.As(bad.Err())
	if e == nil || e.Code != fault.Invalid || len(e.Fields) != 2 {
		t.Fatalf("want an invalid error naming email and employees, got %v", bad.Err())
	}
}

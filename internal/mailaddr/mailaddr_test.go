package mailaddr

import (
	"encoding/csv"
	"os"
	"testing"

	"leadflow/internal/fixture"
)

// stricterThanSuite are the addresses the isemail suite calls valid that a
// lead form refuses on purpose: a bare top-level domain as the domain.
var stricterThanSuite = map[string]string{
	"test@io": "needs a full domain after the @, with a dot, as in name@example.com",
}

// TestIsEmailSuite checks the public isemail test addresses: every address
// labelled valid is accepted (but those in stricterThanSuite, refused with
// the reason given there) and every one labelled invalid refused.
func TestIsEmailSuite(t *testing.T) {
	f, err := os.Open(fixture.Path(t, "email/isemail_tests.csv", "testdata/isemail_tests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, row := range rows[1:] {
		addr, want := row[1], row[4]
		_, reason := Normalize(addr)
		counts[want]++
		if why, ok := stricterThanSuite[addr]; ok {
			if reason != why {
				t.Errorf("%q refused with %q, want %q", addr, reason, why)
			}
			continue
		}
		switch {
		case want == "yes" && reason != "":
			t.Errorf("valid %q refused: %s", addr, reason)
		case want == "no" && reason == "":
			t.Errorf("invalid %q accepted", addr)
		}
	}
	if counts["yes"] != 22 || counts["no"] != 66 {
		t.Errorf("read %v; the data file changed", counts)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  Ann.Lee@Example.COM ": "Ann.Lee@example.com",
		"o'brien+crm@mail.ie":    "o'brien+crm@mail.ie",
	} {
		if got, reason := Normalize(in); got != want || reason != "" {
			t.Errorf("Normalize(%q) = %q, %q; want %q", in, got, reason, want)
		}
	}
	for in, want := range map[string]string{
		"":                       "is required",
		"ann.example.com":        "needs an @ between the name and the domain, as in name@example.com",
		"Ann <ann@x.com>":        "has a character that is not allowed before the @: ' '",
		"ann@x..com":             "has an empty part in the domain (two dots, or a dot at an end)",
		"ann@-x.com":             "has a domain part that starts or ends with a hyphen",
		`"ann smith"@x.com`:      `has a character that is not allowed before the @: '"'`,
		"ann@[192.168.0.1]":      "needs a domain name after the @, not an IP address",
		"foobar@192.168.0.1":     "needs a domain name after the @, not an IP address",
		"a@b":                    "needs a full domain after the @, with a dot, as in name@example.com",
		"test@example":           "needs a full domain after the @, with a dot, as in name@example.com",
		"first.last@com":         "needs a full domain after the @, with a dot, as in name@example.com",
		"x@example.123":          "has a domain that ends in a number; a domain ends in letters, as in .com",
		"test@iana.123":          "has a domain that ends in a number; a domain ends in letters, as in .com",
		"ann@xn--.com":           "has a domain part that starts or ends with a hyphen",
		"ann@b\u00fccher..de":    "has an empty part in the domain (two dots, or a dot at an end)",
		"ann@b\u00fc_cher.de":    "has a domain that is not a valid international domain name",
		"j\u00fcrgen@example.de": "has a character that is not allowed before the @: '\u00fc'",
		".ann@x.com":             "cannot start or end with a dot, or have two dots in a row, before the @",
	} {
		if _, reason := Normalize(in); reason != want {
			t.Errorf("Normalize(%q) reason %q, want %q", in, reason, want)
		}
	}
}

// TestInternationalDomain checks that a domain in another script is
// accepted and stored in the ASCII form mail servers use.
func TestInternationalDomain(t *testing.T) {
	for in, want := range map[string]string{
		"user@bücher.de":                       "user@xn--bcher-kva.de",
		"Ann@Bücher.DE":                        "Ann@xn--bcher-kva.de",
		"info@例え.テスト":                          "info@xn--r8jz45g.xn--zckzah",
		"test@xn--hxajbheg2az3al.xn--jxalpdlp": "test@xn--hxajbheg2az3al.xn--jxalpdlp",
	} {
		if got, reason := Normalize(in); got != want || reason != "" {
			t.Errorf("Normalize(%q) = %q, %q; want %q", in, got, reason, want)
		}
	}
}

// TestSuggest checks that slips in big providers' domains are caught and
// that real domains, including ones close to a provider, are left alone.
func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"ann@gmial.com":   "ann@gmail.com",
		"ann@hotmial.com": "ann@hotmail.com",
		"ann@gmail.con":   "ann@gmail.com",
		"ann@gmai.com":    "ann@gmail.com",
		"ann@ggmail.com":  "ann@gmail.com",
		"ann@yaho.com":    "ann@yahoo.com",
		"ann@outlok.com":  "ann@outlook.com",
		"ann@acme.cmo":    "ann@acme.com",
		"ann@gmail.com":   "",
		"ann@email.com":   "",
		"ann@mail.com":    "",
		"ann@acme.com":    "",
		"ann@acme.ngo":    "",
		"ann@example.org": "",
		"ann@gamil.co.uk": "",
		"ann@bücher.de":   "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

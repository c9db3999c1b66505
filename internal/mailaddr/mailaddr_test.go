package mailaddr

import (
	"encoding/csv"
	"os"
	"testing"

	"leadflow/internal/fixture"
)

// TestIsEmailSuite checks the public isemail test addresses: every address
// labelled valid is accepted and every one labelled invalid refused.
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
		"":                  "is required",
		"ann.example.com":   "needs an @ between the name and the domain, as in name@example.com",
		"Ann <ann@x.com>":   "has a character that is not allowed before the @: ' '",
		"ann@x..com":        "has an empty part in the domain (two dots, or a dot at an end)",
		"ann@-x.com":        "has a domain part that starts or ends with a hyphen",
		`"ann smith"@x.com`: `has a character that is not allowed before the @: '"'`,
		"ann@[192.168.0.1]": "has a character that is not allowed in the domain: '['",
		".ann@x.com":        "cannot start or end with a dot, or have two dots in a row, before the @",
	} {
		if _, reason := Normalize(in); reason != want {
			t.Errorf("Normalize(%q) reason %q, want %q", in, reason, want)
		}
	}
}

package accountmatch_test

import (
	"fmt"
	"testing"

	"leadflow/internal/accountmatch"
)

// What a lead's company may be found by, surest first.
func TestKeys(t *testing.T) {
	for _, c := range []struct {
		in   accountmatch.Candidate
		want string
	}{
		{accountmatch.Candidate{Email: "jane@acme.com"}, "[{email_domain acme.com}]"},
		{accountmatch.Candidate{Email: "Jane@Sales.EU.Acme.com"}, "[{email_domain sales.eu.acme.com} {email_domain eu.acme.com} {email_domain acme.com}]"},
		// A public suffix is nobody's company: acme.co.uk is as far as it goes.
		{accountmatch.Candidate{Email: "j@mail.acme.co.uk"}, "[{email_domain mail.acme.co.uk} {email_domain acme.co.uk}]"},
		{accountmatch.Candidate{Website: "https://www.fjord.no/about", Email: "x@fjord.no", Company: "Fjord AS"},
			"[{website fjord.no} {company_name fjord}]"},
		// Free mail says nothing, as an address or as a website.
		{accountmatch.Candidate{Email: "joe@gmail.com"}, "[]"},
		{accountmatch.Candidate{Email: "joe@yahoo.com", Website: "yahoo.com", Company: "Globex Corporation"}, "[{company_name globex}]"},
		{accountmatch.Candidate{Company: "  ACME, Inc. "}, "[{company_name acme}]"},
		{accountmatch.Candidate{Website: "not a site"}, "[]"},
	} {
		if got := fmt.Sprint(accountmatch.Keys(c.in)); got != c.want {
			t.Errorf("Keys(%+v) = %s, want %s", c.in, got, c.want)
		}
	}
}

// A look-alike domain is never the account's: none of its keys is acme.com.
func TestLookAlikeDomainsGiveOtherKeys(t *testing.T) {
	for _, email := range []string{"eve@acme-corp.com", "eve@acme.co", "eve@acme.com.evil.io", "eve@acrne.com", "eve@acmee.com", "eve@xacme.com"} {
		for _, k := range accountmatch.Keys(accountmatch.Candidate{Email: email}) {
			if k.Value == "acme.com" {
				t.Errorf("%s gives the key acme.com", email)
			}
		}
	}
}

func TestNameKeyDropsLegalFormsOnly(t *testing.T) {
	for _, p := range [][2]string{{"ACME GmbH", "acme"}, {"Acme Labs", "acme labs"}, {"Group", "group"}, {"Smith & Sons Ltd.", "smith & sons"}} {
		if got := accountmatch.NameKey(p[0]); got != p[1] {
			t.Errorf("NameKey(%q) = %q, want %q", p[0], got, p[1])
		}
	}
}

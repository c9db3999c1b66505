package phone

import (
	"encoding/csv"
	"os"
	"testing"

	"leadflow/internal/fixture"
)

// TestLibphonenumberExamples parses every example number of the shared
// data set, written nationally with its region as hint, and expects its
// E.164 form.
func TestLibphonenumberExamples(t *testing.T) {
	f, err := os.Open(fixture.Path(t, "phone/libphonenumber_example_numbers.csv", "testdata/libphonenumber_example_numbers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range rows[1:] {
		region, prefix, national, want := r[0], r[2], r[4], r[5]
		if region == "001" { // non-geographic numbers have no region to hint with
			if got, reason := Normalize(want, ""); got != want {
				t.Errorf("%s: %q → %q (%s)", region, want, got, reason)
			}
			continue
		}
		// Most regions dial national numbers with their trunk prefix; a
		// few (Colombian mobiles, Israeli 1-xxx) are dialled without it.
		got, reason := Normalize(prefix+national, region)
		if got != want {
			got, reason = Normalize(national, region)
		}
		if got != want {
			t.Errorf("%s: national %q → %q (%s), want %s", region, prefix+national, got, reason, want)
		}
		if got, _ := Normalize(want, "US"); got != want {
			t.Errorf("%s: international %q with a foreign hint → %q", region, want, got)
		}
		checked++
	}
	if checked < 1000 {
		t.Errorf("checked only %d numbers", checked)
	}
}

func TestNormalizeTypedForms(t *testing.T) {
	cases := []struct{ in, region, want, reason string }{
		{"0721 234 567", "RO", "+40721234567", ""},
		{"+40 (721) 234-567", "", "+40721234567", ""},
		{"0040721234567", "", "+40721234567", ""},
		{"(202) 555-0147", "US", "+12025550147", ""},
		{"070 7086 0753", "GB", "+447070860753", ""},
		{"0721 234 567", "", "", "needs the country code (such as +49) or a country for the lead"},
		{"12", "DE", "", "is not a valid phone number in DE; add the country code if it is from elsewhere"},
		{"call me", "DE", "", "is not a phone number"},
		{"", "DE", "", ""},
		{"+40 721 234 567 ext. 12", "", "+40721234567;ext=12", ""},
		{"0721 234 567 x12", "RO", "+40721234567;ext=12", ""},
		{"(202) 555-0147 ext 4", "US", "+12025550147;ext=4", ""},
	}
	for _, c := range cases {
		got, reason := Normalize(c.in, c.region)
		if got != c.want || reason != c.reason {
			t.Errorf("Normalize(%q, %q) = %q, %q; want %q, %q", c.in, c.region, got, reason, c.want, c.reason)
		}
	}
	for _, region := range []string{"RO", "DE", "US", "JP", "BR"} {
		ex := Example(region, 417)
		if got, _ := Normalize(ex, ""); got != ex || ex == "" {
			t.Errorf("Example(%s) = %q is not valid", region, ex)
		}
	}
}

// A stored number reads in groups, with its extension; one that does not
// parse reads as stored.
func TestShown(t *testing.T) {
	for _, c := range []struct{ stored, want string }{
		{"+390212345678", "+39 02 1234 5678"}, {"+40721234567;ext=12", "+40 721 234 567 ext. 12"},
		{"0721 234 567", "0721 234 567"}, {"", ""},
	} {
		if got := Shown(c.stored); got != c.want {
			t.Errorf("%q shown as %q, want %q", c.stored, got, c.want)
		}
	}
}

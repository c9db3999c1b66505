package i18n

import "testing"

// A number typed the reader's way reads as the parsers write it; what
// is not a number, or not one unambiguously, comes back as typed.
func TestReadNumber(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"it", "1250,50", "1250.50"},
		{"it", "1.250,50", "1250.50"},
		{"it", "112.000", "112000"},
		{"it", "1250.50", "1250.50"},
		{"it", "0.500", "0.500"},
		{"it", "1,5", "1.5"},
		{"it", "-3,25", "-3.25"},
		{"ro", "2.500.000", "2500000"},
		{"nb", "12 500,5", "12500.5"},
		{"nb", "12\u00a0500", "12500"},
		{"nb", "\u22121,5", "-1.5"},
		{"en", "1,250.50", "1250.50"},
		{"en", "112,000", "112000"},
		{"en", "1.5", "1.5"},
		{"en", "1,5", "1,5"},
		{"it", "1,2,3", "1,2,3"},
		{"it", "12.50.1", "12.50.1"},
		{"it", "molto", "molto"},
		{"it", "1.25,5", "1.25,5"},
		{"ro", "", ""},
	}
	for _, c := range cases {
		if got := For(c.lang).ReadNumber(c.in); got != c.want {
			t.Errorf("%s: %q read as %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

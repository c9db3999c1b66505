package i18n

import (
	"strings"
	"testing"
)

// A number typed the reader's way reads as the parsers write it where
// the reading is certain; what is not a number, or not certainly one,
// comes back as typed; and a number read once reads the same again.
func TestReadNumber(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"it", "1250,50", "1250.50"},
		{"it", "1.250,50", "1250.50"},
		{"it", "1.250.000", "1250000"},
		{"it", "1250.50", "1250.50"},
		{"it", "0,1212", "0.1212"},
		{"it", "1,5", "1.5"},
		{"it", "-3,25", "-3.25"},
		{"ro", "2.500.000", "2500000"},
		{"ro", "480,00", "480.00"},
		{"nb", "12 500,5", "12500.5"},
		{"nb", "12\u00a0500", "12500"},
		{"nb", "\u22121,5", "-1.5"},
		{"en", "1,250.50", "1250.50"},
		{"en", "112,000", "112000"},
		{"en", "1.5", "1.5"},
		// Not certain, or not numbers: left for the parser.
		{"it", "112.000", "112.000"}, // 112 thousand, or 112?
		{"it", "1,125", "1.125"},     // a comma is never a thousands mark here
		{"it", "1.125", "1.125"},
		{"it", "0.500", "0.500"},
		{"nb", "1.250.000", "1.250.000"}, // Bokmål groups with spaces
		{"it", "1.250 000,5", "1.250 000,5"},
		{"en", "1,5", "1,5"},
		{"it", "1,2,3", "1,2,3"},
		{"it", "12.50.1", "12.50.1"},
		{"it", "molto", "molto"},
		{"it", "1.25,5", "1.25,5"},
		{"ro", "", ""},
	}
	for _, c := range cases {
		l := For(c.lang)
		got := l.ReadNumber(c.in)
		if got != c.want {
			t.Errorf("%s: %q read as %q, want %q", c.lang, c.in, got, c.want)
		}
		if again := l.ReadNumber(got); again != got {
			t.Errorf("%s: %q read as %q, then again as %q", c.lang, c.in, got, again)
		}
	}
}

// A number that is always whole reads a point as grouping thousands where
// the language groups them so.
func TestReadWhole(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"it", "1.500", "1500"}, {"ro", "112.000", "112000"}, {"nb", "1.500", "1.500"}, {"nb", "1 500", "1500"}, {"en", "1,500", "1500"}, {"it", "15", "15"},
	} {
		if got := For(c.lang).ReadWhole(c.in); got != c.want {
			t.Errorf("%s: %q read as %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

// A number shown again in a form is written the reader's way and reads
// back as the same number, whether it has cents or not.
func TestTypedReadsBack(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"it", "1250.50", "1250,50"}, {"ro", "-3.25", "-3,25"}, {"nb", "0.1212", "0,1212"}, {"it", "1.125", "1,125"},
		{"it", "12500", "12500"}, {"en", "1250.50", "1250.50"}, {"it", "1.250,50", "1.250,50"}, {"it", "molto", "molto"}, {"nb", "", ""},
	} {
		l := For(c.lang)
		got := l.Typed(c.in)
		if got != c.want {
			t.Errorf("%s: %q written as %q, want %q", c.lang, c.in, got, c.want)
		}
		if back := l.ReadNumber(got); back != l.ReadNumber(c.in) {
			t.Errorf("%s: %q written as %q reads back as %q", c.lang, c.in, got, back)
		}
		// A whole number's field reads what it shows the same way: the
		// value it shows is what ReadWhole made of what was typed.
		if whole := l.ReadWhole(c.in); l.ReadWhole(l.Typed(whole)) != whole {
			t.Errorf("%s: %q read whole as %q, shown as %q, reads back as %q", c.lang, c.in, whole, l.Typed(whole), l.ReadWhole(l.Typed(whole)))
		}
	}
}

// An amount a reason gives in English reads as the reader writes money.
func TestReasonAmountsReadTheReadersWay(t *testing.T) {
	for lang, want := range map[string]string{"ro": "1.678,57", "nb": "1\u00a0269,16", "en": "1,678.57"} {
		amount := map[string]string{"ro": "1,678.57 EUR", "nb": "1,269.16 NOK", "en": "1,678.57 EUR"}[lang]
		got := For(lang).Reason("is more than the " + amount + " still owed")
		if !strings.Contains(got, want) {
			t.Errorf("%s: %q does not write the amount as %s", lang, got, want)
		}
	}
}

// A day or a quarter typed the reader's way reads as leadflow keeps it.
func TestReadDay(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"ro", "31.03.2027", "2027-03-31"}, {"nb", "31.03.2027", "2027-03-31"}, {"it", "31/03/2027", "2027-03-31"},
		{"ro", "T1 2027", "2027-Q1"}, {"nb", "K2 2027", "2027-Q2"}, {"it", "2027 T3", "2027-Q3"}, {"en", "Q4 2027", "2027-Q4"},
		{"ro", "2027-03-31", "2027-03-31"}, {"ro", "curând", "curând"}, {"ro", "T5 2027", "T5 2027"},
	} {
		if got := For(c.lang).ReadDay(c.in); got != c.want {
			t.Errorf("%s: %q read as %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

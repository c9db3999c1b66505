package country

import (
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"ro": "RO", " Germany ": "DE", "united kingdom": "GB", "US": "US", "USA": "US", "uk": "GB", "Deutschland": "DE", "Korea, Republic of": "KR"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "XX", "Atlantis"} {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, want unknown", in, got)
		}
	}
	if n := len(All()); n < 245 {
		t.Errorf("only %d countries", n)
	}
}

// A Romanian, Italian or Norwegian team's export names countries in its
// language; each name must read as the country it names.
func TestNormalizeReadsNativeNames(t *testing.T) {
	for in, want := range map[string]string{"Germania": "DE", "Regatul Unit": "GB", "Norvegia": "NO",
		"Svizzera": "CH", "Stati Uniti": "US", "Tyskland": "DE", "Storbritannia": "GB", "Sveits": "CH", "ROMÂNIA": "RO",
		"romania": "RO", "Cote d’Ivoire": "CI", "Côte d'Ivoire": "CI", "  Regno   Unito ": "GB", "Island": "IS", "Østerrike": "AT", "Osterrike": "AT", "Costa d'Avorio": "CI", "Costa d’Avorio": "CI"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, lang := range nativeNames {
		names := display.Regions(language.MustParse(lang))
		for _, c := range All() {
			n := names.Name(language.MustParseRegion(c.Code))
			if got, ok := Normalize(n); !ok || got != c.Code {
				t.Errorf("%s: Normalize(%q) = %q, %v; want %s", lang, n, got, ok, c.Code)
			}
		}
	}
}

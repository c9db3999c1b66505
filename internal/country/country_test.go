package country

import "testing"

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

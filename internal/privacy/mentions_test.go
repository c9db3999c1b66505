package privacy

import "testing"

func TestMentionsWholeAddressOnly(t *testing.T) {
	const email = "bob@x.io"
	for _, c := range []struct {
		text string
		want bool
	}{
		{`{"email":"bob@x.io"}`, true},
		{`{"email":"BOB@X.IO"}`, true},
		{`bob@x.io,Bob,Jones`, true},
		{`write to bob@x.io.`, true},
		{`mailto:bob@x.io`, true},
		{`jimbob@x.io`, false},
		{`bob@x.io.evil`, false},
		{`bob@x.iom`, false},
		{`jim.bob@x.io and bob@x.io`, true},
		{``, false},
	} {
		if got := mentions(c.text, email); got != c.want {
			t.Errorf("mentions(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if got := redact(`{"merged_lead":["7","Bob@X.io"],"note":"jimbob@x.io"}`, email); got != `{"merged_lead":["7","[erased]"],"note":"jimbob@x.io"}` {
		t.Errorf("redact: %s", got)
	}
}

func TestScannerFindsAnAddressSplitBetweenPieces(t *testing.T) {
	s := scanner{email: "bob@x.io"}
	if s.holds([]byte("name,email\nBob,BO")) {
		t.Fatal("found in the first piece")
	}
	if !s.holds([]byte("B@x.io\n")) {
		t.Error("not found across pieces")
	}
}

func TestNormalizeRefusesWhatIsNotAnAddress(t *testing.T) {
	for _, in := range []string{"", "a", "@x.io", "bob@", "bo b@x.io"} {
		if _, err := normalize(in); err == nil {
			t.Errorf("normalize(%q) accepted", in)
		}
	}
	if e, err := normalize("  Bob@X.io "); err != nil || e != "bob@x.io" {
		t.Errorf("normalize = %q, %v", e, err)
	}
}

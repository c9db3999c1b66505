package textcheck

import (
	"net/url"
	"testing"

	"leadflow/internal/fault"
)

func TestProblem(t *testing.T) {
	for s, want := range map[string]string{
		"Ştefan Ţurcanu": "", "": "", "a\x00b": HasNUL, "\xff": NotUTF8, "ok\xc3": NotUTF8,
	} {
		if got := Problem(s); got != want {
			t.Errorf("Problem(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestFormNamesEachBadField(t *testing.T) {
	err := Form(url.Values{"email": {"a\x00@b.co"}, "city": {"Bra\xffila"}, "name": {"Ana"}, "k\xfe": {"v"}})
	e := fault.As(err)
	if e == nil || e.Code != fault.Invalid {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{"email": HasNUL, "city": NotUTF8, `"k\xfe"`: "the field name " + NotUTF8}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields = %v", e.Fields)
	}
	for k, v := range want {
		if e.Fields[k] != v {
			t.Errorf("fields[%s] = %q, want %q", k, e.Fields[k], v)
		}
	}
	if Form(url.Values{"q": {"Brăila"}}) != nil {
		t.Error("valid text refused")
	}
}

package nurture_test

import (
	"mime"
	"testing"
)

type mimeWords struct{ mime.WordDecoder }

func (d *mimeWords) decode(t *testing.T, v string) string {
	t.Helper()
	s, err := d.DecodeHeader(v)
	if err != nil {
		t.Fatalf("header %q: %v", v, err)
	}
	return s
}

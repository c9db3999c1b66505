package mail_test

import (
	"mime"
	"testing"
)

type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) header(t *testing.T, v string) string {
	t.Helper()
	s, err := d.DecodeHeader(v)
	if err != nil {
		t.Fatalf("header %q: %v", v, err)
	}
	return s
}

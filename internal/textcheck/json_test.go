package textcheck

import (
	"testing"

	"leadflow/internal/fault"
)

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		body  string
		field string // "" when accepted
		why   string
	}{
		{`{"email":"a@b.co","custom":{"size":"10"},"tags":["x","y"]}`, "", ""},
		{` {"a":1} ` + "\n", "", ""},
		{`{"a":1,"b":[{"a":2}],"c":{"a":3}}`, "", ""},
		{`{"email":"a@b.co","email":"c@d.co"}`, "email", "appears more than once"},
		{`{"custom":{"k":"1","k":"2"}}`, "custom.k", "appears more than once"},
		{`{"a":1}{"b":2}`, "body", ErrTrailing.Error()},
		{`{"a":1} x`, "body", ErrTrailing.Error()},
		{`{"a":1},`, "body", ErrTrailing.Error()},
		{`{"email":"a\u0000b"}`, "email", HasNUL},
		{"{\"city\":\"Br\xffila\"}", "city", NotUTF8},
		{"{\"fields\":[{\"label\":\"ok\"},{\"label\":\"\xfe\"}]}", "fields[1].label", NotUTF8},
		{`{"a\u0000":1}`, `"a\x00"`, "the member name " + HasNUL},
		{`"\u0000"`, "body", HasNUL},
	} {
		err := JSON([]byte(tc.body))
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", tc.body, err)
			}
			continue
		}
		e := fault.As(err)
		if e == nil || e.Code != fault.Invalid || e.Fields[tc.field] != tc.why {
			t.Errorf("%s: err = %v, want %s: %s", tc.body, err, tc.field, tc.why)
		}
	}
	for _, notJSON := range []string{``, `{`, `{"a":}`, `[1,]`} {
		if err := JSON([]byte(notJSON)); err == nil || fault.As(err) != nil {
			t.Errorf("%q: err = %v, want a syntax error", notJSON, err)
		}
	}
}

package public

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	v, isJSON, err := Decode("application/x-www-form-urlencoded", strings.NewReader("email=a%40b.co&consent=false&consent=true"))
	if err != nil || isJSON || v["email"] != "a@b.co" || v["consent"] != "true" {
		t.Errorf("urlencoded: %v %v %v", v, isJSON, err)
	}
	v, isJSON, err = Decode("application/json; charset=utf-8", strings.NewReader(`{"email":"a@b.co","employees":120,"consent":true,"phone":null}`))
	if err != nil || !isJSON || v["employees"] != "120" || v["consent"] != "true" || len(v) != 3 {
		t.Errorf("json: %v %v %v", v, isJSON, err)
	}
	for _, bad := range []string{`[1]`, `{"a":[1]}`, `{"a":{"b":1}}`, `{`, `null`} {
		if _, _, err := Decode("application/json", strings.NewReader(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// FuzzDecode feeds arbitrary bodies to the submission decoder: it returns
// values or an error, never panics, and never invents a field.
func FuzzDecode(f *testing.F) {
	f.Add("application/json", `{"email":"a@b.co","n":1.5e3,"ok":false}`)
	f.Add("application/x-www-form-urlencoded", "email=a%40b.co&_hp=&x=%zz")
	f.Add("text/plain", "\x00\xff")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		v, _, err := Decode(contentType, strings.NewReader(body))
		if err == nil && v == nil {
			t.Fatal("no values and no error")
		}
		for k := range v {
			if !strings.Contains(body, k) && !strings.Contains(body, "%") && !strings.Contains(body, "+") && !strings.Contains(body, `\`) {
				t.Fatalf("field %q is not in the body %q", k, body)
			}
		}
	})
}

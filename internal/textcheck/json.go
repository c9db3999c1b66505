package textcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"leadflow/internal/fault"
)

// ErrTrailing is the reason given for data after a JSON document's value.
var ErrTrailing = errors.New("has data after the JSON value")

// JSON checks a JSON document more strictly than encoding/json does:
// exactly one value (a second one, or anything but space after it, is
// refused), no object with the same member twice (which member would win
// is a guess), and every string valid UTF-8 without NUL (encoding/json
// would quietly turn bad bytes into U+FFFD). A document that is not JSON
// at all comes back as the decoder's error; the other refusals are
// Invalid errors naming the member by its path ("custom.size",
// "fields[2].label").
func JSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	bad := fault.Fields{}
	var stack []*container
	var prev int64
	for done := false; !done; {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		chunk := raw[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		var top *container
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			done = ended(stack)
			continue
		}
		if top != nil && top.object && top.wantKey {
			key := tok.(string) // the decoder allows nothing else here
			top.key, top.wantKey = key, false
			path := top.path(key)
			if p := stringProblem(chunk, key); p != "" {
				bad.Add(path, "the member name "+p)
			} else if top.keys[key] {
				bad.Add(path, "appears more than once")
			}
			top.keys[key] = true
			continue
		}
		path := ""
		if top != nil {
			path = top.current()
		}
		switch v := tok.(type) {
		case json.Delim:
			c := &container{object: v == '{', at: path, wantKey: true}
			if c.object {
				c.keys = map[string]bool{}
			}
			stack = append(stack, c)
			continue
		case string:
			if p := stringProblem(chunk, v); p != "" {
				bad.Add(orBody(path), p)
			}
		}
		done = ended(stack)
	}
	if _, err := dec.Token(); err != io.EOF {
		bad.Add("body", ErrTrailing.Error())
	}
	return bad.Err()
}

// container is an object or array the walk is inside.
type container struct {
	object  bool
	at      string // its own path
	keys    map[string]bool
	key     string // the member being read
	wantKey bool
	index   int // the element being read
}

func (c *container) path(key string) string {
	if c.at == "" {
		return Name(key)
	}
	return c.at + "." + Name(key)
}

// current is the path of the member or element being read.
func (c *container) current() string {
	if c.object {
		return c.path(c.key)
	}
	return c.at + "[" + strconv.Itoa(c.index) + "]"
}

// ended moves the innermost container past the value just read, and
// reports whether that value was the whole document.
func ended(stack []*container) bool {
	if len(stack) == 0 {
		return true
	}
	top := stack[len(stack)-1]
	if top.object {
		top.wantKey = true
	} else {
		top.index++
	}
	return false
}

// stringProblem checks a string token: its raw bytes for UTF-8 (the
// decoded value has lost them) and its value for NUL.
func stringProblem(raw []byte, s string) string {
	if !utf8.Valid(raw) {
		return NotUTF8
	}
	return Problem(s)
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

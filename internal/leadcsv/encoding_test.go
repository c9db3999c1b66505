package leadcsv

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	utf16 "golang.org/x/text/encoding/unicode"
)

// encode writes text in enc, as another program would have saved it.
func encode(t *testing.T, enc encoding.Encoding, text string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	return b
}

// readBytes reads every row of b in encoding, each of which must be good.
func readBytes(t *testing.T, b []byte, encoding string) (*Reader, []Row) {
	t.Helper()
	rd, rows := readIn(t, bytes.NewReader(b), encoding)
	for _, row := range rows {
		if row.Err != nil {
			t.Errorf("line %d: %v", row.Line, row.Err)
		}
	}
	return rd, rows
}

// TestEncodingIsGuessed: files saved by Excel and other tools in the
// encodings of Central and Western Europe read back exactly.
func TestEncodingIsGuessed(t *testing.T) {
	utf16le := utf16.UTF16(utf16.LittleEndian, utf16.IgnoreBOM)
	utf16be := utf16.UTF16(utf16.BigEndian, utf16.IgnoreBOM)
	for _, c := range []struct {
		name string
		enc  encoding.Encoding
		bom  string
		row  []string
		want string
	}{
		{"romanian in windows-1250", charmap.Windows1250, "", []string{"Ştefan", "Ţurcanu", "Brăila"}, Windows1250},
		{"romanian in iso-8859-2", charmap.ISO8859_2, "", []string{"Ştefan", "Ţurcanu", "Brăila"}, Windows1250},
		{"polish in windows-1250", charmap.Windows1250, "", []string{"Michał", "Woźniak", "Łódź"}, Windows1250},
		{"polish in iso-8859-2", charmap.ISO8859_2, "", []string{"Jolanta", "Wąsik", "Świętochłowice"}, ISO88592},
		{"czech in windows-1250", charmap.Windows1250, "", []string{"Čeněk", "Dvořák", "Příbram"}, Windows1250},
		{"german and french in windows-1252", charmap.Windows1252, "", []string{"Jürgen", "Müller", "Zürich, Façade"}, Windows1252},
		{"french in windows-1252", charmap.Windows1252, "", []string{"Hélène", "Lefèvre", "Besançon à côté"}, Windows1252},
		{"portuguese in windows-1252", charmap.Windows1252, "", []string{"João", "Simões", "São Paulo"}, Windows1252},
		{"spanish in windows-1252", charmap.Windows1252, "", []string{"Íñigo", "Muñoz", "A Coruña"}, Windows1252},
		{"utf-8", encoding.Nop, "", []string{"Ştefan", "Ţurcanu", "Brăila"}, UTF8},
		{"utf-8 with a byte-order mark", encoding.Nop, "\xef\xbb\xbf", []string{"Zoë", "Ørsted", "Kraków"}, UTF8},
		{"utf-16le with a byte-order mark", utf16le, "\ufeff", []string{"Ştefan", "Ţurcanu", "Brăila"}, UTF16LE},
		{"utf-16be with a byte-order mark", utf16be, "\ufeff", []string{"Jürgen", "Müller", "Zürich"}, UTF16BE},
		{"utf-16le without one", utf16le, "", []string{"Ana", "Pop", "Brăila"}, UTF16LE},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := c.bom + "Email\tFirst Name\tLast Name\tCity\r\nx@x.io\t" + strings.Join(c.row, "\t") + "\r\n"
			rd, rows := readBytes(t, encode(t, c.enc, text), "")
			if rd.Encoding != c.want || !rd.Guessed {
				t.Errorf("read as %s, want %s", rd.Encoding, c.want)
			}
			if want := []string{"Email", "First Name", "Last Name", "City"}; !reflect.DeepEqual(rd.Header, want) {
				t.Errorf("header %q", rd.Header)
			}
			if len(rows) != 1 || !reflect.DeepEqual(rows[0].Values[1:], c.row) {
				t.Errorf("rows %+v, want %q", rows, c.row)
			}
		})
	}
}

func TestEncodingGiven(t *testing.T) {
	// Read as guessed, these bytes are Windows-1250; told, ISO-8859-2.
	b := encode(t, charmap.ISO8859_2, "email,city\nx@x.io,Brăila\n")
	rd, rows := readBytes(t, b, ISO88592)
	if rd.Encoding != ISO88592 || rd.Guessed || rows[0].Values[1] != "Brăila" {
		t.Errorf("%s: %+v", rd.Encoding, rows)
	}
	// A wrong choice is the user's: Romanian read as Windows-1252.
	_, rows = readBytes(t, encode(t, charmap.Windows1250, "email,city\nx@x.io,Ştefan\n"), Windows1252)
	if rows[0].Values[1] != "ªtefan" {
		t.Errorf("forced windows-1252: %q", rows[0].Values[1])
	}
	if _, err := NewReaderIn(strings.NewReader("email\n"), "ebcdic"); err == nil {
		t.Error("an unknown encoding was accepted")
	}
}

// TestLateNonUTF8Bytes: a UTF-8 file whose rows far past the part its
// encoding is guessed from hold a Windows-1252 byte reads every row.
func TestLateNonUTF8Bytes(t *testing.T) {
	var b strings.Builder
	b.WriteString("email,city\n")
	for b.Len() < 2*sampleSize {
		b.WriteString("ana@x.io,Brăila\n")
	}
	b.WriteString("zoe@x.io,K\xf6ln\n")
	rd, rows := readBytes(t, []byte(b.String()), "")
	last := rows[len(rows)-1]
	if rd.Encoding != UTF8 || rows[0].Values[1] != "Brăila" || last.Values[1] != "Köln" {
		t.Errorf("%s: first %q, last %q", rd.Encoding, rows[0].Values, last.Values)
	}
}

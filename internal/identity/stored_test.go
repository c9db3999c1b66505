package identity

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPreparedReadsBackAsWritten: records written one after another and
// read back from one string are the records prepared, field by field, so
// a run that goes through files scores every pair as one in memory; a cut
// or garbled record is an error, never a record.
func TestPreparedReadsBackAsWritten(t *testing.T) {
	recs := mixedRecords(t, 3000)
	recs = append(recs, Record{ID: 1 << 40, FirstName: "Ștefan", LastName: "Ødegård", Company: "Caffè Ñandú S.r.l."}, Record{ID: 7},
		Record{ID: 8, FirstName: "Ana", LastName: "Pop", Street: strings.Repeat("Ș", 40000), City: "Iași"})
	var b []byte
	for _, r := range recs {
		b, _ = Prepare(r).AppendBinary(b)
	}
	rest := string(b)
	var back []Prepared
	for rest != "" {
		p, tail, err := ReadPrepared(rest)
		if err != nil {
			t.Fatalf("record %d: %v", len(back), err)
		}
		back = append(back, p)
		rest = tail
	}
	if len(back) != len(recs) {
		t.Fatalf("read %d records back, wrote %d", len(back), len(recs))
	}
	for i, r := range recs {
		if want := prepare(r); back[i].p != want {
			t.Fatalf("record %d read back as %+v, want %+v", i, back[i].p, want)
		}
	}
	for i := 0; i+1 < len(recs); i += 2 {
		x, y := Prepare(recs[i]), Prepare(recs[i+1])
		want, _ := Default.Score(x, y)
		if got, _ := Default.Score(&back[i], &back[i+1]); got.Score != want.Score || got.Verdict != want.Verdict || got.A != want.A || got.B != want.B {
			t.Fatalf("pair %d: scored %+v read back, %+v as prepared", i, got, want)
		}
	}

	long := back[len(back)-1].p
	if len(long.text) > maxText || !utf8.ValidString(long.text) || long.first() != "ana" || long.last() != "pop" {
		t.Errorf("a record with an 80,000-byte street kept %d bytes (valid UTF-8: %v), names %q %q; want at most %d, cut between characters, the names kept",
			len(long.text), utf8.ValidString(long.text), long.first(), long.last(), maxText)
	}

	one, _ := Prepare(recs[0]).AppendBinary(nil)
	for _, bad := range []string{"", string(one[:len(one)-1]), string(one[:3]), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "\x01" + strings.Repeat("\xff\xff\xff\xff\x0f", nTexts)} {
		if _, _, err := ReadPrepared(bad); err == nil {
			t.Errorf("%q read as a record", bad)
		}
	}
}

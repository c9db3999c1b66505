package leadcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// maxQuotedSpan bounds how far past its first line a quoted field may
// run. A quote opened by mistake would otherwise swallow every line after
// it; a real multi-line cell (notes) is far shorter, and one over
// MaxField is refused anyway.
const maxQuotedSpan = 64 << 10

// brokenLine is a line that opened a quoted field never closed.
type brokenLine struct {
	line int
	text string
}

// recordFeeder hands the CSV parser its input one record at a time, so
// that a quote left open costs only its own line: when a record runs over
// several lines and does not end as CSV allows (the file ends, a quote
// is followed by something else, or it runs on past maxQuotedSpan), its
// first line is set aside as broken, given to the parser as an empty line
// (which keeps the parser's line numbers right), and the lines after it
// are read again as records of their own.
type recordFeeder struct {
	src    *bufio.Reader
	comma  byte
	out    []byte   // ready for the parser
	again  [][]byte // lines to read again after a broken record
	broken []brokenLine
	line   int // lines handed to the parser
	err    error
}

func (f *recordFeeder) Read(p []byte) (int, error) {
	for len(f.out) == 0 {
		if f.err != nil && len(f.again) == 0 {
			return 0, f.err
		}
		f.fill()
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

func (f *recordFeeder) nextLine() []byte {
	if len(f.again) > 0 {
		l := f.again[0]
		f.again = f.again[1:]
		return l
	}
	if f.err != nil {
		return nil
	}
	l, err := f.src.ReadBytes('\n')
	if err != nil {
		f.err = err
	}
	return l
}

// fill puts the next record, or the empty line standing for a broken
// one, in out.
func (f *recordFeeder) fill() {
	first := f.nextLine()
	if len(first) == 0 {
		return
	}
	open, _ := scanLine(first, f.comma, false)
	if !open {
		f.out = first
		f.line++
		return
	}
	lines, span := [][]byte{first}, 0
	for {
		next := f.nextLine()
		if len(next) == 0 {
			break // the file ends inside the quotes
		}
		lines = append(lines, next)
		span += len(next)
		stillOpen, bad := scanLine(next, f.comma, true)
		if bad || span > maxQuotedSpan {
			break
		}
		if !stillOpen {
			f.out = bytes.Join(lines, nil)
			f.line += len(lines)
			return
		}
	}
	f.line++
	f.broken = append(f.broken, brokenLine{line: f.line, text: string(bytes.TrimRight(first, "\r\n"))})
	f.again = append(lines[1:], f.again...)
	f.out = []byte("\n")
}

// scanLine follows CSV's quoting over one line, starting inside a quoted
// field when quoted. It reports whether the line ends inside a quoted
// field, and whether a quote breaks the rules (the parser then rejects
// the record and goes on at the next line).
func scanLine(line []byte, comma byte, quoted bool) (open, bad bool) {
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	i := 0
	for {
		if !quoted {
			if i < len(line) && line[i] == '"' {
				quoted, i = true, i+1
				continue
			}
			field := line[i:]
			j := bytes.IndexByte(field, comma)
			if j >= 0 {
				field = field[:j]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return false, true
			}
			if j < 0 {
				return false, false
			}
			i += j + 1
			continue
		}
		j := bytes.IndexByte(line[i:], '"')
		if j < 0 {
			return true, false
		}
		i += j + 1
		switch {
		case i == len(line):
			return false, false
		case line[i] == '"':
			i++
		case line[i] == comma:
			quoted, i = false, i+1
		default:
			return false, true
		}
	}
}

// looseCells splits a broken line into cells as best it can, for the
// rejected rows file.
func looseCells(text string, comma rune) []string {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = comma, true, -1
	cells, err := r.Read()
	if err != nil && err != io.EOF || len(cells) == 0 {
		return []string{text}
	}
	return cells
}

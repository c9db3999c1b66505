package leadcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"leadflow/internal/lead"
	"leadflow/internal/textcheck"
)

// MaxColumns bounds the columns of a file. Lead exports of other tools
// have a few dozen (Salesforce's Data Loader 67); a file with thousands is
// not a lead list, and its mapping form alone would be enormous.
const MaxColumns = 500

// MaxField bounds one cell, in bytes; a longer one is a broken file, not
// data, and rejects its row.
const MaxField = 10_000

// Reader streams the rows of a CSV file: it reads the file's encoding
// (given, or guessed: see sniffEncoding) into UTF-8, removes a byte-order
// mark, and finds the delimiter (comma, semicolon or tab) from the header
// line.
type Reader struct {
	Header []string
	// Encoding is the encoding the file is read in (one of Encodings);
	// Guessed is set when it was guessed rather than given.
	Encoding string
	Guessed  bool
	// Written is set for a file leadflow wrote (see Written): the quote
	// that neutralised a cell is removed from it.
	Written bool
	csv     *csv.Reader
	feed    *recordFeeder
	counted *countingReader
	line    int
	held    *Row // read ahead while a broken line before it was reported
	heldErr error
}

// Row is one data row of the file.
type Row struct {
	Line   int      // line number in the file, the header being line 1
	Values []string // the cells as read
	Err    error    // set when the row could not be parsed; Values may be partial
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// ErrNoHeader is returned for an empty file.
var ErrNoHeader = errors.New("the file is empty: it needs a header line naming the columns")

// sampleSize is how much of a file its encoding and delimiter are
// guessed from.
const sampleSize = 1 << 20

// NewReader reads the header of r, guessing its encoding.
func NewReader(r io.Reader) (*Reader, error) { return NewReaderIn(r, "") }

// NewReaderIn reads the header of r, which is in encoding (one of
// Encodings), or in the encoding guessed from its first megabyte when
// encoding is "". A byte-order mark of the encoding is skipped.
func NewReaderIn(r io.Reader, encoding string) (*Reader, error) {
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(counted, sampleSize)
	sample, _ := br.Peek(sampleSize)
	rd := &Reader{counted: counted, Encoding: encoding}
	if encoding == "" {
		rd.Encoding, rd.Guessed = sniffEncoding(sample), true
	}
	dec, err := decoder(rd.Encoding)
	if err != nil {
		return nil, err
	}
	if bom := boms[rd.Encoding]; bom != nil && bytes.HasPrefix(sample, bom) {
		br.Discard(len(bom))
		sample = sample[len(bom):]
	}
	decoded, _, _ := transform.Bytes(dec, sample[:min(len(sample), 64<<10)&^1])
	dec.Reset()
	src := transform.NewReader(br, dec)
	comma := sniffDelimiter(decoded)
	rd.feed = &recordFeeder{src: bufio.NewReader(src), comma: byte(comma)}
	rd.csv = csv.NewReader(rd.feed)
	rd.csv.Comma = comma
	rd.csv.FieldsPerRecord = -1
	header, err := rd.csv.Read()
	if len(rd.feed.broken) > 0 && (err != nil || len(header) == 0 || rd.feed.broken[0].line < headerLine(rd.csv)) {
		return nil, fmt.Errorf("header line: line %d opens a quoted field that is never closed", rd.feed.broken[0].line)
	}
	if err == io.EOF {
		return nil, ErrNoHeader
	}
	if err != nil {
		return nil, fmt.Errorf("header line: %w", err)
	}
	if len(header) > MaxColumns {
		return nil, fmt.Errorf("the file has %d columns; leadflow reads at most %d", len(header), MaxColumns)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if rd.Written = Written(header); rd.Written {
		for i := range header {
			header[i] = restore(header[i])
		}
	}
	rd.Header, rd.line = header, 1
	return rd, nil
}

// trimPartialRune drops a multi-byte character cut off at the end of a
// sample, so a UTF-8 file is not mistaken for another encoding.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size > 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// sniffDelimiter picks the separator used most in the first line, outside
// quotes; comma when there is no sign of another.
func sniffDelimiter(sample []byte) rune {
	line, _, _ := bytes.Cut(sample, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func headerLine(r *csv.Reader) int {
	line, _ := r.FieldPos(0)
	return line
}

// Next returns the next row, or io.EOF after the last. A row the CSV
// parser refuses comes back with Err set; reading can go on after it.
// A line that opens a quoted field never closed is such a row, alone:
// the lines after it are read as rows of their own.
func (rd *Reader) Next() (Row, error) {
	if rd.held == nil {
		row, err := rd.next()
		if err != nil && err != io.EOF {
			return row, err
		}
		rd.held, rd.heldErr = &row, err
	}
	if b := rd.feed.broken; len(b) > 0 && (rd.heldErr == io.EOF || b[0].line < rd.held.Line) {
		rd.feed.broken = b[1:]
		row := Row{Line: b[0].line, Values: looseCells(b[0].text, rd.csv.Comma),
			Err: fmt.Errorf("not valid CSV: line %d opens a quoted field that is never closed", b[0].line)}
		if rd.Written {
			for i, v := range row.Values {
				row.Values[i] = restore(v)
			}
		}
		return row, nil
	}
	row, err := *rd.held, rd.heldErr
	rd.held, rd.heldErr = nil, nil
	return row, err
}

func (rd *Reader) next() (Row, error) {
	values, err := rd.csv.Read()
	rd.line++
	if err == io.EOF {
		return Row{}, io.EOF
	}
	line := rd.line
	if err == nil && len(values) > 0 {
		line, _ = rd.csv.FieldPos(0) // FieldPos is only defined for a record read whole
	}
	row := Row{Line: line, Values: append([]string(nil), values...)}
	if rd.Written {
		for i, v := range row.Values {
			row.Values[i] = restore(v)
		}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		row.Line, row.Err = pe.StartLine, fmt.Errorf("not valid CSV: %v", pe.Err)
	} else if err != nil {
		return row, err
	}
	return row, nil
}

// BytesRead is how much of the underlying file has been consumed, for
// progress (it runs a buffer ahead of the rows).
func (rd *Reader) BytesRead() int64 { return rd.counted.n.Load() }

// Changes turns a row into lead changes following m. Empty cells are left
// out, so an import fills fields and never clears them. It fails, naming
// the column, on a cell too long or a custom column that is not JSON.
func (m Mapping) Changes(header []string, values []string) (lead.Changes, error) {
	c := lead.Changes{}
	status := ""
	for i, field := range m {
		if field == Ignore || i >= len(values) {
			continue
		}
		v := strings.TrimSpace(values[i])
		if len(v) > MaxField {
			return nil, fmt.Errorf("column %q is longer than %d bytes", columnName(header, i), MaxField)
		}
		if v == "" {
			continue
		}
		if p := textcheck.Problem(v); p != "" {
			return nil, fmt.Errorf("column %q %s", textcheck.Name(columnName(header, i)), p)
		}
		switch field {
		case FCustom:
			var custom map[string]string
			if err := json.Unmarshal([]byte(v), &custom); err != nil {
				return nil, fmt.Errorf("column %q must be a JSON object of text values", columnName(header, i))
			}
			for k, val := range custom {
				c[lead.CustomPrefix+k] = val
			}
		case fieldStatus:
			status = v
		case FOutcome:
			st, ok := outcomeStage(v)
			if !ok {
				return nil, fmt.Errorf("column %q is an outcome: it must be yes or no (won or lost, true or false, 1 or 0), not %q", columnName(header, i), v)
			}
			c[lead.FStage] = st
		case lead.FStage:
			c[lead.FStage] = stageOf(v)
		case lead.FJobTitle:
			if isSalutation(v) {
				field = fSalutation // Mautic's "title" is Mr., Mrs., Dr.
			}
			if _, set := c[field]; !set {
				c[field] = v
			}
		case fSalutation:
			// A title column proposed as the salutation from the file's
			// first rows (DetectFrom) may still hold a job title further on.
			if !isSalutation(v) && squeeze(columnName(header, i)) == "title" && !hasPosition(header) {
				field = lead.FJobTitle
			}
			if _, set := c[field]; !set {
				c[field] = v
			}
		default:
			if _, set := c[field]; !set {
				c[field] = v // the first filled column of a field wins
			}
		}
	}
	if status != "" {
		if st := statusStage(status); st != "" {
			if _, set := c[lead.FStage]; !set {
				c[lead.FStage] = st
			}
		} else {
			c[lead.CustomPrefix+"status"] = status
		}
	}
	return c, nil
}

func columnName(header []string, i int) string {
	if i < len(header) {
		return header[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// outcomeStage reads a yes-or-no outcome as the stage a closed lead ends
// in.
func outcomeStage(v string) (string, bool) {
	switch squeeze(v) {
	case "yes", "y", "true", "1", "won", "converted", "customer":
		return string(lead.Customer), true
	case "no", "n", "false", "0", "lost", "notconverted", "disqualified":
		return string(lead.Disqualified), true
	}
	return "", false
}

// stageOf reads the lifecycle stage names of other tools (HubSpot's
// "marketingqualifiedlead"); anything else is passed on for validation.
func stageOf(v string) string {
	switch squeeze(v) {
	case "marketingqualifiedlead", "mql":
		return string(lead.MQL)
	case "salesqualifiedlead", "sql":
		return string(lead.SQL)
	case "evangelist":
		return string(lead.Customer)
	}
	return strings.ToLower(v)
}

// statusStage maps Salesforce lead statuses and HubSpot lead statuses to
// a stage; "" for a status that says nothing about the stage.
func statusStage(v string) string {
	switch squeeze(v) {
	case "opennotcontacted", "new", "open", "attemptedtocontact":
		return string(lead.StageLead)
	case "workingcontacted", "inprogress", "connected", "qualified":
		return string(lead.SQL)
	case "closedconverted", "opendeal":
		return string(lead.Opportunity)
	case "closednotconverted", "unqualified":
		return string(lead.Disqualified)
	case "badtiming", "nurturing":
		return string(lead.Nurturing)
	}
	return ""
}

// salutations are the forms of address a title column may hold instead of
// a job title, in the languages leadflow speaks.
var salutations = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`mr mrs ms miss mx dr prof sir madam herr frau fru hr sig sigra sigg dott dssa domnul doamna dl dna dra sr sra srta mme mlle m`) {
		salutations[w] = true
	}
}

// isSalutation reports whether v is a form of address ("Mrs.", "Dr"),
// not a job title.
func isSalutation(v string) bool {
	return salutations[strings.Trim(strings.ToLower(strings.TrimSpace(v)), ".")]
}

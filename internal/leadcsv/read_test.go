package leadcsv

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"strings"
	"testing"

	"leadflow/internal/lead"
)

// readAll returns the header and every row of a CSV text.
func readAll(t *testing.T, text string) (*Reader, []Row) {
	t.Helper()
	return readIn(t, strings.NewReader(text), "")
}

// readIn returns the header and every row of r read in encoding ("" to
// guess it).
func readIn(t *testing.T, r io.Reader, encoding string) (*Reader, []Row) {
	t.Helper()
	rd, err := NewReaderIn(r, encoding)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return rd, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func TestReaderCopesWithRealFiles(t *testing.T) {
	t.Run("byte order mark", func(t *testing.T) {
		rd, rows := readAll(t, "\xef\xbb\xbfEmail,First Name\r\nann@x.io,Ann\r\n")
		if rd.Header[0] != "Email" || rows[0].Values[1] != "Ann" {
			t.Errorf("header %q rows %v", rd.Header, rows)
		}
	})
	t.Run("windows-1252", func(t *testing.T) {
		rd, rows := readAll(t, "email,city\nzoe@x.io,K\xf6ln\n")
		if rd.Encoding != Windows1252 || rows[0].Values[1] != "Köln" {
			t.Errorf("encoding %v, city %q", rd.Encoding, rows[0].Values[1])
		}
	})
	t.Run("semicolons and quotes", func(t *testing.T) {
		_, rows := readAll(t, "email;company;title\nbo@x.io;\"Smith; Sons\";\"Head of \"\"Growth\"\"\"\n")
		if want := []string{"bo@x.io", "Smith; Sons", `Head of "Growth"`}; !reflect.DeepEqual(rows[0].Values, want) {
			t.Errorf("got %q", rows[0].Values)
		}
	})
	t.Run("tabs", func(t *testing.T) {
		rd, _ := readAll(t, "email\tcompany\nbo@x.io\tAcme\n")
		if len(rd.Header) != 2 {
			t.Errorf("header %q", rd.Header)
		}
	})
	t.Run("quoted newline", func(t *testing.T) {
		_, rows := readAll(t, "email,notes\na@x.io,\"two\nlines\"\nb@x.io,x\n")
		if len(rows) != 2 || rows[0].Values[1] != "two\nlines" || rows[1].Line != 4 {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("bad quote rejects one row only", func(t *testing.T) {
		_, rows := readAll(t, "email,company\na@x.io,Acme \"Inc\nb@x.io,Beta\n")
		if len(rows) != 2 || rows[0].Err == nil || rows[1].Err != nil || rows[1].Values[0] != "b@x.io" {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("ragged rows", func(t *testing.T) {
		_, rows := readAll(t, "email,company,city\na@x.io\nb@x.io,B,C,extra\n")
		if len(rows) != 2 || len(rows[0].Values) != 1 || len(rows[1].Values) != 4 {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("header only", func(t *testing.T) {
		_, rows := readAll(t, "email,company\n")
		if len(rows) != 0 {
			t.Errorf("rows %+v", rows)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		if _, err := NewReader(strings.NewReader("")); !errors.Is(err, ErrNoHeader) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestDetectMapsOtherToolsHeaders(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   map[string]string
	}{
		{"salesforce report", "First Name,Last Name,Title,Company,Email,Phone,Lead Source,Lead Status,No. of Employees,Industry,Country,City,Website",
			map[string]string{"First Name": "first_name", "Title": "job_title", "Lead Source": "source", "Lead Status": "status", "No. of Employees": "employees", "Website": "website"}},
		{"salesforce data loader", "Id,FirstName,LastName,Company,Email,MobilePhone,Phone,LeadSource,Status,NumberOfEmployees,CountryCode,Country",
			map[string]string{"Id": "-", "MobilePhone": "phone", "Phone": "phone", "NumberOfEmployees": "employees", "CountryCode": "country", "Country": "country"}},
		{"salesforce contacts", "FirstName,LastName,Title,MailingStreet,MailingCity,MailingState,MailingPostalCode,MailingCountry,OtherCity,Phone",
			map[string]string{"Title": "job_title", "MailingStreet": "street", "MailingCity": "city", "MailingState": "region",
				"MailingPostalCode": "postal_code", "MailingCountry": "country", "OtherCity": "city"}},
		{"mautic", "title,firstname,lastname,email,position,company,mobile,phone,zipcode,state",
			map[string]string{"title": "salutation", "position": "job_title", "mobile": "phone", "phone": "phone", "zipcode": "postal_code", "state": "region"}},
		{"hubspot", "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Lifecycle Stage,Lead Status,Original Source,Website URL,Country/Region,City,Number of Employees",
			map[string]string{"Record ID": "-", "Phone Number": "phone", "Company Name": "company", "Lifecycle Stage": "stage", "Original Source": "source", "Website URL": "website", "Country/Region": "country"}},
		{"romanian", "Prenume,Nume,E-mail,Telefon,Companie,Funcție,Număr de angajați,Industrie,Țară,Oraș,Adresă,Cod poștal,Județ,Site web,Sursă",
			map[string]string{"Prenume": "first_name", "Nume": "last_name", "E-mail": "email", "Telefon": "phone", "Companie": "company",
				"Funcție": "job_title", "Număr de angajați": "employees", "Țară": "country", "Oraș": "city", "Adresă": "street",
				"Cod poștal": "postal_code", "Județ": "region", "Site web": "website", "Sursă": "source"}},
		{"romanian without accents", "Prenume,Nume,Email,Functie,Tara,Oras,Judet",
			map[string]string{"Functie": "job_title", "Tara": "country", "Oras": "city", "Judet": "region"}},
		{"italian", "Nome,Cognome,Indirizzo email,Cellulare,Ragione sociale,Ruolo,Dipendenti,Settore,Paese,Città,Indirizzo,CAP,Provincia,Sito web,Fonte",
			map[string]string{"Nome": "first_name", "Cognome": "last_name", "Indirizzo email": "email", "Cellulare": "phone",
				"Ragione sociale": "company", "Ruolo": "job_title", "Dipendenti": "employees", "Settore": "industry", "Paese": "country",
				"Città": "city", "Indirizzo": "street", "CAP": "postal_code", "Provincia": "region", "Sito web": "website", "Fonte": "source"}},
		{"norwegian", "Fornavn,Etternavn,E-post,Mobilnummer,Bedrift,Stilling,Antall ansatte,Bransje,Land,Poststed,Gateadresse,Postnummer,Fylke,Nettside,Kilde",
			map[string]string{"Fornavn": "first_name", "Etternavn": "last_name", "E-post": "email", "Mobilnummer": "phone",
				"Bedrift": "company", "Stilling": "job_title", "Antall ansatte": "employees", "Bransje": "industry", "Land": "country",
				"Poststed": "city", "Gateadresse": "street", "Postnummer": "postal_code", "Fylke": "region", "Nettside": "website", "Kilde": "source"}},
		{"leadflow", strings.Join(Own, ","),
			map[string]string{"id": "-", "score": "-", "grade": "-", "updated_at": "-", "created_at": "created_at", "consent_at": "consent_at", "custom": "custom", "owner": "owner"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			header := strings.Split(c.header, ",")
			m := Detect(header)
			for col, want := range c.want {
				if got := m[indexOf(header, col)]; got != want {
					t.Errorf("%q → %q, want %q", col, got, want)
				}
			}
			if !m.Identifies() {
				t.Error("no column identifies a lead")
			}
		})
	}
}

func TestChangesFromRow(t *testing.T) {
	header := []string{"Email", "Lifecycle Stage", "Lead Status", "custom", "Notes"}
	m := Detect(header)
	m.Override(header, map[string]string{"Notes": "custom.notes"})
	c, err := m.Changes(header, []string{" ann@x.io ", "marketingqualifiedlead", "Working - Contacted", `{"budget":"5k"}`, ""})
	if err != nil {
		t.Fatal(err)
	}
	want := lead.Changes{"email": "ann@x.io", "stage": "mql", "custom.budget": "5k"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %v, want %v (empty cells left out, stage over status)", c, want)
	}
	c, _ = m.Changes(header, []string{"b@x.io", "", "Some Odd Status", "", "call back"})
	if c["stage"] != "" || c["custom.status"] != "Some Odd Status" || c["custom.notes"] != "call back" {
		t.Errorf("unknown status kept as custom.status: %v", c)
	}
	if _, err := m.Changes(header, []string{"c@x.io", "", "", "not json", ""}); err == nil || !strings.Contains(err.Error(), `column "custom"`) {
		t.Errorf("bad custom JSON: %v", err)
	}
	if _, err := m.Changes(header, []string{strings.Repeat("x", MaxField+1)}); err == nil || !strings.Contains(err.Error(), `column "Email" is longer`) {
		t.Errorf("huge field: %v", err)
	}
	if err := m.Override(header, map[string]string{"Nope": "email"}); err == nil {
		t.Error("mapping an unknown column was accepted")
	}
	if err := m.Override(header, map[string]string{"Notes": "shoe_size"}); err == nil {
		t.Error("mapping to an unknown field was accepted")
	}
}

// FuzzRow feeds arbitrary bytes through the reader and the mapping: every
// row must come back as changes or as a reason, never a panic.
func FuzzRow(f *testing.F) {
	f.Add([]byte("email,first name,custom\na@x.io,Ann,\"{\"\"k\"\":\"\"v\"\"}\"\n"))
	f.Add([]byte("\xef\xbb\xbfEmail;Company\nb@x.io;\"Un\"closed\n"))
	f.Add([]byte("Email\tLifecycle Stage\n\xff\xfe\t\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		m := Detect(rd.Header)
		for i := 0; i < 1000; i++ {
			row, err := rd.Next()
			if err != nil {
				return
			}
			if row.Err != nil {
				continue
			}
			c, err := m.Changes(rd.Header, row.Values)
			if err == nil && c == nil {
				t.Fatal("no changes and no reason")
			}
		}
	})
}

// A quote opened by mistake costs its own row, not the rest of the file,
// whether or not a later row has quotes of its own.
func TestUnterminatedQuoteRejectsItsRowAlone(t *testing.T) {
	for name, sixth := range map[string]string{"no later quotes": "f@x.io,Zeta,DE", "a later quoted cell": `f@x.io,"Zeta, Inc",DE`} {
		t.Run(name, func(t *testing.T) {
			text := "email,company,country\n"
			for i, c := range "abcdefghij" {
				switch i {
				case 2:
					text += "c@x.io,\"Gamma Ltd,RO\n"
				case 5:
					text += sixth + "\n"
				default:
					text += fmt.Sprintf("%c@x.io,Co %c,RO\n", c, c)
				}
			}
			_, rows := readAll(t, text)
			if len(rows) != 10 {
				t.Fatalf("%d rows: %+v", len(rows), rows)
			}
			for i, row := range rows {
				if row.Line != i+2 {
					t.Errorf("row %d has line %d", i, row.Line)
				}
				if i == 2 {
					if row.Err == nil || !strings.Contains(row.Err.Error(), "line 4") || row.Values[0] != "c@x.io" {
						t.Errorf("row 3: %+v", row)
					}
				} else if row.Err != nil || len(row.Values) != 3 {
					t.Errorf("row %d: %+v", i+1, row)
				}
			}
			if rows[5].Values[1] == "" || rows[9].Values[0] != "j@x.io" {
				t.Errorf("rows after the broken one: %+v", rows[3:])
			}
		})
	}
	t.Run("in the header", func(t *testing.T) {
		if _, err := NewReader(strings.NewReader("email,\"company\na@x.io,A\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("a real multi-line cell stays whole", func(t *testing.T) {
		_, rows := readAll(t, "email,notes,city\na@x.io,\"first\nsecond, \"\"quoted\"\"\nthird\",Cluj\nb@x.io,x,Iasi\n")
		if len(rows) != 2 || rows[0].Values[1] != "first\nsecond, \"quoted\"\nthird" || rows[1].Line != 5 || rows[1].Values[2] != "Iasi" {
			t.Errorf("rows %+v", rows)
		}
	})
}

// TestFirstFilledColumnWins: of two columns for one field, an empty one
// never hides a filled one, whichever comes first.
func TestFirstFilledColumnWins(t *testing.T) {
	header := []string{"title", "firstname", "lastname", "position", "phone", "mobile", "MailingCity", "OtherCity"}
	m := Detect(header)
	for _, c := range []struct {
		row  []string
		want lead.Changes
	}{
		{[]string{"Mr.", "Ion", "Pop", "CTO", "", "0721234567", "", "Iasi"},
			lead.Changes{"salutation": "Mr.", "first_name": "Ion", "last_name": "Pop", "job_title": "CTO", "phone": "0721234567", "city": "Iasi"}},
		{[]string{"", "Ana", "Pop", "", "021 555 0101", "0721234567", "Cluj", "Iasi"},
			lead.Changes{"first_name": "Ana", "last_name": "Pop", "phone": "021 555 0101", "city": "Cluj"}},
	} {
		got, err := m.Changes(header, c.row)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("%v → %v (%v), want %v", c.row, got, err, c.want)
		}
	}
}

// A title column that the first rows show as forms of address is
// proposed as the salutation; a later row's job title in it still fills
// the job title, not the salutation.
func TestTitleProposedAsSalutationKeepsLaterJobTitles(t *testing.T) {
	header := []string{"title", "email"}
	m := DetectFrom(header, [][]string{{"Mr.", "a@x.io"}, {"", "b@x.io"}, {"Mrs", "c@x.io"}})
	if m[0] != fSalutation {
		t.Fatalf("title proposed as %q", m[0])
	}
	for v, field := range map[string]string{"Dr.": fSalutation, "Marketing Director": lead.FJobTitle} {
		c, err := m.Changes(header, []string{v, "d@x.io"})
		if err != nil || c[field] != v {
			t.Errorf("%q fills %v (%v), want %s", v, c, err, field)
		}
	}
	if m := DetectFrom(header, [][]string{{"Mr.", "a@x.io"}, {"CTO", "b@x.io"}}); m[0] != lead.FJobTitle {
		t.Errorf("a title column with a job title in its first rows is proposed as %q", m[0])
	}
}

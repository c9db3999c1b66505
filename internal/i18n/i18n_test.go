package i18n

import (
	"math/big"
	"slices"
	"testing"
	"time"
)

// Every catalog holds exactly the ids of the English one: a missing id
// would show English on a translated page, an extra one is a typo.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	en := Keys(Default)
	if len(en) < 30 {
		t.Fatalf("English catalog has %d messages", len(en))
	}
	for _, lang := range Langs[1:] {
		keys := Keys(lang)
		for _, k := range en {
			if !slices.Contains(keys, k) {
				t.Errorf("%s.toml lacks %q", lang, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s.toml has %q, which en.toml has not", lang, k)
			}
		}
	}
}

// Every message translates to text of its own in every language, for
// every count a plural message may be given: a plural form the language
// needs (Romanian "few", Italian "many") and a broken placeholder fail.
func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	for _, lang := range Langs {
		l := For(lang)
		for _, id := range Keys(Default) {
			for _, n := range []int{0, 1, 2, 5, 19, 20, 101, 1000000} {
				got := l.T(id, "Count", n, "Name", "x", "Title", "x", "Role", "x")
				if got == id || got == "" {
					t.Errorf("%s: %q (count %d) does not render", lang, id, n)
					break
				}
			}
		}
	}
}

func TestAMessageMissingFromACatalogReadsInEnglishNotAsItsID(t *testing.T) {
	if got := For("ro").T("nav.leads"); got != "Lead-uri" {
		t.Errorf("ro nav.leads = %q", got)
	}
	if got := For("xx").T("nav.leads"); got != "Leads" {
		t.Errorf("unknown language: %q, want English", got)
	}
	if got := For("it").T("no.such.message"); got != "no.such.message" {
		t.Errorf("unknown id: %q", got)
	}
}

func TestPlurals(t *testing.T) {
	cases := []struct {
		lang  string
		n     int
		count string
	}{
		{"en", 1, "1 lead"}, {"en", 3, "3 leads"},
		{"ro", 1, "1 lead"}, {"ro", 3, "3 lead-uri"}, {"ro", 20, "20 de lead-uri"},
		{"it", 1, "1 lead"}, {"it", 3, "3 lead"},
		{"nb", 1, "1 lead"}, {"nb", 3, "3 leads"},
	}
	for _, c := range cases {
		if got := For(c.lang).T("count.leads", "Count", c.n); got != c.count {
			t.Errorf("%s %d: %q, want %q", c.lang, c.n, got, c.count)
		}
	}
}

func TestMatchAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"":                        "en",
		"it-IT,it;q=0.9,en;q=0.8": "it",
		"ro":                      "ro",
		"nb-NO":                   "nb",
		"no":                      "nb",
		"nn-NO,nn;q=0.9":          "nb",
		"de-DE,de;q=0.9":          "en",
		"fr-FR,ro;q=0.5":          "ro",
		"en-US,en;q=0.9,it;q=0.8": "en",
		"garbage;;;q=x":           "en",
	}
	for header, want := range cases {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
	if got := Pick("it", "", "nb"); got != "nb" {
		t.Errorf("a setting wins over the browser: %q", got)
	}
	if got := Pick("it", "", "xx"); got != "it" {
		t.Errorf("no valid setting: %q, want the browser's", got)
	}
}

// Dates, numbers and money as CLDR writes them in each language.
func TestFormats(t *testing.T) {
	day := time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	n := big.NewInt(1234567)
	cases := []struct {
		lang, date, datetime, number, eur, minor string
	}{
		{"en", "30 Nov 2026", "30 Nov 2026 23:30 CET", "1,234,567", "1,234,567 EUR", "1,234.56 EUR"},
		{"ro", "30.11.2026", "30.11.2026 23:30 CET", "1.234.567", "1.234.567\u00a0EUR", "1.234,56\u00a0EUR"},
		{"it", "30/11/2026", "30/11/2026 23:30 CET", "1.234.567", "1.234.567\u00a0€", "1.234,56\u00a0€"},
		{"nb", "30.11.2026", "30.11.2026 23:30 CET", "1\u00a0234\u00a0567", "1\u00a0234\u00a0567\u00a0€", "1\u00a0234,56\u00a0€"},
	}
	for _, c := range cases {
		l := For(c.lang)
		if got := l.Date(day); got != c.date {
			t.Errorf("%s date %q, want %q", c.lang, got, c.date)
		}
		if got := l.Day("2026-11-30"); got != c.date {
			t.Errorf("%s day %q, want %q", c.lang, got, c.date)
		}
		if got := l.DateTime(day, oslo); got != c.datetime {
			t.Errorf("%s datetime %q, want %q", c.lang, got, c.datetime)
		}
		if got := l.Number(1234567); got != c.number {
			t.Errorf("%s number %q, want %q", c.lang, got, c.number)
		}
		if got := l.Money(n, "EUR"); got != c.eur {
			t.Errorf("%s money %q, want %q", c.lang, got, c.eur)
		}
		if got := l.MoneyMinor(big.NewInt(123456), "EUR", 2); got != c.minor {
			t.Errorf("%s minor %q, want %q", c.lang, got, c.minor)
		}
	}
	if got := For("nb").Money(big.NewInt(-5000), "NOK"); got != "−5\u00a0000\u00a0kr" {
		t.Errorf("nb NOK %q", got)
	}
	if got := For("it").MoneyMinor(big.NewInt(-5), "EUR", 2); got != "-0,05\u00a0€" {
		t.Errorf("it small negative %q", got)
	}
}

func TestReasonsReadInTheLanguage(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"ro", "is required", "nu poate lipsi"},
		{"it", "must be at most 200 characters", "può avere al massimo 200 caratteri"},
		{"ro", "must be at most 20 characters", "poate avea cel mult 20 de caractere"},
		{"nb", "must be a whole number from 1 to 10,000", "må være et heltall fra 1 til 10\u00a0000"},
		{"en", "is required", "is required"},
		{"it", "a reason no catalog knows", "a reason no catalog knows"},
		// The lifecycle's refusals name stages, which read in the language.
		{"ro", "cannot move from lead to customer (allowed: mql, nurturing, disqualified; an admin can make other moves with a reason)",
			"nu se poate muta din Lead în Client (permise: MQL, Nurturing, Descalificat; un administrator poate face alte mutări cu un motiv)"},
		{"nb", "moving from customer to lead skips the lifecycle: give a reason", "å flytte fra Kunde til Lead hopper over livssyklusen: oppgi en grunn"},
		{"it", "is required, at most 200 characters", "è obbligatorio, al massimo 200 caratteri"},
		{"ro", "is required, at most 200 characters", "nu poate lipsi și poate avea cel mult 200 de caractere"},
		{"ro", "must be a whole amount from 0 to 1,000,000,000,000,000", "trebuie să fie o sumă întreagă între 0 și 1.000.000.000.000.000"},
		{"it", "is more than the 1,250.00 EUR still owed", "è più dei 1.250,00\u00a0€ ancora dovuti"},
		{"nb", "must include email: it is how leads are recognised", "må ta med e-post: det er slik leads blir gjenkjent"},
		{"ro", "This merge cannot be undone: lead 12 was edited since (email)", "Această unire nu poate fi anulată: lead-ul 12 a fost modificat între timp (E-mail)"},
		{"it", "must be a country name or a two-letter ISO code", "deve essere il nome di un paese o un codice ISO di due lettere, ad esempio RO"},
		{"ro", "there is no invoice 7", "Nu există factură cu numărul 7"},
		{"nb", "landing page 3 not found", "Fant ikke landingsside 3"},
		{"it", "opportunity 4 belongs to another sales user", "trattativa 4 appartiene a un altro utente commerciale"},
		// A mailbox's settings, a solution of the catalog.
		{"nb", "must be a host and port such as imap.example.com:993", "må være en vert og en port, for eksempel imap.example.com:993"},
		{"ro", "is required (an app password is enough)", "nu poate lipsi (ajunge o parolă de aplicație)"},
		{"it", "must be among cloud, desktop, mobile, web; fax is not", "deve essere tra cloud, desktop, mobile, web; fax non lo è"},
		{"nb", "line 3: write user:<email> = 60 or role:sales = 50", "linje 3: skriv user:<e-post> = 60 eller role:sales = 50"},
		// An invoice changed in another tab, named by its title in the language.
		{"it", "payments are recorded against an issued invoice with money owed; Invoice INV-2026-0003 is paid",
			"i pagamenti si registrano su una fattura emessa con un importo dovuto; Fattura INV-2026-0003 è pagata"},
		{"nb", "a credit note corrects an issued invoice; Draft invoice is draft", "en kreditnota korrigerer en utstedt faktura; Fakturautkast er et utkast"},
		{"ro", "only an issued invoice with nothing paid or credited is voided; correct Credit note CN-7 with a credit note instead",
			"se anulează doar o factură emisă fără plăți sau stornări; corectează Factura de stornare CN-7 cu o factură de stornare"},
		{"en", "Invoice INV-1 is already issued", "Invoice INV-1 is already issued"},
		{"ro", "\"www.shop\" is not a site address such as https://www.example.com", "„www.shop” nu este o adresă de site precum https://www.example.com"},
		// Email addresses and phones in detail, amounts and a sequence's steps.
		{"nb", "has a character that is not allowed before the @: ' '", "har et tegn som ikke er tillatt før @: ' '"},
		{"it", "is not a valid phone number in RO; add the country code if it is from elsewhere",
			"non è un numero di telefono valido in RO; aggiungi il prefisso internazionale se è di un altro paese"},
		// A page takes numbers back the reader's way: its examples are written so.
		{"ro", "must be an amount such as 1250.00, with a point before the cents", "trebuie să fie o sumă, de exemplu 1250,00"},
		{"ro", "must be an amount such as 1250.00", "trebuie să fie o sumă, de exemplu 1250,00"},
		{"nb", "must be hours worked, more than 0 and at most 24, such as 1.5", "må være arbeidstimer, mer enn 0 og høyst 24, for eksempel 1,5"},
		{"en", "must be an amount such as 1250.00, with a point before the cents", "must be an amount such as 1250.00, with a point before the cents"},
		{"nb", "must be another step from 1 to 4 (4 ends the sequence)", "må være et annet trinn fra 1 til 4 (4 avslutter sekvensen)"},
		{"it", "must be whole minutes from 0 to 10080", "deve essere un numero intero di minuti da 0 a 10.080"},
	}
	for _, c := range cases {
		if got := For(c.lang).Reason(c.in); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func TestCountryNames(t *testing.T) {
	cases := []struct{ lang, code, want string }{
		{"en", "DE", "Germany"}, {"ro", "DE", "Germania"}, {"it", "DE", "Germania"}, {"nb", "DE", "Tyskland"},
		{"it", "NO", "Norvegia"}, {"nb", "RO", "Romania"},
	}
	for _, c := range cases {
		if got := For(c.lang).Country(c.code); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.code, got, c.want)
		}
	}
	all := For("nb").Countries()
	if len(all) < 240 {
		t.Fatalf("%d countries", len(all))
	}
	// Bokmål sorts Æ, Ø and Å after Z.
	last := all[len(all)-1].Name
	if last != "Åland" && last[0:2] != "Å" {
		t.Errorf("the Bokmål list ends with %q, want a name in Å", last)
	}
}

// A count kept as a decimal (a half-life of 7 days, or 1.5) still picks
// its plural form rather than leaving the message's id on the page.
func TestPluralOfADecimalCount(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    float64
		want string
	}{
		{"en", 7, "behaviour halves every 7 days"},
		{"en", 1, "behaviour halves every day"},
		{"ro", 7, "comportamentul se înjumătățește la fiecare 7 zile"},
		{"ro", 30, "comportamentul se înjumătățește la fiecare 30 de zile"},
	} {
		if got := For(c.lang).T("lead.halves_every", "Count", c.n); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// Reasons leadflow wrote in English on a timeline read in the reader's
// language; one a user typed reads as typed.
func TestChangeReasons(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"ro", `form "Demo"`, "formularul „Demo”"},
		{"it", "matched on email domain acme.it", "abbinato per dominio dell'e-mail acme.it"},
		{"nb", "reached mql", "nådde fasen MQL"},
		{"ro", "enrolled through the API", "înscris prin API"},
		{"en", "score 55 reached the MQL threshold of 50", "score 55 reached the MQL threshold of 50"},
		{"ro", "budget next year", "budget next year"},
		{"it", "lead edited", "lead modificato"},
		{"nb", `first contact: call "Qualification call (BANT)" completed`, "første kontakt, med samtale: «Qualification call (BANT)»"},
		{"it", `first contact: meeting "Demo" completed`, "primo contatto, con riunione: “Demo”"},
	} {
		if got := For(c.lang).ChangeReason(c.in); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

// A rejected row's reasons read in the reader's language, each field by
// its label, a reason that holds "; " itself included.
func TestFieldReasons(t *testing.T) {
	stored := "email has a domain that ends in a number; a domain ends in letters, as in .com; phone is not a phone number"
	want := "E-mail are un domeniu care se termină cu o cifră; un domeniu se termină cu litere, ca în .com; Telefon nu este un număr de telefon"
	if got := For("ro").FieldReasons(stored); got != want {
		t.Errorf("ro:\n%s\nwant\n%s", got, want)
	}
	if got := For("en").FieldReasons(stored); got != stored {
		t.Errorf("en: %s", got)
	}
}

// Each reason is matched by one pattern: a second one for the same text
// would never be reached.
func TestReasonPatternsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range reasons {
		if seen[r.re.String()] {
			t.Errorf("the reason pattern %s is listed twice", r.re)
		}
		seen[r.re.String()] = true
	}
}

package i18n

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Locale speaks one language: its messages and how it writes dates,
// numbers and money.
type Locale struct {
	Lang    string
	tag     language.Tag
	loc     *goi18n.Localizer
	printer *message.Printer
	// group, decimal and minus are CLDR's symbols for the language
	// ("." "," and "-" in Romanian; a no-break space, "," and "−" in
	// Bokmål), read once from x/text's tables.
	group, decimal, minus string
	dateLayout            string
	timeLayout            string
	// moneyFirst puts the currency before the amount ("€1,234" in
	// English's CLDR pattern); leadflow's English keeps the amount first
	// with the ISO code, so that differing currencies read apart.
	moneyFirst bool
}

// dateLayouts are the numeric day formats of CLDR's short date patterns
// with a four-digit year (ro dd.MM.y, it dd/MM/y, nb dd.MM.y); English
// keeps leadflow's "2 Jan 2006", which no reader takes for another day.
var dateLayouts = map[string]string{"en": "2 Jan 2006", "ro": "02.01.2006", "it": "02/01/2006", "nb": "02.01.2006"}

// For is the Locale of lang, of Default when lang is not one of ours.
func For(lang string) *Locale {
	load()
	if l, ok := locales[lang]; ok {
		return l
	}
	return locales[Default]
}

func newLocale(lang string) *Locale {
	tag := language.MustParse(lang)
	l := &Locale{Lang: lang, tag: tag, loc: goi18n.NewLocalizer(bundle, lang, Default),
		printer: message.NewPrinter(tag), dateLayout: dateLayouts[lang], timeLayout: "15:04"}
	// 1234.5 written in the language gives its group and decimal marks.
	s := []rune(l.printer.Sprint(number.Decimal(1234.5)))
	var group, dec []rune
	for i, r := range s {
		switch {
		case i > 0 && s[i-1] == '1' && r != '2':
			group = append(group, r)
		case i > 0 && s[i-1] == '4' && r != '5':
			dec = append(dec, r)
		}
	}
	l.group, l.decimal = string(group), string(dec)
	l.minus = strings.TrimSuffix(l.printer.Sprint(number.Decimal(-1)), "1")
	return l
}

// Or is message id in l's language when the catalogs have it, and
// fallback, a stored code or its English words, when they do not: for
// names of codes (stages, operators, deployments) that data may hold
// beyond what the catalogs know.
func (l *Locale) Or(id, fallback string) string {
	if Has(id) {
		return l.T(id)
	}
	return fallback
}

// T is the message id in l's language, in English when l's catalog
// lacks it, and id itself when no catalog has it (which a test forbids).
// args are pairs of a name and its value for the message's {{.Name}}
// placeholders; a value named Count also picks the plural form of a
// message that has them.
func (l *Locale) T(id string, args ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = args[i+1]
			if k == "Count" && plurals[id] {
				cfg.PluralCount = pluralCount(args[i+1])
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err != nil || s == "" {
		return id
	}
	return s
}

// pluralCount is n as go-i18n picks a plural form by: it takes whole
// numbers and decimal strings, not floats ("1.5" days is "other").
func pluralCount(n any) any {
	switch f := n.(type) {
	case float64:
		return strconv.FormatFloat(f, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(f), 'f', -1, 32)
	}
	return n
}

// Date writes the day of t as l writes dates (30.11.2026 in Romanian,
// 30 Nov 2026 in English), in t's own location.
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(l.dateLayout)
}

// DateTime writes the instant t in zone with its zone's abbreviation.
func (l *Locale) DateTime(t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(zone).Format(l.dateLayout + " " + l.timeLayout + " MST")
}

// Day writes a day kept as text ("2026-11-30") as Date does; text that is
// not such a day is shown as it is.
func (l *Locale) Day(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return l.Date(t)
}

// Number writes the integer n with the language's thousands separator.
func (l *Locale) Number(n int64) string { return l.digits(big.NewInt(n).String(), 0) }

// Decimal writes f with decimals places after the language's mark.
func (l *Locale) Decimal(f float64, decimals int) string {
	return l.digits(new(big.Float).SetFloat64(f).Text('f', decimals), decimals)
}

// Money writes a whole amount and its currency as the language writes
// money: "48,000 EUR" in English, "48.000 €" in Italian, "48 000 kr" in
// Bokmål for NOK; empty currency writes the number alone.
func (l *Locale) Money(whole *big.Int, cur string) string {
	return l.withCurrency(l.digits(whole.String(), 0), cur)
}

// MoneyMinor writes minor units (cents) of cur with decimals places.
func (l *Locale) MoneyMinor(minor *big.Int, cur string, decimals int) string {
	neg := minor.Sign() < 0
	d := new(big.Int).Abs(minor).String()
	for len(d) <= decimals {
		d = "0" + d
	}
	if decimals > 0 {
		d = d[:len(d)-decimals] + "." + d[len(d)-decimals:]
	}
	if neg {
		d = "-" + d
	}
	return l.withCurrency(l.digits(d, decimals), cur)
}

func (l *Locale) withCurrency(n, cur string) string {
	if cur == "" {
		return n
	}
	if l.Lang == Default {
		return n + " " + cur
	}
	sym := cur
	if u, err := currency.ParseISO(cur); err == nil {
		sym = l.printer.Sprint(currency.Symbol(u))
	}
	return n + "\u00a0" + sym
}

// digits groups the plain decimal s ("-1234.50") in l's marks.
func (l *Locale) digits(s string, decimals int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString(l.minus)
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteRune(r)
	}
	if decimals > 0 && frac != "" {
		b.WriteString(l.decimal + frac)
	}
	return b.String()
}

// LongDate writes the day of t with its weekday: "Monday 30 November
// 2026" in English, "luni, 30.11.2026" in Romanian.
func (l *Locale) LongDate(t time.Time) string {
	if l.Lang == Default {
		return t.Format("Monday 2 January 2006")
	}
	return l.Weekday(t.Weekday()) + ", " + l.Date(t)
}

// Weekday is d's name in l's language.
func (l *Locale) Weekday(d time.Weekday) string {
	return l.T("weekday." + strings.ToLower(d.String()))
}

// Plain writes a plain decimal ("-1234.50", as documents keep amounts)
// with l's marks and grouping; English keeps it plain.
func (l *Locale) Plain(s string) string {
	if l.Lang == Default {
		return s
	}
	_, frac, _ := strings.Cut(s, ".")
	return l.digits(s, len(frac))
}

// LongDay writes a day kept as text ("2026-11-30") in full: "30 November
// 2026" in English, the numeric date elsewhere.
func (l *Locale) LongDay(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	if l.Lang == Default {
		return t.Format("2 January 2006")
	}
	return l.Date(t)
}

// MonthYear names t's month and year: "November 2026", "noiembrie 2026".
func (l *Locale) MonthYear(t time.Time) string {
	if l.Lang == Default {
		return t.Format("January 2006")
	}
	return l.T("month."+strings.ToLower(t.Month().String())) + " " + t.Format("2006")
}

// ShortDay writes a day of a week's grid: "Mon 30 Nov", "lun. 30.11".
func (l *Locale) ShortDay(t time.Time) string {
	if l.Lang == Default {
		return t.Format("Mon 2 Jan")
	}
	sep := map[string]string{"it": "/"}[l.Lang]
	if sep == "" {
		sep = "."
	}
	return l.T("weekday_short."+strings.ToLower(t.Weekday().String())) + " " + t.Format("02"+sep+"01")
}

// Package country knows the ISO 3166-1 alpha-2 country codes and their
// English short names, so leads store one spelling of every country. It
// also reads the names leadflow's other languages give them (CLDR's, in
// Romanian, Italian and Norwegian), which their teams' exports and forms
// carry ("Germania", "Tyskland").
package country

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

// Country is one ISO 3166-1 entry.
type Country struct {
	Code string // alpha-2, upper case
	Name string // English short name
}

var (
	byCode = map[string]string{}
	byName = map[string]string{}
	all    []Country
)

func init() {
	for _, entry := range strings.Split(table, "|") {
		code, name, _ := strings.Cut(strings.TrimSpace(entry), " ")
		byCode[code] = name
		byName[fold(name)] = code
		all = append(all, Country{Code: code, Name: name})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, entry := range strings.Split(aliases, "|") {
		code, name, _ := strings.Cut(entry, " ")
		byName[fold(name)] = code
	}
	// A name one language gives another country than English does keeps
	// its English sense: none of the four languages has such a name today.
	for _, lang := range nativeNames {
		names := display.Regions(language.MustParse(lang))
		for _, c := range all {
			n := fold(names.Name(language.MustParseRegion(c.Code)))
			if _, taken := byName[n]; !taken && n != "" {
				byName[n] = c.Code
			}
		}
	}
}

// nativeNames are the languages, besides English, whose country names
// Normalize reads: those leadflow's pages speak ("no" is CLDR's table for
// Norwegian Bokmål).
var nativeNames = []string{"ro", "it", "no"}

// fold is a name as Normalize compares it: in lower case, without
// accents ("România" is "romania", "Østerrike" "osterrike"), one kind of
// apostrophe, one space between words.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ø':
			b.WriteRune('o')
		case r == 'æ':
			b.WriteString("ae")
		case r == '’' || r == '‘' || r == '`':
			b.WriteRune('\'')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// aliases are other spellings seen in CRM exports: short forms, official
// long names and a few native names.
const aliases = `US USA|US U.S.|US U.S.A.|US United States of America|US America|GB UK|GB U.K.|GB Great Britain|` +
	`GB England|GB Scotland|GB Wales|GB Northern Ireland|GB Britain|DE Deutschland|ES España|ES Espana|IT Italia|` +
	`AT Österreich|CH Schweiz|CH Suisse|RO România|BR Brasil|NL Holland|NL The Netherlands|SE Sverige|NO Norge|` +
	`DK Danmark|FI Suomi|PL Polska|CZ Czech Republic|CZ Česko|RU Russian Federation|KR Korea|KR Republic of Korea|` +
	`KR Korea, Republic of|VN Viet Nam|TR Turkey|CI Ivory Coast|MK Macedonia|SZ Swaziland|MM Burma|CV Cabo Verde|` +
	`AE UAE|HK Hong Kong SAR|MO Macau|CD Democratic Republic of the Congo|CG Republic of the Congo|IR Iran, Islamic Republic of|` +
	`TW Taiwan, Province of China|BO Bolivia, Plurinational State of|VE Venezuela, Bolivarian Republic of|` +
	`TZ Tanzania, United Republic of|MD Moldova, Republic of|LA Lao People's Democratic Republic|SY Syrian Arab Republic|` +
	`PS State of Palestine|VA Holy See|FR République française|BE Belgique|BE België|GR Hellas|HU Magyarország|` +
	`JP Nippon|CN People's Republic of China|MX México|PE Perú|IE Éire|IS Ísland|HR Hrvatska|SI Slovenija|SK Slovensko`

// Name returns the English name of code, or "" when code is unknown.
func Name(code string) string { return byCode[strings.ToUpper(code)] }

// Valid reports whether code is an assigned alpha-2 code.
func Valid(code string) bool { _, ok := byCode[strings.ToUpper(code)]; return ok }

// Normalize turns a code or a name, in English or in one of leadflow's
// other languages, in any case and with or without accents, into the
// code; ok is false when s names no country.
func Normalize(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if up := strings.ToUpper(s); len(up) == 2 && Valid(up) {
		return up, true
	}
	code, ok = byName[fold(s)]
	return code, ok
}

// All lists every country, sorted by name.
func All() []Country { return all }

const table = `AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Åland Islands|AZ Azerbaijan|` +
	`BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthélemy|BM Bermuda|BN Brunei|BO Bolivia|BQ Caribbean Netherlands|BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|` +
	`CA Canada|CC Cocos (Keeling) Islands|CD DR Congo|CF Central African Republic|CG Congo|CH Switzerland|CI Côte d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|CV Cape Verde|CW Curaçao|CX Christmas Island|CY Cyprus|CZ Czechia|` +
	`DE Germany|DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|FM Micronesia|FO Faroe Islands|FR France|` +
	`GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|GS South Georgia|GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|` +
	`HK Hong Kong|HM Heard Island and McDonald Islands|HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|` +
	`KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|KN Saint Kitts and Nevis|KP North Korea|KR South Korea|KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|` +
	`MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia|MO Macao|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|` +
	`NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn Islands|PR Puerto Rico|PS Palestine|PT Portugal|PW Palau|PY Paraguay|` +
	`QA Qatar|RE Réunion|RO Romania|RS Serbia|RU Russia|RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|SH Saint Helena|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|ST São Tomé and Príncipe|SV El Salvador|SX Sint Maarten|SY Syria|SZ Eswatini|` +
	`TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|TR Türkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|` +
	`UA Ukraine|UG Uganda|UM U.S. Minor Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan|VA Vatican City|VC Saint Vincent and the Grenadines|VE Venezuela|VG British Virgin Islands|VI U.S. Virgin Islands|VN Vietnam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|XK Kosovo|YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe`

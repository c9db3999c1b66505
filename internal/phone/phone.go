// Package phone parses phone numbers as people type them and stores them
// in E.164 form (+4915123456789), using libphonenumber's metadata.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Normalize parses v, reading a number without a leading + (or 00) as a
// national number of region (an ISO 3166 code; may be empty), and returns
// it in E.164 form, followed by ";ext=" and the extension when one was
// typed ("+40 721 234 567 ext. 12", "x12"). reason says what is wrong
// when it cannot.
func Normalize(v, region string) (e164 string, reason string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", ""
	}
	if len(v) > 40 {
		return "", "must be at most 40 characters"
	}
	if strings.HasPrefix(v, "00") {
		v = "+" + v[2:]
	}
	international := strings.HasPrefix(v, "+")
	if !international && region == "" {
		return "", "needs the country code (such as +49) or a country for the lead"
	}
	n, err := phonenumbers.Parse(v, strings.ToUpper(region))
	if err != nil {
		return "", "is not a phone number"
	}
	if !phonenumbers.IsValidNumber(n) {
		if international {
			return "", "is not a valid phone number"
		}
		return "", "is not a valid phone number in " + strings.ToUpper(region) + "; add the country code if it is from elsewhere"
	}
	e164 = phonenumbers.Format(n, phonenumbers.E164)
	if ext := n.GetExtension(); ext != "" {
		// E.164 has no room for an extension; RFC 3966's ";ext=" keeps it
		// and still makes a working tel: link.
		e164 += ";ext=" + ext
	}
	return e164, ""
}

// Example returns a valid example mobile number of region in E.164 form,
// varied by n, for demo data; "" when the region has none.
func Example(region string, n int) string {
	ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if ex == nil {
		return ""
	}
	national := ex.GetNationalNumber()
	varied := national - national%1000 + uint64(n%1000)
	ex.NationalNumber = &varied
	if !phonenumbers.IsValidNumber(ex) {
		ex.NationalNumber = &national
	}
	return phonenumbers.Format(ex, phonenumbers.E164)
}

// Shown writes a stored number as people read one, in groups with its
// country code ("+39 02 1234 5678", "+40 721 234 567 ext. 12"); what
// does not parse, such as a number stored before numbers were checked,
// is shown as stored.
func Shown(stored string) string {
	number, ext, _ := strings.Cut(stored, ";ext=")
	n, err := phonenumbers.Parse(number, "")
	if err != nil {
		return stored
	}
	s := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	if ext != "" {
		s += " ext. " + ext
	}
	return s
}

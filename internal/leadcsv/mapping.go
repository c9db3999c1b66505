// Package leadcsv reads and writes leads as CSV: leadflow's own export
// format, and the lead and contact exports of other tools, whose columns
// it maps to lead fields by their usual names.
package leadcsv

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"leadflow/internal/lead"
)

// Ignore is the mapping target of a column that is not imported.
const Ignore = "-"

// Mapping says, for each column of a file by position, which lead field
// it fills (Ignore for none).
type Mapping []string

// Own is the header of leadflow's export, which maps onto itself.
var Own = []string{
	"id", lead.FEmail, lead.FFirstName, lead.FLastName, lead.FPhone, lead.FCompany, lead.FJobTitle,
	lead.FEmployees, lead.FIndustry, lead.FCountry, lead.FCity, lead.FWebsite, lead.FExistingCustomer,
	lead.FSource, lead.FUTMSource, lead.FUTMMedium, lead.FUTMCampaign, lead.FConsent, lead.FConsentAt,
	lead.FStage, "score", "grade", lead.FOwner, lead.FCreatedAt, "updated_at", FCustom,
	lead.FSalutation, lead.FStreet, lead.FPostalCode, lead.FRegion,
}

// FCustom is the own-format column holding custom answers as JSON.
const FCustom = "custom"

// Targets lists what a column can be mapped to, for a mapping form.
func Targets() []string {
	t := append([]string{}, lead.Editable...)
	return append(t, lead.FCreatedAt, lead.FConsentAt, FCustom, fieldStatus, FOutcome)
}

// FOutcome maps a column saying whether a lead converted (yes or no, won
// or lost, true or false, 1 or 0) onto its stage: customer or
// disqualified. It is how a team brings the history a prediction model
// learns from.
const FOutcome = "outcome"

// fieldStatus maps a Salesforce-style lead status onto a stage.
const fieldStatus = "status"

// computed columns of the own format are read back by the server, not
// from the file.
var computed = map[string]bool{"id": true, "score": true, "grade": true, "updated_at": true}

// aliases maps a header, squeezed (lower case, letters and digits only),
// to a field. They cover leadflow, Salesforce (Lead and Contact, Data
// Loader API names), HubSpot (contact export) and Mautic headers, and
// (localAliases) exports in Romanian, Italian and Norwegian.
var aliases = map[string]string{
	"email": lead.FEmail, "emailaddress": lead.FEmail, "mail": lead.FEmail,
	"firstname": lead.FFirstName, "givenname": lead.FFirstName, "forename": lead.FFirstName,
	"lastname": lead.FLastName, "surname": lead.FLastName, "familyname": lead.FLastName,
	"phone": lead.FPhone, "phonenumber": lead.FPhone, "telephone": lead.FPhone, "mobile": lead.FPhone,
	"mobilephone": lead.FPhone, "mobilephonenumber": lead.FPhone, "businessphone": lead.FPhone,
	"company": lead.FCompany, "companyname": lead.FCompany, "account": lead.FCompany, "accountname": lead.FCompany,
	"organization": lead.FCompany, "organisation": lead.FCompany,
	"title": lead.FJobTitle, "jobtitle": lead.FJobTitle, "position": lead.FJobTitle, "role": lead.FJobTitle,
	"employees": lead.FEmployees, "noofemployees": lead.FEmployees, "numberofemployees": lead.FEmployees,
	"companysize": lead.FEmployees, "headcount": lead.FEmployees,
	"industry": lead.FIndustry, "sector": lead.FIndustry,
	"country": lead.FCountry, "countrycode": lead.FCountry, "countryregion": lead.FCountry,
	"city": lead.FCity, "town": lead.FCity,
	"website": lead.FWebsite, "websiteurl": lead.FWebsite, "url": lead.FWebsite, "companywebsite": lead.FWebsite,
	"existingcustomer": lead.FExistingCustomer,
	"source":           lead.FSource, "leadsource": lead.FSource, "originalsource": lead.FSource, "sourcename": lead.FSource,
	"utmsource": lead.FUTMSource, "utmmedium": lead.FUTMMedium, "utmcampaign": lead.FUTMCampaign,
	"campaign": lead.FUTMCampaign,
	"consent":  lead.FConsent, "marketingconsent": lead.FConsent, "consentat": lead.FConsentAt,
	"stage": lead.FStage, "lifecyclestage": lead.FStage, "leadstatus": fieldStatus, "status": fieldStatus,
	"owner": lead.FOwner, "owneremail": lead.FOwner, "leadowneremail": lead.FOwner, "contactowneremail": lead.FOwner,
	"createdat": lead.FCreatedAt, "custom": FCustom, "outcome": FOutcome, "converted": FOutcome,
	// Addresses: Salesforce contacts have a mailing and an other address;
	// the mailing one comes first in its exports and so wins when both
	// are filled. Street, postcode and region are kept as custom answers.
	"mailingcity": lead.FCity, "othercity": lead.FCity, "mailingcountry": lead.FCountry, "othercountry": lead.FCountry,
	"mailingcountrycode": lead.FCountry, "othercountrycode": lead.FCountry,
	"street": fStreet, "address": fStreet, "address1": fStreet, "streetaddress": fStreet, "mailingstreet": fStreet, "otherstreet": fStreet,
	"postalcode": fPostalCode, "postcode": fPostalCode, "zip": fPostalCode, "zipcode": fPostalCode,
	"mailingpostalcode": fPostalCode, "otherpostalcode": fPostalCode,
	"state": fRegion, "region": fRegion, "province": fRegion, "county": fRegion, "mailingstate": fRegion, "otherstate": fRegion,
	"mailingstatecode": fRegion, "otherstatecode": fRegion,
	"address2": lead.CustomPrefix + "street2", "streetnumber": lead.CustomPrefix + "street_number",
	"housenumber": lead.CustomPrefix + "street_number",
	"salutation":  fSalutation, "homephone": lead.FPhone, "otherphone": lead.FPhone,
	"birthdate": fBirthDate, "dateofbirth": fBirthDate, "dob": fBirthDate,
}

// localAliases are the headers of exports made in the languages leadflow
// speaks besides English (Romanian, Italian, Norwegian), squeezed as
// aliases are, accents removed. Words whose sense differs between
// exports stay out: Italian "stato" (a country or a status), Romanian
// "titlu" (a job title or a form of address) and "domeniu" (an industry
// or a web domain), Italian "via" (a street, or a channel in English).
// So do consent, stage, owner and the date of creation, whose values
// (da, sì, ja; client; a person's name; 03.12.2026) the import reads in
// English words and forms only: a row would be refused where the column
// is now ignored.
var localAliases = map[string]string{
	// Romanian
	"adresaemail": lead.FEmail, "adresadeemail": lead.FEmail, "postaelectronica": lead.FEmail,
	"prenume": lead.FFirstName, "nume": lead.FLastName, "numedefamilie": lead.FLastName,
	"telefon": lead.FPhone, "numardetelefon": lead.FPhone, "mobil": lead.FPhone, "telefonmobil": lead.FPhone,
	"companie": lead.FCompany, "firma": lead.FCompany, "societate": lead.FCompany, "organizatie": lead.FCompany,
	"numecompanie": lead.FCompany, "functie": lead.FJobTitle, "pozitie": lead.FJobTitle,
	"angajati": lead.FEmployees, "numardeangajati": lead.FEmployees, "industrie": lead.FIndustry,
	"tara": lead.FCountry, "oras": lead.FCity, "localitate": lead.FCity, "siteweb": lead.FWebsite,
	"sursa": lead.FSource, "sursalead": lead.FSource, "adresa": fStreet, "strada": fStreet, "codpostal": fPostalCode,
	"judet": fRegion, "regiune": fRegion, "datanasterii": fBirthDate,
	// Italian
	"indirizzoemail": lead.FEmail, "postaelettronica": lead.FEmail,
	"nome": lead.FFirstName, "cognome": lead.FLastName, "telefono": lead.FPhone, "cellulare": lead.FPhone,
	"numeroditelefono": lead.FPhone, "azienda": lead.FCompany, "societa": lead.FCompany, "ragionesociale": lead.FCompany,
	"impresa": lead.FCompany, "ruolo": lead.FJobTitle, "qualifica": lead.FJobTitle, "mansione": lead.FJobTitle,
	"posizione": lead.FJobTitle, "dipendenti": lead.FEmployees, "numerodipendenti": lead.FEmployees,
	"settore": lead.FIndustry, "paese": lead.FCountry, "nazione": lead.FCountry, "citta": lead.FCity, "comune": lead.FCity,
	"sitoweb": lead.FWebsite, "sito": lead.FWebsite, "fonte": lead.FSource, "origine": lead.FSource,
	"indirizzo": fStreet, "cap": fPostalCode, "codicepostale": fPostalCode, "provincia": fRegion,
	"regione": fRegion, "datadinascita": fBirthDate, "appellativo": fSalutation,
	// Norwegian
	"epost": lead.FEmail, "epostadresse": lead.FEmail, "fornavn": lead.FFirstName, "etternavn": lead.FLastName,
	"telefonnummer": lead.FPhone, "mobilnummer": lead.FPhone, "bedrift": lead.FCompany,
	"selskap": lead.FCompany, "firmanavn": lead.FCompany, "organisasjon": lead.FCompany, "stilling": lead.FJobTitle,
	"stillingstittel": lead.FJobTitle, "ansatte": lead.FEmployees, "antallansatte": lead.FEmployees,
	"bransje": lead.FIndustry, "land": lead.FCountry, "by": lead.FCity, "poststed": lead.FCity, "sted": lead.FCity,
	"nettside": lead.FWebsite, "hjemmeside": lead.FWebsite, "nettsted": lead.FWebsite, "kilde": lead.FSource,
	"adresse": fStreet, "gateadresse": fStreet, "postnummer": fPostalCode, "fylke": fRegion,
	"fodselsdato": fBirthDate, "fødselsdato": fBirthDate,
}

func init() {
	for h, f := range localAliases {
		if _, dup := aliases[h]; dup {
			panic("leadcsv: header " + h + " has two meanings")
		}
		aliases[h] = f
	}
}

// The address and salutation fields; the birth date is kept as a custom
// answer, read by identity resolution.
const (
	fStreet     = lead.FStreet
	fPostalCode = lead.FPostalCode
	fRegion     = lead.FRegion
	fSalutation = lead.FSalutation
	fBirthDate  = lead.CustomPrefix + "birth_date"
)

// squeeze is a header as aliases has it: lower case, letters and digits
// only, accents removed ("Țară" is "tara").
func squeeze(h string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) { // accents, once apart, are neither
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Detect maps each column of header to a field by its name. Several
// columns may fill one field (Phone and Mobile, Title and Position): in
// each row the first that is filled gives the value, so an empty column
// never hides a filled one. Unknown columns map to Ignore. In a file with
// both Title and Position (Mautic's export), Title is the salutation
// (Mr., Ms.) and Position the job title.
func Detect(header []string) Mapping {
	m := make(Mapping, len(header))
	withPosition := hasPosition(header)
	for i, h := range header {
		f := aliases[squeeze(h)]
		if f == lead.FJobTitle && squeeze(h) == "title" && withPosition {
			f = fSalutation
		}
		if f == "" || computed[strings.ToLower(strings.TrimSpace(h))] {
			m[i] = Ignore
			continue
		}
		m[i] = f
	}
	return m
}

// hasPosition reports whether header has a position column (Mautic's
// job title), beside which a title column is the salutation.
func hasPosition(header []string) bool {
	return slices.ContainsFunc(header, func(h string) bool { return squeeze(h) == "position" })
}

// DetectFrom is Detect, told by a file's first rows what a title column
// holds: a title column whose filled cells are all forms of address
// (Mautic's "title": Mr., Mrs.) is proposed as the salutation rather than
// the job title, so the mapping shown is what the rows will fill; a
// later cell that is no form of address still fills the job title.
func DetectFrom(header []string, rows [][]string) Mapping {
	m := Detect(header)
	for i, f := range m {
		if f != lead.FJobTitle || squeeze(header[i]) != "title" {
			continue
		}
		filled, addresses := 0, 0
		for _, r := range rows {
			if i < len(r) && strings.TrimSpace(r[i]) != "" {
				filled++
				if isSalutation(r[i]) {
					addresses++
				}
			}
		}
		if filled > 0 && addresses == filled {
			m[i] = fSalutation
		}
	}
	return m
}

// Override applies "Column=field" pairs (field "-" ignores the column) to
// m, naming the columns and fields it does not know.
func (m Mapping) Override(header []string, pairs map[string]string) error {
	valid := map[string]bool{Ignore: true}
	for _, t := range Targets() {
		valid[t] = true
	}
	for col, field := range pairs {
		i := indexOf(header, col)
		switch {
		case i < 0:
			return fmt.Errorf("mapping: the file has no column %q", col)
		case !valid[field] && !lead.IsEditable(field):
			return fmt.Errorf("mapping: %q is not a lead field (use one of %s, custom.NAME or -)", field, strings.Join(Targets(), ", "))
		}
		m[i] = field
	}
	return nil
}

func indexOf(header []string, col string) int {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(col)) {
			return i
		}
	}
	return -1
}

// Identifies reports whether the mapped columns can say who a row is: an
// email, a phone, or a name with a company, city, address or birth date.
// Without any of them no row could be imported.
func (m Mapping) Identifies() bool {
	has := func(f string) bool { return indexOf(m, f) >= 0 }
	named := has(lead.FFirstName) || has(lead.FLastName)
	return has(lead.FEmail) || has(lead.FPhone) ||
		named && (has(lead.FCompany) || has(lead.FCity) || has(fStreet) || has(fPostalCode) || has(fBirthDate))
}

// Ignored lists the columns that are not imported.
func (m Mapping) Ignored(header []string) []string {
	var out []string
	for i, f := range m {
		if f == Ignore && i < len(header) {
			out = append(out, header[i])
		}
	}
	sort.Strings(out)
	return out
}

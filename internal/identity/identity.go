// Package identity finds the same person behind different lead records:
// record linkage in three steps, each in its own file.
//
//   - blocking (block.go): every record gets a few normalised keys (a
//     phonetic code of the surname with the first initial, phone digits,
//     email local part, postcode with the surname's code...); only records
//     that share a key are compared, so the work grows with the number of
//     records, not with its square.
//   - comparison (compare.go): each field of a candidate pair is compared
//     with a measure suited to it (Jaro-Winkler for names, token sets for
//     companies and streets, digits for phones and dates); a missing value
//     counts neither for nor against.
//   - scoring (score.go): the agreements are weighed in the manner of
//     Fellegi and Sunter, each field adding log2(m/u) when it agrees and
//     log2((1-m)/(1-u)) when it does not, and the sum is held against two
//     thresholds: a probable duplicate, and almost certainly the same.
//
// Every pair carries its explanation, field by field.
package identity

// Record is what identity needs of a lead: the fields that say who a person
// is. Empty strings are missing values.
type Record struct {
	ID         int64
	FirstName  string
	LastName   string
	Email      string
	Phone      string // as stored (E.164) or as typed; only digits count
	Company    string
	Street     string
	PostalCode string
	City       string
	Region     string
	Country    string
	BirthDate  string // YYYY-MM-DD or YYYYMMDD, when a form asked for it
}

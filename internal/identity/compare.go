package identity

import "strings"

// prepared is a record with its fields normalised once, for comparing it
// with many others.
type prepared struct {
	id                  int64
	first, last         string // letters only, folded
	email, local, phone string
	company             []string
	street              []string
	postal, city        string
	region, country     string
	birth               string
}

func prepare(r Record) prepared {
	return prepared{
		id: r.ID, first: letters(r.FirstName), last: letters(r.LastName),
		email: strings.ToLower(strings.TrimSpace(r.Email)), local: emailLocal(r.Email), phone: phoneKey(r.Phone),
		company: companyTokens(r.Company), street: strings.Fields(fold(r.Street)),
		postal: letters(r.PostalCode), city: letters(r.City), region: letters(r.Region),
		country: strings.ToUpper(strings.TrimSpace(r.Country)), birth: birthDigits(r.BirthDate),
	}
}

// Level says how well one field of a pair agreed.
type Level string

// The levels of agreement, strongest first. Missing means one side had no
// value, which counts neither for nor against.
const (
	Same      Level = "same"
	Similar   Level = "similar"
	Partial   Level = "partial"
	Different Level = "different"
	Missing   Level = "missing"
)

// Agreement is how one field of a pair compared, and what it added to
// the score.
type Agreement struct {
	Field      string  `json:"field"`
	Level      Level   `json:"level"`
	Similarity float64 `json:"similarity"` // 0..1
	Weight     float64 `json:"weight"`     // log2 likelihood ratio added to the score
	Note       string  `json:"note,omitempty"`
}

// byLevel grades a similarity against a field's cut-offs for similar and
// partial.
func byLevel(sim, similar, partial float64) Level {
	switch {
	case sim >= 0.9999:
		return Same
	case sim >= similar:
		return Similar
	case sim >= partial:
		return Partial
	}
	return Different
}

// compareNames compares first and last names, straight and swapped (a
// form filled in the wrong order), and keeps the reading that agrees best.
func compareNames(a, b *prepared) (first, last Agreement) {
	first = nameAgreement("first_name", a.first, b.first)
	last = nameAgreement("last_name", a.last, b.last)
	if a.first == "" || a.last == "" || b.first == "" || b.last == "" {
		return first, last
	}
	sf, sl := nameAgreement("first_name", a.first, b.last), nameAgreement("last_name", a.last, b.first)
	if sf.Similarity+sl.Similarity > first.Similarity+last.Similarity+0.2 && sf.Level != Different && sl.Level != Different {
		sf.Note, sl.Note = "first and last name swapped", "first and last name swapped"
		return sf, sl
	}
	return first, last
}

func nameAgreement(field, x, y string) Agreement {
	if x == "" || y == "" {
		return Agreement{Field: field, Level: Missing}
	}
	if (len(x) == 1 || len(y) == 1) && x[0] == y[0] {
		return Agreement{Field: field, Level: Partial, Similarity: 0.5, Note: "initial only"}
	}
	sim := jaroWinkler(x, y)
	if sim < 0.9 && len(x) >= 4 && len(y) >= 4 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x)) {
		sim = 0.9 // a name cut short, as "alex" for "alexander"
	}
	return Agreement{Field: field, Level: byLevel(sim, 0.92, 0.85), Similarity: sim}
}

// nFields is the number of fields compared.
const nFields = 11

// costly are the slots of the fields compared word by word (company,
// street, city): the comparisons that take time.
var costly = [...]int{5, 6, 8}

// compareFields compares every field of a and b into out, without
// allocating: most candidate pairs are different people, and only a match
// keeps its explanation.
func compareFields(a, b *prepared, out *[nFields]Agreement) {
	compareCheap(a, b, out)
	compareCostly(a, b, out)
}

// compareCostly fills the costly slots of out.
func compareCostly(a, b *prepared, out *[nFields]Agreement) {
	out[5] = tokens("company", a.company, b.company, 0.93, 0.85)
	out[6] = tokens("street", a.street, b.street, 0.9, 0.8)
	out[8] = similar("city", a.city, b.city, 0.92, 0.85)
}

// compareCheap fills every slot of out but the costly ones.
func compareCheap(a, b *prepared, out *[nFields]Agreement) {
	out[0], out[1] = compareNames(a, b)
	out[2] = exactOrNot("email", a.email, b.email, func() (Level, float64) {
		if a.local != "" && a.local == b.local && len(a.local) >= 4 {
			return Partial, 0.5 // the same mailbox name at another domain
		}
		return Different, 0
	})
	out[3] = exactOrNot("phone", a.phone, b.phone, nil)
	out[4] = exactOrNot("birth_date", a.birth, b.birth, func() (Level, float64) {
		if editDistance(a.birth, b.birth) == 1 || a.birth[:4] == b.birth[:4] && a.birth[4:6] == b.birth[6:8] && a.birth[6:8] == b.birth[4:6] {
			return Similar, 0.8 // a digit mistyped, or day and month swapped
		}
		return Different, 0
	})
	out[7] = exactOrNot("postal_code", a.postal, b.postal, func() (Level, float64) {
		if editDistance(a.postal, b.postal) == 1 {
			return Similar, 0.75
		}
		return Different, 0
	})
	out[9] = exactOrNot("region", a.region, b.region, nil)
	out[10] = exactOrNot("country", a.country, b.country, nil)
}

// exactOrNot compares values that are either equal or not; near tells how
// near two unequal values are, when that means something.
func exactOrNot(field, x, y string, near func() (Level, float64)) Agreement {
	switch {
	case x == "" || y == "":
		return Agreement{Field: field, Level: Missing}
	case x == y:
		return Agreement{Field: field, Level: Same, Similarity: 1}
	case near != nil:
		l, s := near()
		return Agreement{Field: field, Level: l, Similarity: s}
	}
	return Agreement{Field: field, Level: Different}
}

func similar(field, x, y string, sim, partial float64) Agreement {
	if x == "" || y == "" {
		return Agreement{Field: field, Level: Missing}
	}
	s := jaroWinkler(x, y)
	return Agreement{Field: field, Level: byLevel(s, sim, partial), Similarity: s}
}

func tokens(field string, x, y []string, sim, partial float64) Agreement {
	if len(x) == 0 || len(y) == 0 {
		return Agreement{Field: field, Level: Missing}
	}
	s := (tokenSimilarity(x, y) + tokenSimilarity(y, x)) / 2
	return Agreement{Field: field, Level: byLevel(s, sim, partial), Similarity: s}
}

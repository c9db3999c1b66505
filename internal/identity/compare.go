package identity

import (
	"math"
	"strings"
	"unicode/utf8"
)

// prepared is a record with its fields normalised once, for comparing it
// with many others. The fields' texts sit one after another in one
// string, company and street as their words joined by spaces, so that a
// million prepared leads cost one allocation each besides the struct, or
// none when read back from one string (ReadPrepared).
type prepared struct {
	id   int64
	text string
	end  [nTexts]uint16 // where each text ends in text
}

// maxText is the most text a prepared record keeps, so that where each
// text ends fits in 16 bits: a full pairs run holds a million records.
// No field a person types comes near it; what lies beyond is cut off.
const maxText = math.MaxUint16

// The texts of a prepared record, in their order in text.
const (
	tFirst   = iota // letters only, folded
	tLast           // letters only, folded
	tEmail          // lower-cased
	tLocal          // the email's mailbox name (emailLocal)
	tPhone          // phoneKey
	tCompany        // companyTokens
	tStreet         // folded words
	tPostal
	tCity
	tRegion
	tCountry
	tBirth // YYYYMMDD
	nTexts
)

func prepare(r Record) prepared {
	texts := [nTexts]string{
		tFirst: letters(r.FirstName), tLast: letters(r.LastName),
		tEmail: strings.ToLower(strings.TrimSpace(r.Email)), tLocal: emailLocal(r.Email), tPhone: phoneKey(r.Phone),
		tCompany: strings.Join(companyTokens(r.Company), " "), tStreet: strings.Join(strings.Fields(fold(r.Street)), " "),
		tPostal: letters(r.PostalCode), tCity: letters(r.City), tRegion: letters(r.Region),
		tCountry: strings.ToUpper(strings.TrimSpace(r.Country)), tBirth: birthDigits(r.BirthDate),
	}
	p := prepared{id: r.ID}
	var b strings.Builder
	for i, t := range texts {
		b.WriteString(clip(t, maxText-b.Len()))
		p.end[i] = uint16(b.Len())
	}
	p.text = b.String()
	return p
}

// clip cuts s to at most n bytes, at the start of a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (p *prepared) get(t int) string {
	from := uint16(0)
	if t > 0 {
		from = p.end[t-1]
	}
	return p.text[from:p.end[t]]
}

func (p *prepared) first() string   { return p.get(tFirst) }
func (p *prepared) last() string    { return p.get(tLast) }
func (p *prepared) email() string   { return p.get(tEmail) }
func (p *prepared) local() string   { return p.get(tLocal) }
func (p *prepared) phone() string   { return p.get(tPhone) }
func (p *prepared) company() string { return p.get(tCompany) }
func (p *prepared) street() string  { return p.get(tStreet) }
func (p *prepared) postal() string  { return p.get(tPostal) }
func (p *prepared) city() string    { return p.get(tCity) }
func (p *prepared) region() string  { return p.get(tRegion) }
func (p *prepared) country() string { return p.get(tCountry) }
func (p *prepared) birth() string   { return p.get(tBirth) }

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

// level is a Level as an index into levels and the weight table, so that
// scoring a pair looks nothing up by name.
type level uint8

const (
	same level = iota
	similarLvl
	partial
	different
	missing
	nLevels
)

var levels = [nLevels]Level{Same, Similar, Partial, Different, Missing}

// Agreement is how one field of a pair compared, and what it added to
// the score.
type Agreement struct {
	Field      string  `json:"field"`
	Level      Level   `json:"level"`
	Similarity float64 `json:"similarity"` // 0..1
	Weight     float64 `json:"weight"`     // log2 likelihood ratio added to the score
	Note       string  `json:"note,omitempty"`
}

// agreement is an Agreement while a pair is being scored: small, and
// without strings, since most pairs are different people and are
// explained to no one.
type agreement struct {
	sim  float64
	lvl  level
	note note
}

// note is one of the few things an Agreement's Note says.
type note uint8

const (
	noNote note = iota
	initialOnly
	swapped
)

var notes = [...]string{noNote: "", initialOnly: "initial only", swapped: "first and last name swapped"}

// The fields compared, as slots of a pair's explanation, in its order.
const (
	fFirst = iota
	fLast
	fEmail
	fPhone
	fBirth
	fCompany
	fStreet
	fPostal
	fCity
	fRegion
	fCountry
	nFields
)

var fieldNames = [nFields]string{"first_name", "last_name", "email", "phone", "birth_date", "company", "street",
	"postal_code", "city", "region", "country"}

// byLevel grades a similarity against a field's cut-offs for similar and
// partial.
func byLevel(sim, similar, partialAt float64) level {
	switch {
	case sim >= 0.9999:
		return same
	case sim >= similar:
		return similarLvl
	case sim >= partialAt:
		return partial
	}
	return different
}

// compareNames compares first and last names, straight and swapped (a
// form filled in the wrong order), and keeps the reading that agrees best.
func compareNames(a, b *prepared) (first, last agreement) {
	first = nameAgreement(a.first(), b.first())
	last = nameAgreement(a.last(), b.last())
	if a.first() == "" || a.last() == "" || b.first() == "" || b.last() == "" {
		return first, last
	}
	// The swapped reading wins only if it agrees better by 0.2 with
	// neither name different: it cannot when the straight one is that
	// close to the most (similarities are at most 1), nor once one
	// swapped name differs, and most pairs stop there.
	if first.sim+last.sim+0.2 >= 2 {
		return first, last
	}
	sf := nameAgreement(a.first(), b.last())
	if sf.lvl == different {
		return first, last
	}
	sl := nameAgreement(a.last(), b.first())
	if sf.sim+sl.sim > first.sim+last.sim+0.2 && sl.lvl != different {
		sf.note, sl.note = swapped, swapped
		return sf, sl
	}
	return first, last
}

func nameAgreement(x, y string) agreement {
	if x == "" || y == "" {
		return agreement{lvl: missing}
	}
	if (len(x) == 1 || len(y) == 1) && x[0] == y[0] {
		return agreement{lvl: partial, sim: 0.5, note: initialOnly}
	}
	sim := jaroWinkler(x, y)
	if sim < 0.9 && len(x) >= 4 && len(y) >= 4 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x)) {
		sim = 0.9 // a name cut short, as "alex" for "alexander"
	}
	return agreement{lvl: byLevel(sim, 0.92, 0.85), sim: sim}
}

// compareExact fills the slots of the fields that are equal or not (with
// a near miss for some): string comparisons, the cheapest.
func compareExact(a, b *prepared, out *[nFields]agreement) {
	out[fEmail] = exactOrNot(a.email(), b.email(), func() (level, float64) {
		if a.local() != "" && a.local() == b.local() && len(a.local()) >= 4 {
			return partial, 0.5 // the same mailbox name at another domain
		}
		return different, 0
	})
	out[fPhone] = exactOrNot(a.phone(), b.phone(), nil)
	out[fBirth] = exactOrNot(a.birth(), b.birth(), func() (level, float64) {
		if editDistance(a.birth(), b.birth()) == 1 || a.birth()[:4] == b.birth()[:4] && a.birth()[4:6] == b.birth()[6:8] && a.birth()[6:8] == b.birth()[4:6] {
			return similarLvl, 0.8 // a digit mistyped, or day and month swapped
		}
		return different, 0
	})
	out[fPostal] = exactOrNot(a.postal(), b.postal(), func() (level, float64) {
		if editDistance(a.postal(), b.postal()) == 1 {
			return similarLvl, 0.75
		}
		return different, 0
	})
	out[fRegion] = exactOrNot(a.region(), b.region(), nil)
	out[fCountry] = exactOrNot(a.country(), b.country(), nil)
}

// compareWords fills the slots of the fields compared word by word or
// letter by letter besides the names: company, street, city.
func compareWords(a, b *prepared, out *[nFields]agreement) {
	out[fCity] = similar(a.city(), b.city(), 0.92, 0.85)
	out[fCompany] = tokens(a.company(), b.company(), 0.93, 0.85)
	out[fStreet] = tokens(a.street(), b.street(), 0.9, 0.8)
}

// exactOrNot compares values that are either equal or not; near tells how
// near two unequal values are, when that means something.
func exactOrNot(x, y string, near func() (level, float64)) agreement {
	switch {
	case x == "" || y == "":
		return agreement{lvl: missing}
	case x == y:
		return agreement{lvl: same, sim: 1}
	case near != nil:
		l, s := near()
		return agreement{lvl: l, sim: s}
	}
	return agreement{lvl: different}
}

func similar(x, y string, sim, partialAt float64) agreement {
	if x == "" || y == "" {
		return agreement{lvl: missing}
	}
	s := jaroWinkler(x, y)
	return agreement{lvl: byLevel(s, sim, partialAt), sim: s}
}

func tokens(x, y string, sim, partialAt float64) agreement {
	if x == "" || y == "" {
		return agreement{lvl: missing}
	}
	s := (tokenSimilarity(x, y) + tokenSimilarity(y, x)) / 2
	return agreement{lvl: byLevel(s, sim, partialAt), sim: s}
}

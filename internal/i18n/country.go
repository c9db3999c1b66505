package i18n

import (
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"leadflow/internal/country"
)

// Country is the country with ISO code code as l's language names it
// (CLDR's names, through x/text); English keeps the names of package
// country, which the forms and imports also read.
func (l *Locale) Country(code string) string {
	name := country.Name(code)
	if l.Lang == Default || name == "" {
		if name == "" {
			return code
		}
		return name
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return name
	}
	if n := display.Regions(tableTag(l.tag, displayTags)).Name(r); n != "" {
		return n
	}
	return name
}

var countriesOnce sync.Map // lang → []country.Country

// Countries are all countries named in l's language and in its
// alphabetical order ("Țara Galilor" after "Turcia" in Romanian).
func (l *Locale) Countries() []country.Country {
	if v, ok := countriesOnce.Load(l.Lang); ok {
		return v.([]country.Country)
	}
	all := country.All()
	if l.Lang == Default {
		return all
	}
	out := make([]country.Country, len(all))
	names := make([]string, len(all))
	byName := map[string]country.Country{}
	for i, c := range all {
		out[i] = country.Country{Code: c.Code, Name: l.Country(c.Code)}
		names[i] = out[i].Name
		byName[out[i].Name] = out[i]
	}
	collate.New(tableTag(l.tag, collateTags)).SortStrings(names)
	for i, n := range names {
		out[i] = byName[n]
	}
	countriesOnce.Store(l.Lang, out)
	return out
}

// x/text's tables for Bokmål are wrong in two places: its region names
// under "nb" are Danish ("Rumænien") and its collation under "nb" puts
// Å first. Norwegian's names ("no") and Nynorsk's order ("nn", which is
// Bokmål's: Æ, Ø, Å after Z) are right, so those tables are read.
var (
	displayTags = map[string]language.Tag{"nb": language.MustParse("no")}
	collateTags = map[string]language.Tag{"nb": language.MustParse("nn")}
)

func tableTag(tag language.Tag, swap map[string]language.Tag) language.Tag {
	if t, ok := swap[tag.String()]; ok {
		return t
	}
	return tag
}

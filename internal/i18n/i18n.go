// Package i18n speaks leadflow's languages: the message catalogs
// (locales/*.toml, one file per language that a translator edits), the
// choice of a language for a user or a visitor, and dates, numbers and
// money written as each language writes them. English is the default:
// a message missing from a catalog reads in English.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFS embed.FS

// Default is the language of a user with no setting whose browser asks
// for none of ours, of the API, and of anything sent to the system.
const Default = "en"

// Langs are the languages leadflow speaks, by BCP 47 code.
var Langs = []string{"en", "ro", "it", "nb"}

// names are the languages as their speakers write them, for the menus
// that choose one.
var names = map[string]string{"en": "English", "ro": "Română", "it": "Italiano", "nb": "Norsk bokmål"}

// Name is lang as its speakers write it ("Română").
func Name(lang string) string { return names[lang] }

// Valid reports whether lang is one of Langs.
func Valid(lang string) bool { return slices.Contains(Langs, lang) }

var (
	loadOnce sync.Once
	bundle   *goi18n.Bundle
	catalogs map[string]map[string]bool // lang → its message ids
	plurals  map[string]bool            // ids with plural forms
	locales  map[string]*Locale
	loadErr  error
)

// load reads the embedded catalogs once. They are part of the binary, so
// an error in one is a bug that the tests catch; at run time it leaves
// every message in its id rather than stopping the server.
func load() {
	loadOnce.Do(func() {
		bundle = goi18n.NewBundle(language.English)
		bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
		catalogs = map[string]map[string]bool{}
		plurals = map[string]bool{}
		locales = map[string]*Locale{}
		for _, lang := range Langs {
			raw, err := fs.ReadFile(localeFS, "locales/"+lang+".toml")
			if err != nil {
				loadErr = fmt.Errorf("i18n: read %s: %w", lang, err)
				continue
			}
			mf, err := bundle.ParseMessageFileBytes(raw, lang+".toml")
			if err != nil {
				loadErr = fmt.Errorf("i18n: parse %s: %w", lang, err)
				continue
			}
			ids := map[string]bool{}
			for _, m := range mf.Messages {
				ids[m.ID] = true
				if m.One != "" || m.Few != "" || m.Many != "" {
					plurals[m.ID] = true
				}
			}
			catalogs[lang] = ids
		}
		for _, lang := range Langs {
			locales[lang] = newLocale(lang)
		}
	})
}

// Err is the error, if any, met reading the catalogs.
func Err() error {
	load()
	return loadErr
}

// Keys are the message ids of lang's catalog, sorted.
func Keys(lang string) []string {
	load()
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether the English catalog, which every other must
// match, holds id.
func Has(id string) bool {
	load()
	return catalogs[Default][id]
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Romanian, language.Italian, language.Norwegian})

// Match is the language of ours that an Accept-Language header prefers,
// Default when it names none of them. Norwegian ("no") and Nynorsk
// ("nn") readers get Bokmål, which they all read.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Langs[i]
}

// Pick is the language to speak: the first of choices that is one of
// ours (a user's or a form's setting), or else what acceptLanguage
// prefers.
func Pick(acceptLanguage string, choices ...string) string {
	for _, c := range choices {
		if Valid(c) {
			return c
		}
	}
	return Match(acceptLanguage)
}

type ctxKey struct{}

// WithLang is ctx carrying lang, the language chosen for its request.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// LangFrom is the language ctx carries, Default when none.
func LangFrom(ctx context.Context) string {
	if l, ok := ctx.Value(ctxKey{}).(string); ok && Valid(l) {
		return l
	}
	return Default
}

// From is the Locale of ctx's language.
func From(ctx context.Context) *Locale { return For(LangFrom(ctx)) }

// T translates id in ctx's language; see Locale.T.
func T(ctx context.Context, id string, args ...any) string { return From(ctx).T(id, args...) }

// ByEnglish is the id of the message whose English text is en, among
// the ids that start with one of prefixes; "" when none is. It lets a
// page title set in English ("Deals") read in the page's language.
func ByEnglish(en string, prefixes ...string) string {
	load()
	byEnglishOnce.Do(func() {
		byEnglish = map[string][]string{}
		l := For(Default)
		for id := range catalogs[Default] {
			if !plurals[id] {
				byEnglish[l.T(id)] = append(byEnglish[l.T(id)], id)
			}
		}
		for _, ids := range byEnglish {
			sort.Strings(ids)
		}
	})
	for _, p := range prefixes {
		for _, id := range byEnglish[en] {
			if strings.HasPrefix(id, p) {
				return id
			}
		}
	}
	return ""
}

var (
	byEnglishOnce sync.Once
	byEnglish     map[string][]string
)

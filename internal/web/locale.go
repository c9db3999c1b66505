package web

import (
	"cmp"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/accountmatch"
	"leadflow/internal/brief"
	"leadflow/internal/crm"
	"leadflow/internal/i18n"
	"leadflow/internal/invoice"
	"leadflow/internal/lead"
	"leadflow/internal/matching"
	"leadflow/internal/notify"
	"leadflow/internal/phone"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/report"
)

// localPages are the templates as each (language, time zone) shows them,
// made once per pair in use: html/template escapes a template when it is
// first executed and refuses to clone it after, so each pair's set is
// cloned from the never-executed originals and then kept.
type localPages struct {
	mu    sync.Mutex
	byKey map[localKey]map[string]*template.Template
}

type localKey struct{ lang, zone string }

// zoneOf is the time zone a's pages show times in: their setting, UTC
// for a visitor or when it cannot be read.
func (h *Web) zoneOf(r *http.Request, a access.Actor) *time.Location {
	if a.ID == 0 || h.Calendar == nil {
		return time.UTC
	}
	return h.Calendar.Zone(r.Context(), a.ID)
}

// speak carries the language of r in its context: the signed-in user's
// setting (see RequireLogin) or else what the browser asks for.
func speak(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.Match(r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(i18n.WithLang(r.Context(), lang)))
	})
}

// inLocale returns page name speaking lang, with datetime showing times
// in loc. Dates (date) stay as stored: they are days, not instants.
func (h *Web) inLocale(name, lang string, loc *time.Location) (*template.Template, error) {
	h.local.mu.Lock()
	defer h.local.mu.Unlock()
	if h.local.byKey == nil {
		h.local.byKey = map[localKey]map[string]*template.Template{}
	}
	key := localKey{lang, loc.String()}
	set := h.local.byKey[key]
	if set == nil {
		set = map[string]*template.Template{}
		h.local.byKey[key] = set
	}
	if t, ok := set[name]; ok {
		return t, nil
	}
	base, ok := h.pages[name]
	if !ok {
		if _, err := fs.Stat(templateFS, "templates/"+name+".html"); err != nil || !isPage(name) {
			return nil, fmt.Errorf("no template %s", name)
		}
		var err error
		if base, err = h.parse(name); err != nil {
			return nil, err
		}
		h.pages[name] = base
	}
	t, err := base.Clone()
	if err != nil {
		return nil, fmt.Errorf("web: clone %s: %w", name, err)
	}
	t.Funcs(localFuncs(i18n.For(lang), loc))
	set[name] = t
	return t, nil
}

// localFuncs are the template functions whose output depends on the
// language or the zone; the templates are parsed with English in UTC.
func localFuncs(l *i18n.Locale, loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"t":        l.T,
		"lang":     func() string { return l.Lang },
		"locale":   func() *i18n.Locale { return l },
		"datetime": func(t time.Time) string { return l.DateTime(t, loc) },
		"date":     func(t time.Time) string { return l.Date(t.UTC()) },
		"day":      l.Day,
		// A month kept as text ("2026-12"), named: "decembrie 2026".
		"month": func(s string) string {
			if t, err := time.Parse("2006-01", s); err == nil {
				return l.MonthYear(t)
			}
			return s
		},
		"money": func(amount *int64, currency string) string {
			if amount == nil {
				return "—"
			}
			return l.Money(big.NewInt(*amount), currency)
		},
		"amounts": func(m map[string]int64) string {
			return eachCurrency(m, ", ", func(v int64, c string) string { return l.Money(big.NewInt(v), c) })
		},
		// Average budgets, in cents: whole ones without them, as the
		// matching writes its costs.
		"budgets": func(m map[string]int64) string {
			return eachCurrency(m, " · ", func(v int64, c string) string {
				if v%100 == 0 {
					return l.Money(big.NewInt(v/100), c)
				}
				return l.MoneyMinor(big.NewInt(v), c, 2)
			})
		},
		"total": func(sum *big.Int, currency string) string {
			if sum == nil {
				return "—"
			}
			return l.Money(sum, currency)
		},
		"num": l.Number,
		// A number shown again in a form's field, as the reader types it
		// ("1250,50"), whether the server read it from what was typed or
		// fills the field itself (a payment's amount).
		"typed": l.Typed,
		"cpl":   func(r report.Row, cur string) string { return localRatio(l, cur)(r.CostPerLead()) },
		"cpa":   func(r report.Row, cur string) string { return localRatio(l, cur)(r.CostPerAcquisition()) },
		"pct":   func(f float64) string { return l.Decimal(f*100, 1) + "%" },
		// A channel's return on its spend, grouped as the reader groups
		// numbers ("3.085%" in Italian, where "3085%" showed).
		"roi":       func(r report.Row) string { return localROI(l, r.ROI) },
		"roiMargin": func(r report.Row) string { return localROI(l, r.ROIOnMargin) },
		"label":     func(name string) string { return localLabel(l, name) },
		"importTarget": func(name string) string {
			return l.Or("imptarget."+name, localLabel(l, name))
		},
		"human":     func(code string) string { return localHuman(l, code) },
		"stageName": func(s lead.Stage) string { return localStage(l, s) },
		"stageText": func(s string) string { return localStage(l, lead.Stage(s)) },
		"shown":     func(field, v string) string { return localShown(l, field, v) },
		// A deal's lost reason: one of those the move form offers, stored
		// as its code by the API or an import, in words; others as typed.
		"lostReason":     func(v string) string { return l.Or("lostr."+v, v) },
		"roleName":       func(r access.Role) string { return l.T("role." + string(r)) },
		"noticeTitle":    func(n notify.Notice) string { return n.TitleIn(l) },
		"buyingRole":     func(r crm.Role) string { return localBuyingRole(l, r) },
		"timelineLabel":  func(key string) string { return brief.TimelineIn(l, key) },
		"vatName":        func(code string) string { return invoice.CategoryNameIn(l, code) },
		"matchedOn":      func(by, value string) string { return localMatchedOn(l, by, value) },
		"noticeKind":     func(kind string) string { return notify.KindIn(l, kind) },
		"opName":         func(op any) string { return localOp(l, fmt.Sprint(op)) },
		"invLabel":       func(f string) string { return localInvoiceLabel(l, f) },
		"criterionLabel": func(c matching.Criterion) string { return c.LabelIn(l) },
		"changeReason":   l.ChangeReason,
		"ruleLabel":      func(label string) string { return localRuleLabel(l, label) },
		// The kind of record an audit entry is about; one the catalogs do
		// not name shows as its code.
		"auditSubject": func(kind string) string { return l.Or("auditsub."+kind, kind) },
		// Where a consent came from: a reason leadflow wrote, or a channel.
		"consentSource": func(s string) string {
			if r := l.ChangeReason(s); r != s {
				return r
			}
			return localHuman(l, s)
		},
		"exitReason":    func(s string) string { return localExitReason(l, s) },
		"erasureCount":  func(name string) string { return localCountLabel(l, name) },
		"webhookReason": func(s string) string { return localWebhookReason(l, s) },
		"plabel":        func(v any) string { return localProjectLabel(l, v) },
		"matchNote":     func(c matching.Cell) string { return c.NoteIn(l) },
		"matchReason":   func(m matching.Match) string { return m.ReasonIn(l) },
		"segField":      func(value, label string) string { return localSegField(l, value, label) },
		"segGroup": func(group string) string {
			if id := segmentGroups[group]; id != "" {
				return l.T(id)
			}
			return group
		},
		"why":         l.Reason,
		"errField":    func(form, key string) string { return localErrorField(l, form, key) },
		"deployName":  func(code string) string { return localDeployment(l, code) },
		"deployList":  func(codes []string, conj string) string { return localDeployments(l, codes, conj) },
		"duration":    func(d time.Duration) string { return localDuration(l, d) },
		"longDate":    l.LongDate,
		"shortDay":    l.ShortDay,
		"countryName": l.Country,
		"country":     l.Countries,
		"inZone": func(t time.Time, zone *time.Location) string {
			if l.Lang == i18n.Default {
				return t.In(zone).Format("Mon 2 Jan 2006 15:04 MST")
			}
			return l.Weekday(t.In(zone).Weekday()) + " " + l.DateTime(t, zone)
		},
		"scopeName": func(scope string) string { return localScope(l, scope) },
		"jobKind":   func(kind string) string { return l.Or("jobkind."+kind, kind) },
		"dqReason":  l.DisqualifyReason,
		"amount": func(minor int64, currency string) string {
			return l.MoneyMinor(big.NewInt(minor), currency, product.Decimals(currency))
		},
		// A score's points, to a tenth (a lead's rules, a pair of
		// look-alikes).
		"points": func(f float64) string {
			s := strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
			if l.Lang == i18n.Default {
				return s
			}
			return l.Plain(s)
		},
		// A project's time and its report's figures.
		"hours": func(d time.Duration) string {
			if d < 48*time.Hour {
				return l.Decimal(float64(d.Round(time.Minute))/float64(time.Hour), 1) + " h"
			}
			return l.Decimal(float64(d)/float64(24*time.Hour), 1) + " " + l.T("prj.days_unit")
		},
		"minutesAsHours": func(m int64) string { return localPlain(l, strconv.FormatFloat(float64(m)/60, 'f', -1, 64)) },
		"daysToGoLive": func(r project.ReportRow) string {
			if v, ok := r.DaysToGoLive(); ok {
				return l.Decimal(v, 1)
			}
			return "—"
		},
		// An invoice line's figures; English writes them as before.
		"unitPrice": func(p int64, currency string) string { return localPlain(l, invoice.Price(p, currency)) },
		"qty":       func(q int64) string { return localPlain(l, invoice.Quantity(q)) },
		"percent":   func(bp int64) string { return localPlain(l, invoice.Percent(bp)) },
		// A product's price and the catalog's amounts, which English
		// writes as their packages do.
		"price":    func(minor int64, currency string) string { return localPrice(l, big.NewInt(minor), currency) },
		"priceBig": func(minor *big.Int, currency string) string { return localPrice(l, minor, currency) },
		"marginPct": func(bp int64) string {
			if l.Lang == i18n.Default {
				return product.FormatMargin(bp)
			}
			decimals := 2
			switch {
			case bp%100 == 0:
				decimals = 0
			case bp%10 == 0:
				decimals = 1
			}
			return l.Decimal(float64(bp)/100, decimals) + "%"
		},
		"minor": func(minor int64, currency string) string {
			if l.Lang == i18n.Default {
				return matching.Money(minor, currency)
			}
			decimals := 2
			if minor%100 == 0 {
				decimals, minor = 0, minor/100 // whole, as English writes it
			}
			return l.MoneyMinor(big.NewInt(minor), currency, decimals)
		},
	}
}

// localPlain writes a plain decimal ("1234.5") the reader's way; in
// English with its thousands grouped.
func localPlain(l *i18n.Locale, d string) string {
	if l.Lang == i18n.Default {
		return groupedDecimal(d)
	}
	return l.Plain(d)
}

// localLabel is a field's label in l's language, falling back to the
// English label for fields the catalogs do not name.
func localLabel(l *i18n.Locale, name string) string {
	if i18n.Has("field." + name) {
		return l.T("field." + name)
	}
	if id := recordLabels[name]; id != "" {
		return l.T(id)
	}
	if strings.HasPrefix(name, lead.CustomPrefix) {
		return l.T("field.form_answer", "Name", answerName(name))
	}
	return fieldLabel(name)
}

// recordLabels name what a lead's timeline records beside its fields: a
// qualification's answers and what a conversion made.
var recordLabels = map[string]string{"authority": "lead.authority", "budget": "lead.budget", "need": "lead.need",
	"timing": "lead.timing", "outcome": "lead.outcome", "contact": "crm.contact", "opportunity": "errf.deal"}

// localHuman is a stored code in words of l's language where the
// catalogs know it ("code.paid_search"), as human writes it otherwise.
func localHuman(l *i18n.Locale, code string) string {
	return l.Or("field."+code, l.Or("code."+code, human(code)))
}

// segmentGroups are the messages of the segment editor's field groups,
// by the English name the editor gives them.
var segmentGroups = map[string]string{"Lead": "segfield.group_lead", "Behaviour and lists": "segfield.group_behaviour", "Form answers": "segfield.group_answers"}

// localInvoiceLabel names an invoice's field f in l's language, as
// invoiceLabel does in English; "seller.vat_id" is the seller's VAT ID.
func localInvoiceLabel(l *i18n.Locale, f string) string {
	for _, side := range []string{"seller", "buyer"} {
		if k, ok := strings.CutPrefix(f, side+"."); ok {
			field := localInvoiceLabel(l, k)
			if l.Lang == i18n.Default {
				field = strings.ToLower(field) // English runs it into the sentence: "Your vat id"
			}
			return l.T("invfield.of_"+side, "Field", field)
		}
	}
	return l.Or("invfield."+f, invoiceLabel(f))
}

// localPrice writes an amount in minor units with its currency's
// decimals: as package product does in English, in l's number format
// elsewhere.
func localPrice(l *i18n.Locale, minor *big.Int, currency string) string {
	if l.Lang == i18n.Default {
		return product.FormatBig(minor, currency)
	}
	return l.MoneyMinor(minor, currency, product.Decimals(currency))
}

// localSegField is a lead segment field's name in l's language: its
// catalog name, a form answer's, or else fallback.
func localSegField(l *i18n.Locale, field, fallback string) string {
	for _, id := range []string{"segfield." + field, "field." + field} {
		if i18n.Has(id) {
			return l.T(id)
		}
	}
	if strings.HasPrefix(field, lead.CustomPrefix) {
		// A form answer, by the form's question when it asks one.
		if fallback == "" {
			fallback = answerName(field)
		}
		return l.T("field.form_answer", "Name", fallback)
	}
	return fallback
}

// localScope is an API token's scope in l's words ("read-only" is
// "Doar citire" in Romanian); an unknown one shows as its code.
func localScope(l *i18n.Locale, scope string) string {
	return l.Or("scope."+strings.ReplaceAll(scope, "-", "_"), scope)
}

// localProjectLabel is a project's type, status or delivery status in
// l's language; anything else as fmt prints it.
func localProjectLabel(l *i18n.Locale, v any) string {
	var id, en string
	switch x := v.(type) {
	case project.Type:
		id, en = "plabel.type_"+string(x), x.Label()
	case project.Status:
		id, en = "plabel.status_"+string(x), x.Label()
	case project.DeliveryStatus:
		id, en = "plabel.delivery_"+cmp.Or(string(x), "presale"), x.Label()
	default:
		return fmt.Sprint(v)
	}
	return l.Or(id, en)
}

// localOp is a rule's or a segment condition's test in l's words ("is
// not", "starts with"); an unknown one shows as its code.
func localOp(l *i18n.Locale, op string) string {
	return l.Or("op."+op, op)
}

// localBuyingRole is a contact's part in the buying decision in l's
// language; an unknown one shows as crm writes it.
func localBuyingRole(l *i18n.Locale, r crm.Role) string {
	switch {
	case r == "":
		return l.T("crm.role.none")
	case i18n.Has("crm.role." + string(r)):
		return l.T("crm.role." + string(r))
	}
	return r.Label()
}

// localMatchedOn says in l's language what a lead's link to an account
// was made on, as accountmatch.Describe does in English.
func localMatchedOn(l *i18n.Locale, by, value string) string {
	switch by {
	case accountmatch.ByWebsite:
		return l.T("match.by_website", "Value", value)
	case accountmatch.ByEmail:
		return l.T("match.by_email", "Value", value)
	case accountmatch.ByCompany:
		return l.T("match.by_company", "Value", value)
	}
	return accountmatch.Describe(by, value)
}

// localStage is a lead stage's name in l's language.
func localStage(l *i18n.Locale, s lead.Stage) string {
	return l.Or("stage."+string(s), stageName(s))
}

// localDuration says how long, in the largest unit that fits, as
// humanDuration does in English.
func localDuration(l *i18n.Locale, d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return l.T("duration.days", "Count", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return l.T("duration.hours", "Count", int(d.Hours()))
	case d >= 2*time.Minute:
		return l.T("duration.minutes", "Count", int(d.Minutes()))
	}
	return l.T("duration.moments")
}

// localRatio writes a ratio in currency as l writes money, or a dash
// where it has no base.
func localRatio(l *i18n.Locale, currency string) func(v float64, ok bool) string {
	return func(v float64, ok bool) string {
		if !ok {
			return "—"
		}
		return l.Money(big.NewInt(int64(math.Round(v))), currency)
	}
}

// tr is message id in the language of r, as T writes it.
func tr(r *http.Request, id string, args ...any) string { return i18n.T(r.Context(), id, args...) }

// decimalsOf is how many decimals f needs when written for people: none
// for a whole number, one otherwise.
func decimalsOf(f float64) int {
	if f == math.Trunc(f) {
		return 0
	}
	return 1
}

// localShown is a value of a change on a lead's timeline as the reader
// reads it: a stage or an outcome by its name, a qualification's budget
// ("25000 EUR", "unknown") as money, whether a conversion made its account,
// a country by its name, and codes in words; other values as they were
// written.
func localShown(l *i18n.Locale, field, v string) string {
	switch {
	case v != "" && (field == lead.FStage || field == "outcome"):
		return localStage(l, lead.Stage(v))
	case field == "budget":
		// A qualification's budget, "25000 EUR" or "unknown".
		if amount, currency, ok := strings.Cut(v, " "); ok {
			if n, err := strconv.ParseInt(amount, 10, 64); err == nil {
				return l.Money(big.NewInt(n), currency)
			}
		}
		if v == "unknown" {
			return l.T("common.unknown")
		}
	case field == "account":
		// A conversion says whether it made the account.
		if name, ok := strings.CutSuffix(v, " (new)"); ok {
			return l.T("change.account_new", "Name", name)
		}
		if name, ok := strings.CutSuffix(v, " (existing)"); ok {
			return l.T("change.account_existing", "Name", name)
		}
	case field == lead.FCountry && v != "":
		return l.Country(v)
	case field == lead.FPhone && v != "":
		return phone.Shown(v)
	case codeFields[field]:
		return localHuman(l, v)
	}
	return v
}

// localROI is a return (0.5 is 50 %) as a whole percentage in l's
// digits, or a dash when there is none to tell (no spend).
func localROI(l *i18n.Locale, roi func() (float64, bool)) string {
	if v, ok := roi(); ok {
		return l.Decimal(v*100, 0) + "%"
	}
	return "—"
}

// shippedRuleLabels are the names of the scoring rules leadflow ships
// (scoring's and accountscore's Defaults), which a page names in its
// reader's language while a team keeps them; a name a team gave or
// changed shows as written.
var shippedRuleLabels = map[string]string{
	"Decision maker":          "rulelabel.decision_maker",
	"Company of 200+":         "rulelabel.company_200",
	"Company of 20-199":       "rulelabel.company_20_199",
	"Core market":             "rulelabel.core_market",
	"Existing customer":       "rulelabel.existing_customer",
	"Free-mail address":       "rulelabel.free_mail",
	"Education":               "rulelabel.education",
	"Page views":              "rulelabel.page_views",
	"Pricing page":            "rulelabel.pricing_page",
	"Pricing page visits":     "rulelabel.pricing_page_visits",
	"Click to call":           "rulelabel.click_to_call",
	"Newsletter":              "rulelabel.newsletter",
	"E-book downloads":        "rulelabel.ebook_downloads",
	"Quote request":           "rulelabel.quote_request",
	"Email opens":             "rulelabel.email_opens",
	"Email clicks":            "rulelabel.email_clicks",
	"Unsubscribed from email": "rulelabel.unsubscribed",
	"Email bounced":           "rulelabel.email_bounced",
	"Form submissions":        "rulelabel.form_submissions",
	"Meeting booked":          "rulelabel.meeting_booked",
	"Enterprise (1,000+)":     "rulelabel.enterprise",
	"Mid-market (200-999)":    "rulelabel.mid_market",
	"Revenue 50M+":            "rulelabel.revenue_50m",
}

// localRuleLabel is a scoring rule's name in l's language.
func localRuleLabel(l *i18n.Locale, label string) string { return byID(l, shippedRuleLabels, label) }

// byID is key in l's language where ids names its message, else key as
// it is.
func byID(l *i18n.Locale, ids map[string]string, key string) string {
	if id, ok := ids[key]; ok {
		return l.T(id)
	}
	return key
}

// Package web serves leadflow's HTML interface: server-rendered pages
// that work without JavaScript and on a phone.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/activity"
	"leadflow/internal/audit"
	"leadflow/internal/brief"
	"leadflow/internal/bulk"
	"leadflow/internal/calendar"
	"leadflow/internal/catalog"
	"leadflow/internal/clientip"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/handoff"
	"leadflow/internal/httplog"
	"leadflow/internal/i18n"
	"leadflow/internal/imports"
	"leadflow/internal/invoice"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/live"
	"leadflow/internal/mail"
	"leadflow/internal/mailbox"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/notify"
	"leadflow/internal/nurture"
	"leadflow/internal/phone"
	"leadflow/internal/predict"
	"leadflow/internal/privacy"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/report"
	"leadflow/internal/salesteam"
	"leadflow/internal/savedview"
	"leadflow/internal/search"
	"leadflow/internal/segment"
	"leadflow/internal/tracking"
	"leadflow/internal/user"
	"leadflow/internal/webhook"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Services are the domain services the pages call.
type Services struct {
	Leads *lead.Service
	CRM   *crm.Service
	// AccountScores scores accounts, sets their tiers and lists their
	// people's activity.
	AccountScores *accountscore.Service
	// Mailboxes are the IMAP mailboxes whose mail becomes leads.
	Mailboxes *mailbox.Service
	Reports   *report.Service
	Users     *user.Service
	Forms     *forms.Service
	Imports   *imports.Service
	Tracking  *tracking.Service
	Jobs      *job.Admin
	Privacy   *privacy.Service
	Audit     *audit.Service
	// Activities and Calendar serve "My day", the calendar and the
	// activities of every record.
	Activities *activity.Service
	Calendar   *calendar.Store
	// Products is the catalog and the products on deals.
	Products *product.Service
	Segments *segment.Service
	Nurture  *nurture.Service
	Outbox   *mail.Outbox
	Catalog  *catalog.Service
	Briefs   *brief.Service
	Projects *project.Service
	Handoffs *handoff.Service
	// Invoices keeps invoices, credit notes and the invoicing settings.
	Invoices *invoice.Service
	// Search finds a word across leads, contacts, accounts and deals.
	Search *search.Service
	// Views keeps each user's saved views of the lead list.
	Views *savedview.Service
	// Notify keeps each user's notifications.
	Notify *notify.Service
	// Live tells open pages what changed.
	Live *live.Hub
	// Bulk applies one action to many leads.
	Bulk *bulk.Service
	// Webhooks are the admins' subscriptions and their delivery logs.
	Webhooks *webhook.Service
	// Predict is the learned model of conversion.
	Predict *predict.Service
	// Teams are the sales teams and their hand-overs.
	Teams *salesteam.Service
}

// Web holds what the pages call.
type Web struct {
	Services
	Log *slog.Logger
	// SecureCookies marks cookies Secure; on when served over HTTPS.
	SecureCookies bool
	// Proxies says which reverse proxies are believed about the client's
	// address, which sign-in throttling counts by; nil believes none.
	Proxies *clientip.Resolver

	// pages are the parsed templates, never executed themselves: each
	// user's language and time zone get clones of them (see inLocale).
	// A page is parsed when first shown: all of them parsed together
	// held 30 MB of parse trees, most of it for pages a server may never
	// show.
	pages map[string]*template.Template
	local localPages
	names teamNames
}

const (
	sessionCookie = "leadflow_session"
	flashCookie   = "leadflow_flash"
)

// New checks that every template parses; each page is parsed again, and
// kept, when first shown (see parse).
func New(svc Services, log *slog.Logger) (*Web, error) {
	w := &Web{Services: svc, Log: log, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// One set: the layout and partials once, then each page, whose
	// blocks replace the page's before.
	check, err := w.layout()
	if err != nil {
		return nil, fmt.Errorf("web: parse the layout: %w", err)
	}
	for _, name := range names {
		if !isPage(strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")) {
			continue
		}
		if _, err := check.ParseFS(templateFS, name); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
	}
	return w, nil
}

// isPage reports whether template file name (without .html) is a page,
// not the layout or a partial that pages include.
func isPage(name string) bool {
	return name != "layout" && name != "partials" && !strings.HasPrefix(name, "_")
}

// layout parses the layout and the partials, the set a page is parsed into.
func (h *Web) layout() (*template.Template, error) {
	// The functions in a language are parsed in English; each page is
	// given its reader's (inLocale).
	return template.New("layout.html").Funcs(funcs).Funcs(localFuncs(i18n.For(i18n.Default), time.UTC)).
		Funcs(template.FuncMap{"person": h.person}).ParseFS(templateFS,
		"templates/layout.html", "templates/partials.html", "templates/_*.html")
}

// parse parses page name with the layout and partials.
func (h *Web) parse(name string) (*template.Template, error) {
	t, err := h.layout()
	if err == nil {
		t, err = t.ParseFS(templateFS, "templates/"+name+".html")
	}
	if err != nil {
		return nil, fmt.Errorf("web: parse %s: %w", name, err)
	}
	return t, nil
}

// page is what every template receives.
type page struct {
	Title  string
	Actor  access.Actor
	Flash  string
	Nav    string
	Data   any
	Status int
	// Activities is the activity card of a record's page, nil elsewhere.
	Activities *recordActivities
	// Products is the products card of a deal's page, nil elsewhere.
	Products *dealProducts
	// Invoices is the invoices card of an account's or deal's page, nil
	// elsewhere and for users who do not invoice.
	Invoices *recordInvoices
	// Handovers are the hand-overs to account executives of an account's
	// or deal's page, with the SDRs' notes.
	Handovers []salesteam.Handover
	// Live names the topics the page follows for changes (live.Lead and
	// the like, space-separated); the bell's own is added by the script.
	Live string
	// Unread is the signed-in user's count of unread notifications, for
	// the top bar.
	Unread int
	// Team are the colleagues the signed-in user may name as an owner,
	// offered by name to the fields that take one's email (teamPages).
	Team []user.User
}

// teamPages are the pages with a field for a colleague's email: an
// activity's, a deal's, an account's and a project's owner, a task's
// assignee.
var teamPages = map[string]bool{"activity": true, "deal": true, "delivery": true, "account": true, "accounts": true}

// team are the enabled users the signed-in user may name as an owner:
// everyone for those who see all leads, themselves for a sales user (as
// the lead form's owners).
func (h *Web) team(r *http.Request) ([]user.User, error) {
	users, err := h.owners(r)
	return slices.DeleteFunc(users, user.User.Disabled), err
}

// render writes a page; it renders into a buffer first so a template
// error becomes a clean 500 rather than half a page.
func (h *Web) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	p.Actor, _ = access.ActorFrom(r.Context())
	t, err := h.inLocale(name, i18n.LangFrom(r.Context()), h.zoneOf(r, p.Actor))
	// Titles are set in English by the handlers; the menu's and common
	// words' translations serve for them.
	if id := i18n.ByEnglish(p.Title, "nav.", "title.", "common.", "leads.", "crm."); id != "" {
		p.Title = i18n.T(r.Context(), id)
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if p.Flash == "" {
		p.Flash = h.takeFlash(w, r)
	}
	// Flash messages are left in English; the common ones read in the
	// page's language.
	if id := i18n.ByEnglish(p.Flash, "flash."); id != "" {
		p.Flash = i18n.T(r.Context(), id)
	}
	if h.Notify != nil && p.Actor.ID != 0 {
		// A count that cannot be read leaves the bell at zero rather
		// than the page unshown.
		p.Unread, _ = h.Notify.Unread(r.Context(), p.Actor)
	}
	if teamPages[name] && p.Actor.ID != 0 {
		// Without the list the fields still take an email typed whole.
		p.Team, _ = h.team(r)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status != 0 {
		w.WriteHeader(p.Status)
	}
	buf.WriteTo(w)
}

func (h *Web) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.Log.ErrorContext(r.Context(), "web", "method", r.Method, "path", r.URL.Path, "err", err)
	httplog.ServerError(w, r)
}

// fail shows an error page fitting err's code.
func (h *Web) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := fault.As(err)
	if e == nil {
		h.serverError(w, r, err)
		return
	}
	status := map[fault.Code]int{
		fault.NotFound: http.StatusNotFound, fault.Forbidden: http.StatusForbidden,
		fault.Invalid: http.StatusUnprocessableEntity, fault.Conflict: http.StatusConflict,
	}[e.Code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	h.render(w, r, "error", page{Title: i18n.T(r.Context(), "error.status_"+strconv.Itoa(status)), Status: status, Data: sentence(i18n.From(r.Context()).Reason(e.Message))})
}

// sentence is a reason, which the domain writes as a clause ("only admins
// manage users"), as the sentence an error page shows alone.
func sentence(reason string) string {
	first, size := utf8.DecodeRuneInString(reason)
	if size == 0 {
		return reason
	}
	s := string(unicode.ToUpper(first)) + reason[size:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// formStatus is the status of a form shown again with e's field errors:
// 403 when a field names what the user may not touch, 422 otherwise.
func formStatus(e *fault.Error) int {
	if e.Code == fault.Forbidden {
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

// refusedStatus is formStatus for a form whose record may have changed
// since its page was drawn: 409 for that conflict.
func refusedStatus(e *fault.Error) int {
	if e.Code == fault.Conflict {
		return http.StatusConflict
	}
	return formStatus(e)
}

// flash leaves a one-time message for the next page.
func (h *Web) flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/",
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (h *Web) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// RequireLogin admits requests with a live session cookie and sends the
// rest to the login page, remembering where they were going.
func (h *Web) RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil {
			if u, err := h.Users.BySession(r.Context(), c.Value); err == nil {
				httplog.SetUser(r.Context(), u.ID)
				ctx := access.WithActor(r.Context(), u.Actor())
				ctx = i18n.WithLang(ctx, i18n.Pick(r.Header.Get("Accept-Language"), u.Language))
				r = r.WithContext(ctx)
				readNumbers(r)
				next.ServeHTTP(w, r)
				return
			}
		}
		target := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	})
}

func actor(r *http.Request) access.Actor {
	a, _ := access.ActorFrom(r.Context())
	return a
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Errorf(fault.NotFound, "There is no lead %q.", r.PathValue("id"))
	}
	return id, nil
}

// funcs are the template functions that read the same in every language;
// those that do not are localFuncs.
var funcs = template.FuncMap{
	"phoneShown": phone.Shown,
	"int64":      func(n int) int64 { return int64(n) },
	"languages":  languages,
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"title":      func(s string) string { return strings.ToUpper(s[:1]) + s[1:] },
	"upper":      strings.ToUpper,
	"add":        func(a, b int) int { return a + b },
	"sub":        func(a, b int) int { return a - b },
	"deref":      func(p *int64) int64 { return *p },
	"stages":     func() []lead.Stage { return lead.Stages },
	"grades":     func() []lead.Grade { return lead.Grades },
	"roles":      func() []access.Role { return access.Roles },
	"list":       func(v ...any) []any { return v },
	"join":       strings.Join,
	"answerName": answerName,
	// safeHTML shows an email template's HTML, sanitised once more here
	// so the page never trusts what is stored.
	"safeHTML":  func(s string) template.HTML { return template.HTML(mailtmpl.Sanitize(s)) },
	"hasPrefix": strings.HasPrefix,

	"authorities": func() []lead.Authority { return lead.Authorities },
	"has":         slices.Contains[[]string],
	"barHeight": func(n, most int64) int {
		if most == 0 {
			return 0
		}
		return int(n * 100 / most)
	},
	"ptr": func(n int64) *int64 { return &n },
	"splitList": func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"grades3": func() []string { return []string{"hot", "warm", "cold"} },
}

var labels = map[string]string{
	lead.FEmail: "Email", lead.FFirstName: "First name", lead.FLastName: "Last name",
	lead.FPhone: "Phone", lead.FCompany: "Company", lead.FJobTitle: "Job title",
	lead.FEmployees: "Employees", lead.FIndustry: "Industry", lead.FCountry: "Country",
	lead.FCity: "City", lead.FWebsite: "Website", lead.FExistingCustomer: "Existing customer",
	lead.FSource: "Source", lead.FUTMSource: "UTM source", lead.FUTMMedium: "UTM medium",
	lead.FUTMCampaign: "UTM campaign", lead.FConsent: "Marketing consent", lead.FStage: "Stage",
	lead.FOwner: "Owner", lead.FSalutation: "Salutation", lead.FStreet: "Street", lead.FPostalCode: "Postal code",
	lead.FRegion: "Region",
}

// codeFields are the lead fields whose values are codes.
var codeFields = map[string]bool{lead.FSource: true, lead.FStage: true, "authority": true, "grade": true}

// codeWord is a stored code such as paid_search or page_view.
var codeWord = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)

// human writes a stored code as people write it: "paid_search" reads
// "Paid search", "decision_maker" "Decision maker", a field its label.
// Anything else (a source someone typed, "Web") is shown as it is.
func human(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	if !codeWord.MatchString(code) {
		return code
	}
	s := strings.ReplaceAll(code, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// answerName is the name of a form answer's field ("custom.app_category")
// as people read it: "app category".
func answerName(name string) string {
	k, _ := strings.CutPrefix(name, lead.CustomPrefix)
	return strings.ReplaceAll(k, "_", " ")
}

func fieldLabel(name string) string {
	if l, ok := labels[name]; ok {
		return l
	}
	if strings.HasPrefix(name, lead.CustomPrefix) {
		return answerName(name) + " (form answer)"
	}
	return name
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// stageName is a stage as people write it: "MQL", "Opportunity".
func stageName(s lead.Stage) string {
	switch s {
	case lead.MQL, lead.SQL:
		return strings.ToUpper(string(s))
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

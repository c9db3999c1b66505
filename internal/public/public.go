// Package public serves what visitors of other sites reach without a
// login: hosted forms (/f/{slug}), landing pages (/p/{slug}) and the embed
// script. Every request is rate limited per client IP, and no answer
// tells whether an email was already known.
package public

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"leadflow/internal/clientip"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/ratelimit"
	"leadflow/internal/textcheck"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed embed.js
var embedJS []byte

// Public holds what the public pages need.
type Public struct {
	Forms   *forms.Service
	Limiter ratelimit.Limiter
	// Proxies says which reverse proxies are believed about the client's
	// address; nil believes none.
	Proxies *clientip.Resolver
	Log     *slog.Logger
	Tracker *Tracker
	// pages are the templates in each language (see i18n.Langs).
	pages map[string]*template.Template
}

// New parses the templates, once per language: html/template cannot
// clone a set once executed, so every language's clone is made here.
func New(f *forms.Service, tr *Tracker, limiter ratelimit.Limiter, log *slog.Logger) (*Public, error) {
	base, err := template.New("").Funcs(localFuncs(i18n.For(i18n.Default))).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &Public{Forms: f, Tracker: tr, Limiter: limiter, Log: log, pages: map[string]*template.Template{}}
	for _, lang := range i18n.Langs {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		p.pages[lang] = t.Funcs(localFuncs(i18n.For(lang)))
	}
	return p, nil
}

// localFuncs are the template functions that speak l's language.
func localFuncs(l *i18n.Locale) template.FuncMap {
	return template.FuncMap{
		"countries": l.Countries,
		"t":         l.T,
		"lang":      func() string { return l.Lang },
		"why":       l.Reason,
		// label is a field's label: the form's own, or when the form
		// kept the default (English) label, the field's name in l's
		// language.
		"label": func(fd forms.Field) string {
			if fd.Label == forms.DefaultLabel(fd.Name) && i18n.Has("form.field."+fd.Name) {
				return l.T("form.field." + fd.Name)
			}
			return fd.Label
		},
	}
}

// langOf is the language a form speaks to the visitor of r: the form's
// own setting, or else what the visitor's browser asks for.
func langOf(r *http.Request, f forms.Form) string {
	return i18n.Pick(r.Header.Get("Accept-Language"), f.Language)
}

// Handler returns the public surface.
func (p *Public) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /f/{slug}", p.showForm)
	mux.HandleFunc("POST /f/{slug}", p.submit)
	mux.HandleFunc("OPTIONS /f/{slug}", preflight)
	mux.HandleFunc("GET /p/{slug}", p.showLanding)
	mux.HandleFunc("GET /embed.js", serveEmbedJS)
	mux.HandleFunc("GET /t.js", serveTrackJS)
	mux.HandleFunc("GET /t/open.gif", p.Tracker.open)
	mux.HandleFunc("GET "+forms.ConfirmPath+"{token}", p.showConfirmation)
	mux.HandleFunc("POST "+forms.ConfirmPath+"{token}", p.confirm)
	// The collector answers CORS itself: only configured sites may send.
	collect := http.HandlerFunc(p.Tracker.collect)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/t/collect" && (r.Method == http.MethodPost || r.Method == http.MethodOptions) {
			p.limit(collect).ServeHTTP(w, r)
			return
		}
		p.limit(embeddable(mux)).ServeHTTP(w, r)
	})
}

// embeddable lets other sites frame the public pages, which the rest of
// leadflow forbids, and lets their scripts post to forms.
func embeddable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src * data:; frame-ancestors *; form-action 'self' https: http:")
		h.Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

func preflight(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// Limit applies the public pages' rate limits to next, for public
// handlers served beside them (the links in emails).
func (p *Public) Limit(next http.Handler) http.Handler { return p.limit(next) }

// limit answers 429 with Retry-After to a client over its rate. When the
// limiter cannot tell (its database is unreachable) the request goes on:
// it would fail on that database anyway, with a better message. Each
// client has a bucket per kind of request, so a visitor whose browsing
// sent ten tracking events can still send the form at the end of it.
func (p *Public) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait, err := p.Limiter.Allow(r.Context(), bucketOf(r.URL.Path)+":"+p.Proxies.IP(r))
		if err != nil {
			p.Log.ErrorContext(r.Context(), "rate limit", "err", err)
		}
		if !ok && err == nil {
			secs := int(wait.Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
			http.Error(w, "Too many requests; please try again in a moment.", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bucketOf names the kind of public request a path is, for rate limits:
// tracking (events and email pixels), scripts (embed.js, t.js), or forms
// (forms and landing pages, shown and posted).
func bucketOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/t/") || strings.HasPrefix(path, "/e/"):
		return "tracking"
	case path == "/embed.js" || path == "/t.js":
		return "scripts"
	}
	return "forms"
}

func serveEmbedJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(embedJS)
}

// FormView is what the form template shows.
type FormView struct {
	Form     forms.Form
	Values   map[string]string
	Errors   map[string]string
	Hints    map[string]string // advice on accepted values that look mistyped
	Token    string
	Embed    bool
	Meta     forms.Meta
	ThankYou string
	// Confirm says a confirmation email is on its way.
	Confirm bool
}

func (p *Public) render(w http.ResponseWriter, lang, name string, status int, data any) {
	var buf bytes.Buffer
	t, ok := p.pages[lang]
	if !ok {
		t = p.pages[i18n.Default]
	}
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		p.Log.Error("public page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	buf.WriteTo(w)
}

func (p *Public) showForm(w http.ResponseWriter, r *http.Request) {
	f, err := p.Forms.PublicForm(r.Context(), r.PathValue("slug"))
	if err != nil {
		p.notFound(w, r, err)
		return
	}
	q := r.URL.Query()
	p.render(w, langOf(r, f), "form.html", http.StatusOK, FormView{Form: f, Token: p.token(r), Embed: q.Get("embed") != "",
		Values: map[string]string{}, Meta: metaFromQuery(q, r.Referer())})
}

// token returns the fill-time token of a form shown now. Without one
// (the key could not be read, so the database is unreachable) the form
// is still shown, but its post will be kept as spam: a form post without
// a token is how a bot that never loaded the form looks.
func (p *Public) token(r *http.Request) string {
	t, err := p.Forms.IssueToken(r.Context())
	if err != nil {
		p.Log.ErrorContext(r.Context(), "form token", "err", err)
	}
	return t
}

func (p *Public) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if fault.CodeOf(err) != fault.NotFound {
		p.Log.Error("public", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Error(w, i18n.For(i18n.Match(r.Header.Get("Accept-Language"))).T("form.not_found"), http.StatusNotFound)
}

// metaFromQuery reads the UTM parameters of the visit.
func metaFromQuery(q url.Values, referrer string) forms.Meta {
	return forms.Meta{UTMSource: q.Get("utm_source"), UTMMedium: q.Get("utm_medium"), UTMCampaign: q.Get("utm_campaign"),
		Referrer: firstNonEmpty(q.Get("referrer"), referrer), PageURL: q.Get("page"), VisitorID: q.Get("vid")}
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// reserved keys carry where the visit came from rather than answers.
var reserved = map[string]bool{"utm_source": true, "utm_medium": true, "utm_campaign": true, "_page": true, "_referrer": true, "_vid": true}

func (p *Public) submit(w http.ResponseWriter, r *http.Request) {
	f, err := p.Forms.PublicForm(r.Context(), r.PathValue("slug"))
	if err != nil {
		p.notFound(w, r, err)
		return
	}
	values, isJSON, err := Decode(r.Header.Get("Content-Type"), http.MaxBytesReader(w, r.Body, 64<<10))
	if e := fault.As(err); e != nil {
		p.answerInvalid(w, r, isJSON, f, map[string]string{}, metaFromQuery(r.URL.Query(), ""), e)
		return
	}
	if err != nil {
		p.answerBadBody(w, isJSON, err)
		return
	}
	meta := forms.Meta{
		IP: p.Proxies.IP(r), UserAgent: headerText(r.UserAgent()), Referrer: firstNonEmpty(values["_referrer"], headerText(r.Referer())),
		PageURL: values["_page"], UTMSource: values["utm_source"], UTMMedium: values["utm_medium"], UTMCampaign: values["utm_campaign"],
		VisitorID: values["_vid"], FormPost: !isJSON, Language: langOf(r, f),
	}
	answers := map[string]string{}
	for k, v := range values {
		if !reserved[k] {
			answers[k] = v
		}
	}
	res, err := p.Forms.Submit(r.Context(), f, answers, meta)
	if e := fault.As(err); e != nil && e.Code == fault.Invalid {
		p.answerInvalid(w, r, isJSON, f, answers, meta, e)
		return
	}
	if err != nil {
		p.Log.ErrorContext(r.Context(), "form submission", "form", f.Slug, "err", err)
		http.Error(w, i18n.For(langOf(r, f)).T("form.saved_not_processed"), http.StatusInternalServerError)
		return
	}
	if res.Spam {
		p.Log.Info("form submission marked spam", "form", f.Slug, "submission", res.SubmissionID)
	}
	// Said to everyone who ticks the box of a double opt-in form, so the
	// answer tells nothing of whether the address was known.
	p.answerThanks(w, r, isJSON, f, f.AsksConfirmation(answers), lead.Hints(answers))
}

func (p *Public) answerThanks(w http.ResponseWriter, r *http.Request, isJSON bool, f forms.Form, confirm bool, hints map[string]string) {
	l := i18n.For(langOf(r, f))
	msg := firstNonEmpty(f.ThankYou, l.T("form.thanks_default"))
	if isJSON {
		body := map[string]any{"status": "received", "message": msg}
		if confirm {
			body["confirmation"] = l.T("form.confirm_notice")
		}
		if hints != nil {
			body["hints"] = hints
		}
		if f.RedirectURL != "" {
			body["redirect_url"] = f.RedirectURL
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	if f.RedirectURL != "" {
		http.Redirect(w, r, f.RedirectURL, http.StatusSeeOther)
		return
	}
	p.render(w, l.Lang, "thanks.html", http.StatusOK, FormView{Form: f, ThankYou: msg, Confirm: confirm, Hints: hints, Embed: r.URL.Query().Get("embed") != ""})
}

func (p *Public) answerInvalid(w http.ResponseWriter, r *http.Request, isJSON bool, f forms.Form, answers map[string]string, meta forms.Meta, e *fault.Error) {
	if isJSON {
		body := map[string]any{"code": e.Code, "message": "some fields need correcting", "fields": e.Fields}
		if h := lead.Hints(answers); h != nil {
			body["hints"] = h
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": body})
		return
	}
	p.render(w, langOf(r, f), "form.html", http.StatusUnprocessableEntity, FormView{Form: f, Values: answers, Errors: e.Fields, Hints: lead.Hints(answers),
		Token: p.token(r), Embed: r.URL.Query().Get("embed") != "", Meta: meta})
}

func (p *Public) answerBadBody(w http.ResponseWriter, isJSON bool, err error) {
	if isJSON {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{
			"code": "invalid", "message": err.Error(), "fields": map[string]string{"body": err.Error()}}})
		return
	}
	http.Error(w, err.Error(), http.StatusBadRequest)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// headerText keeps a header's value as text: a header may carry bytes
// that are not UTF-8, which are not the visitor's answers to refuse.
func headerText(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Decode reads a submission body, URL-encoded or JSON, into text values.
// JSON numbers and booleans become their text; nested values are refused.
// A field that is not text (not UTF-8, or with NUL), a JSON member given
// twice or data after the JSON object is refused with an Invalid error
// naming the field.
func Decode(contentType string, body io.Reader) (values map[string]string, isJSON bool, err error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	raw, err := io.ReadAll(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, mt == "application/json", errors.New("the submission is too large")
		}
		return nil, false, err
	}
	if mt == "application/json" {
		return decodeJSON(raw)
	}
	q, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, false, errors.New("the submission is not a valid form encoding")
	}
	if err := textcheck.Form(q); err != nil {
		return nil, false, err
	}
	values = make(map[string]string, len(q))
	for k, vs := range q {
		values[k] = vs[len(vs)-1] // a checkbox after its hidden "false" wins
	}
	return values, false, nil
}

func decodeJSON(raw []byte) (map[string]string, bool, error) {
	if err := textcheck.JSON(raw); err != nil {
		if fault.As(err) != nil {
			return nil, true, err
		}
		return nil, true, errors.New("the body must be a JSON object of field values")
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, true, errors.New("the body must be a JSON object of field values")
	}
	values := make(map[string]string, len(obj))
	for k, v := range obj {
		switch x := v.(type) {
		case nil:
		case string:
			values[k] = x
		case json.Number:
			values[k] = x.String()
		case bool:
			values[k] = strconv.FormatBool(x)
		default:
			return nil, true, fmt.Errorf("field %q must be a string, number or boolean", k)
		}
	}
	return values, true, nil
}

type landingView struct {
	Landing forms.Landing
	FormView
}

func (p *Public) showLanding(w http.ResponseWriter, r *http.Request) {
	l, f, err := p.Forms.PublicLanding(r.Context(), r.PathValue("slug"))
	if err != nil {
		p.notFound(w, r, err)
		return
	}
	meta := metaFromQuery(r.URL.Query(), r.Referer())
	meta.PageURL = "/p/" + l.Slug
	p.render(w, langOf(r, f), "landing.html", http.StatusOK, landingView{Landing: l,
		FormView: FormView{Form: f, Token: p.token(r), Values: map[string]string{}, Meta: meta}})
}

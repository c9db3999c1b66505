// Package mailtmpl holds the email templates marketing writes for
// nurturing: a subject, an HTML part and a plain-text part with merge
// fields such as {{first_name}} or {{company|your team}} (a default after
// the bar, for a lead whose field is empty). User-written HTML is
// sanitised when saved and again when sent, so a template can never carry
// script into an email or a preview.
package mailtmpl

import (
	"html"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"leadflow/internal/fault"
)

// Template is an email template.
type Template struct {
	ID        int64
	Name      string
	Subject   string
	HTML      string
	Text      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Fields are the merge fields a template may use, with what each holds.
var Fields = []struct{ Name, About string }{
	{"first_name", "the lead's first name"},
	{"last_name", "the lead's last name"},
	{"full_name", "first and last name"},
	{"email", "the lead's email"},
	{"company", "the lead's company"},
	{"job_title", "the lead's job title"},
	{"city", "the lead's city"},
	{"country", "the lead's country code"},
	{"owner_name", "the lead owner's name (or email)"},
	{"owner_email", "the lead owner's email"},
}

func known(name string) bool {
	for _, f := range Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// mergeField matches {{name}} and {{name|default}}.
var mergeField = regexp.MustCompile(`\{\{\s*([A-Za-z_.]+)\s*(?:\|([^}]*))?\}\}`)

// policy is what HTML a template may hold: the formatting, links, lists,
// tables and images of user-generated content; no script, no forms, no
// event handlers, no styles.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("align").OnElements("p", "td", "th", "div", "img")
	p.AllowAttrs("width", "height").OnElements("img", "td", "table")
	p.RequireNoFollowOnLinks(false)
	return p
}()

// Sanitize returns html with everything a template may not hold removed.
func Sanitize(s string) string { return policy.Sanitize(s) }

// Validate checks t, sanitises its HTML, and names each problem.
func (t *Template) Validate() error {
	bad := fault.Fields{}
	t.Name, t.Subject = strings.TrimSpace(t.Name), strings.TrimSpace(t.Subject)
	switch {
	case t.Name == "":
		bad.Add("name", "is required")
	case utf8.RuneCountInString(t.Name) > 200:
		bad.Add("name", "must be at most 200 characters")
	}
	switch {
	case t.Subject == "":
		bad.Add("subject", "is required")
	case utf8.RuneCountInString(t.Subject) > 300:
		bad.Add("subject", "must be at most 300 characters")
	case strings.ContainsAny(t.Subject, "\r\n"):
		bad.Add("subject", "must be one line")
	}
	t.HTML = Sanitize(strings.TrimSpace(t.HTML))
	t.Text = strings.TrimSpace(t.Text)
	if t.HTML == "" && t.Text == "" {
		bad.Add("text", "is required when there is no HTML part")
	}
	for field, body := range map[string]string{"subject": t.Subject, "html": t.HTML, "text": t.Text} {
		if len(body) > 200_000 {
			bad.Add(field, "is too long (at most 200,000 bytes)")
		}
		for _, m := range mergeField.FindAllStringSubmatch(body, -1) {
			if !known(m[1]) {
				bad.Add(field, "uses the unknown merge field {{"+m[1]+"}}; known: "+fieldNames())
				break
			}
		}
	}
	return bad.Err()
}

func fieldNames() string {
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// Values are a lead's merge-field values, by field name.
type Values map[string]string

// Rendered is a template filled in for one lead.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Render fills t in with v. Values are escaped in the HTML part; a field
// without a value takes its default, or nothing. The text part, when the
// template has none, is the HTML part's text.
func (t Template) Render(v Values) Rendered {
	fill := func(s string, escape bool) string {
		return mergeField.ReplaceAllStringFunc(s, func(m string) string {
			parts := mergeField.FindStringSubmatch(m)
			val := strings.TrimSpace(v[parts[1]])
			if val == "" {
				val = strings.TrimSpace(parts[2])
			}
			if escape {
				return html.EscapeString(val)
			}
			return val
		})
	}
	r := Rendered{Subject: strings.ReplaceAll(fill(t.Subject, false), "\n", " "), Text: fill(t.Text, false)}
	if t.HTML != "" {
		r.HTML = Sanitize(fill(t.HTML, true))
	}
	if r.Text == "" {
		r.Text = TextOf(r.HTML)
	}
	return r
}

var (
	blockEnd = regexp.MustCompile(`(?i)</(p|div|h[1-6]|li|tr|table|blockquote)>|<br\s*/?>`)
	link     = regexp.MustCompile(`(?is)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>`)
	blankRun = regexp.MustCompile(`\n{3,}`)
)

// TextOf is the readable text of an HTML part, with each link's address
// after its words, for the plain-text alternative.
func TextOf(h string) string {
	s := link.ReplaceAllString(h, "$2 ($1)")
	s = blockEnd.ReplaceAllString(s, "$0\n")
	s = bluemonday.StrictPolicy().Sanitize(s)
	s = html.UnescapeString(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankRun.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

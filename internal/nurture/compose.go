package nurture

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"

	"leadflow/internal/i18n"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/user"
)

// Paths of the links in nurturing emails, each followed by a signed token.
const (
	UnsubscribePath = "/u/" // the preference page; a POST there unsubscribes from all (RFC 8058 one-click)
	OpenPath        = "/e/o/"
	ClickPath       = "/e/c/"
)

// messageKey names the sends-th email of an enrolment, at step: the
// outbox's idempotency key, and what the links in the email sign.
func messageKey(enrolmentID int64, step, sends int) string {
	return fmt.Sprintf("enrol-%d-%d-%d", enrolmentID, step, sends)
}

// compose makes the email of a step for r's lead: the template filled in,
// every link made a signed click link, an open pixel, the unsubscribe
// footer and the one-click unsubscribe headers.
func (s *Service) compose(ctx context.Context, r *run, t mailtmpl.Template, ownerName string) (mail.Message, error) {
	vals := values(r.lead, ownerName)
	key := messageKey(r.e.ID, r.e.Step, r.sends)
	token, err := s.links.Token(ctx, key)
	if err != nil {
		return mail.Message{}, err
	}
	out := t.Render(vals)
	cfg := s.mail.Config()
	unsubscribe := cfg.Link(UnsubscribePath + token)
	l := i18n.For(s.leadLanguage(ctx, r.lead.ID))
	if out.HTML != "" {
		if out.HTML, err = s.trackLinks(ctx, out.HTML, key, token); err != nil {
			return mail.Message{}, err
		}
		out.HTML += fmt.Sprintf(`<p lang="%s">%s <a href="%s">%s</a>.</p>`+`<img src="%s" width="1" height="1" alt="">`,
			l.Lang, html.EscapeString(l.T("nurture.footer_why")), html.EscapeString(unsubscribe),
			html.EscapeString(l.T("nurture.footer_unsubscribe")), html.EscapeString(cfg.Link(OpenPath+token)))
	}
	out.Text += "\n\n--\n" + l.T("nurture.footer_why") + " " + l.T("nurture.footer_unsubscribe") + ":\n" + unsubscribe + "\n"
	return mail.Message{Kind: "sequence", To: r.lead.Email, LeadID: r.lead.ID, Key: key, Subject: out.Subject, Text: out.Text, HTML: out.HTML,
		EnrolmentID: r.e.ID, Step: r.e.Step,
		Headers: map[string]string{"List-Unsubscribe": "<" + unsubscribe + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}, nil
}

// leadLanguage is the language the lead's emails speak: the one its
// first form spoke to it, or else the team's.
func (s *Service) leadLanguage(ctx context.Context, leadID int64) string {
	var lang string
	// Unreadable, it is the team's: the email still goes, with its
	// footer in the team's language.
	s.db.R.QueryRow(ctx, `SELECT language FROM leads WHERE id = ?`, leadID).Scan(&lang)
	if i18n.Valid(lang) {
		return lang
	}
	return user.TeamLanguage(ctx, s.db.R)
}

// ownerName is the name of l's owner, "" when it has none (or no name).
func (s *Service) ownerName(ctx context.Context, l lead.Lead) string {
	var name string
	if l.OwnerID != 0 {
		s.db.R.QueryRow(ctx, `SELECT name FROM users WHERE id = ?`, l.OwnerID).Scan(&name)
	}
	return name
}

// values are a lead's merge fields; the owner's name falls back to
// their email.
func values(l lead.Lead, ownerName string) mailtmpl.Values {
	if ownerName == "" {
		ownerName = l.OwnerEmail
	}
	return mailtmpl.Values{"first_name": l.FirstName, "last_name": l.LastName, "full_name": strings.TrimSpace(l.FirstName + " " + l.LastName),
		"email": l.Email, "company": l.Company, "job_title": l.JobTitle, "city": l.City, "country": l.Country,
		"owner_email": l.OwnerEmail, "owner_name": ownerName}
}

var href = regexp.MustCompile(`href="(https?://[^"]+)"`)

// trackLinks makes every web link of an HTML part a click link, signed
// with the link's own address, so the redirect goes only where the email
// pointed.
func (s *Service) trackLinks(ctx context.Context, h, key, token string) (string, error) {
	var err error
	cfg := s.mail.Config()
	out := href.ReplaceAllStringFunc(h, func(m string) string {
		target := html.UnescapeString(href.FindStringSubmatch(m)[1])
		sig, e := s.clickSignature(ctx, key, target)
		if e != nil {
			err = e
			return m
		}
		link := cfg.Link(ClickPath + token + "?u=" + url.QueryEscape(target) + "&s=" + sig)
		return `href="` + html.EscapeString(link) + `"`
	})
	return out, err
}

// clickSignature signs a click link's target together with its message.
func (s *Service) clickSignature(ctx context.Context, key, target string) (string, error) {
	t, err := s.links.Token(ctx, key+" "+target)
	if err != nil {
		return "", err
	}
	return t[strings.LastIndex(t, ".")+1:], nil
}

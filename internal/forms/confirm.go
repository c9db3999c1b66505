package forms

import (
	"context"
	"errors"
	"fmt"
	"leadflow/internal/i18n"
	"strings"

	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/sqldb"
)

// ConfirmPath is where a consent confirmation link points, followed by
// the link's token.
const ConfirmPath = "/c/"

// askConfirmation queues, in the submission's transaction, the email that
// asks the person to confirm the consent they gave. When email is off the
// request is kept with the reason no email went, for the lead's page.
func (s *Service) askConfirmation(ctx context.Context, tx *sqldb.Tx, f Form, res lead.IntakeResult, l *i18n.Locale) error {
	if s.Mail == nil || !s.Mail.Config().Configured() {
		return lead.NoteConsentMail(ctx, tx, res.ConsentRequest, 0, "no confirmation email was sent: email is not configured")
	}
	cfg := s.Mail.Config()
	m := mail.Message{Kind: "consent.confirm", To: res.Lead.Email, LeadID: res.Lead.ID,
		Key:     fmt.Sprintf("consent:%d", res.ConsentRequest),
		Subject: l.T("mail.confirm.subject"),
		Text:    confirmationText(l, f, res.Lead.FirstName, cfg.Link(ConfirmPath+res.ConsentToken))}
	id, err := s.Mail.Queue(ctx, tx, m)
	if errors.Is(err, mail.ErrNotConfigured) {
		return lead.NoteConsentMail(ctx, tx, res.ConsentRequest, 0, "no confirmation email was sent: email is not configured")
	}
	if err != nil {
		return err
	}
	return lead.NoteConsentMail(ctx, tx, res.ConsentRequest, id, "")
}

// confirmationText is the confirmation email, in l's language: who
// asked, for what, the wording agreed to, and the link. It says nothing
// else about the person.
func confirmationText(l *i18n.Locale, f Form, firstName, link string) string {
	var b strings.Builder
	if firstName != "" {
		b.WriteString(l.T("mail.hello_name", "Name", firstName) + "\n\n")
	} else {
		b.WriteString(l.T("mail.hello") + "\n\n")
	}
	b.WriteString(l.T("mail.confirm.body", "Form", f.Name) + "\n\n" + link + "\n\n")
	b.WriteString(l.T("mail.confirm.agreed") + "\n  " + strings.ReplaceAll(f.ConsentText, "\n", "\n  ") + "\n\n")
	b.WriteString(l.T("mail.confirm.not_you", "Count", int(lead.ConfirmWithin.Hours()/24)) + "\n")
	return b.String()
}

// Confirmation looks up a consent confirmation link without using it.
// It is public: the link's token is the only credential.
func (s *Service) Confirmation(ctx context.Context, token string) (lead.ConfirmationState, error) {
	return s.leads.Confirmation(ctx, token)
}

// Confirm uses a consent confirmation link, keeping where it was used
// from as proof. It is public: the link's token is the only credential.
func (s *Service) Confirm(ctx context.Context, token string, meta Meta) (lead.ConfirmationState, error) {
	return s.leads.ConfirmConsent(ctx, token, lead.ConsentProof{IP: meta.IP, UserAgent: meta.UserAgent})
}

// AsksConfirmation reports whether a submission of values to f makes a
// confirmation email: the form wants double opt-in and the box is ticked.
func (f Form) AsksConfirmation(values map[string]string) bool {
	return f.DoubleOptIn && f.ConsentText != "" && checkbox(values[lead.FConsent]) == "true"
}

// MailConfigured reports whether confirmation emails can be sent, for
// the pages that offer double opt-in.
func (s *Service) MailConfigured() bool { return s.Mail != nil && s.Mail.Config().Configured() }

package mail

import (
	"context"
	"errors"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// sendTimeout bounds one delivery: connecting, the dialogue, the data.
const sendTimeout = 30 * time.Second

// deliver sends m through the SMTP server cfg names, on a connection of
// its own: leadflow sends little, and a fresh connection has no state
// to go stale between messages.
func deliver(ctx context.Context, cfg Config, m Stored) error {
	msg, err := build(cfg, m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(cfg.Host, clientOptions(cfg)...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, msg)
}

func clientOptions(cfg Config) []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(sendTimeout)}
	switch cfg.Security {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.TLS != nil {
		opts = append(opts, gomail.WithTLSConfig(cfg.TLS))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return opts
}

// build makes the MIME message: a plain-text part, the HTML one as its
// alternative when there is one, and the Message-ID stored with it.
func build(cfg Config, m Stored) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	if cfg.ReplyTo != "" {
		if err := msg.ReplyTo(cfg.ReplyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// classify says what a failed send means: the status a message gets if
// it is not tried again, and whether trying again may help. A server's
// 5xx answer is final: to the recipient (RCPT TO) it is a bounce. A 4xx
// answer, or no answer at all (a connection that failed), may pass; a
// message that could not be made will not.
func classify(err error) (status string, temporary bool) {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return Failed, true
	}
	code := se.ErrorCode()
	switch {
	case code >= 500 && se.Reason == gomail.ErrSMTPRcptTo:
		return Bounced, false
	case code >= 500:
		return Failed, false
	case code >= 400:
		return Failed, true
	}
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded, gomail.ErrWriteContent:
		return Failed, false
	}
	return Failed, true
}

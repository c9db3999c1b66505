// Package mail sends the email leadflow writes: consent confirmations and
// invitations. A message is stored in the outbox (mail_outbox) in the
// transaction that decides to send it, and a job delivers it through the
// configured SMTP server, retrying temporary failures with back-off, so
// a message is never lost to a crash and never sent from a transaction
// that rolled back.
package mail

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"leadflow/internal/mailaddr"
)

// Security is how the connection to the SMTP server is protected.
type Security string

const (
	// StartTLS connects in plain text and upgrades with STARTTLS, which
	// must succeed (the submission port, 587).
	StartTLS Security = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS Security = "tls"
	// Plain never encrypts: only for a relay on the same host.
	Plain Security = "none"
)

// Config is where and as whom leadflow sends email.
type Config struct {
	Host     string
	Port     int
	Username string // no authentication when empty
	Password string
	Security Security
	From     string // the sender, such as "Acme <sales@acme.example>"
	ReplyTo  string
	// BaseURL is the address people reach leadflow at, for the links in
	// emails, such as https://crm.acme.example.
	BaseURL string
	// TLS overrides the TLS settings, to trust a private certificate
	// authority; nil uses the system's roots.
	TLS *tls.Config
	// PerDomainPerMinute is how many messages a minute go to one
	// recipient domain (bursts of as many); 0 sets no limit.
	PerDomainPerMinute int
}

// Configured reports whether email can be sent at all.
func (c Config) Configured() bool { return c.Host != "" }

// The environment variables Config is read from.
const (
	EnvHost      = "LEADFLOW_SMTP_HOST"
	EnvPort      = "LEADFLOW_SMTP_PORT"
	EnvUser      = "LEADFLOW_SMTP_USER"
	EnvPassword  = "LEADFLOW_SMTP_PASSWORD"
	EnvSecurity  = "LEADFLOW_SMTP_SECURITY"
	EnvFrom      = "LEADFLOW_MAIL_FROM"
	EnvReplyTo   = "LEADFLOW_MAIL_REPLY_TO"
	EnvBaseURL   = "LEADFLOW_BASE_URL"
	EnvPerDomain = "LEADFLOW_MAIL_PER_DOMAIN"
)

// DefaultPerDomain is the per-domain limit when none is set: a minute's
// worth that large mailbox providers take from a sender without a
// reputation.
const DefaultPerDomain = 60

// FromEnv reads Config from the environment. Without LEADFLOW_SMTP_HOST
// email is off, which is not an error; with it, a bad setting is.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{Host: strings.TrimSpace(getenv(EnvHost)), Username: getenv(EnvUser), Password: getenv(EnvPassword),
		Security: Security(strings.ToLower(strings.TrimSpace(getenv(EnvSecurity)))), From: strings.TrimSpace(getenv(EnvFrom)),
		ReplyTo: strings.TrimSpace(getenv(EnvReplyTo)), BaseURL: strings.TrimRight(strings.TrimSpace(getenv(EnvBaseURL)), "/")}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("%s must be an http:// or https:// address such as https://crm.example.com; got %q", EnvBaseURL, c.BaseURL)
		}
	}
	if !c.Configured() {
		return c, nil
	}
	switch c.Security {
	case "":
		c.Security = StartTLS
	case StartTLS, ImplicitTLS, Plain:
	default:
		return c, fmt.Errorf("%s must be starttls, tls or none; got %q", EnvSecurity, c.Security)
	}
	c.Port = 587
	if c.Security == ImplicitTLS {
		c.Port = 465
	}
	if v := getenv(EnvPort); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("%s must be a port number; got %q", EnvPort, v)
		}
		c.Port = p
	}
	if c.From == "" {
		return c, fmt.Errorf("%s is required when %s is set: the address email is sent from", EnvFrom, EnvHost)
	}
	c.PerDomainPerMinute = DefaultPerDomain
	if v := getenv(EnvPerDomain); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("%s must be a number of messages a minute (0 for no limit); got %q", EnvPerDomain, v)
		}
		c.PerDomainPerMinute = n
	}
	if _, reason := mailaddr.Normalize(addrPart(c.From)); reason != "" {
		return c, fmt.Errorf("%s %s; got %q", EnvFrom, reason, c.From)
	}
	return c, nil
}

// addrPart is the address in "Name <address>", or s itself.
func addrPart(s string) string {
	if i, j := strings.LastIndex(s, "<"), strings.LastIndex(s, ">"); i >= 0 && j > i {
		return s[i+1 : j]
	}
	return s
}

// Link is the absolute address of path (which starts with /) for an email.
func (c Config) Link(path string) string {
	base := c.BaseURL
	if base == "" {
		base = "http://localhost:8080"
	}
	return base + path
}

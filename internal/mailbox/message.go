package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// Message is what leadflow keeps of one mail.
type Message struct {
	MessageID   string // without angle brackets; a digest of the raw mail when it has none
	InReplyTo   string
	FromName    string
	FromAddress string
	Subject     string
	Body        string   // the first plain-text part, or the HTML one's text
	Attachments []string // file names
}

// maxBody bounds the body kept on the lead's event.
const maxBody = 8000

// Parse reads a raw RFC 5322 message.
func Parse(raw []byte) (Message, error) {
	var m Message
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil && r == nil {
		return m, err
	}
	h := r.Header
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.FromName, m.FromAddress = from[0].Name, strings.ToLower(from[0].Address)
	}
	m.Subject, _ = h.Subject()
	m.MessageID, _ = h.MessageID()
	if ids, err := h.MsgIDList("In-Reply-To"); err == nil && len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "sha256:" + hex.EncodeToString(sum[:])
	}
	var html string
	for {
		p, err := r.NextPart()
		if err == io.EOF || p == nil {
			break
		}
		if err != nil {
			break
		}
		switch ph := p.Header.(type) {
		case *gomail.InlineHeader:
			ct, _, _ := ph.ContentType()
			b, _ := io.ReadAll(io.LimitReader(p.Body, 1<<20))
			switch {
			case ct == "text/plain" && m.Body == "":
				m.Body = string(b)
			case ct == "text/html" && html == "":
				html = string(b)
			}
		case *gomail.AttachmentHeader:
			name, _ := ph.Filename()
			if name == "" {
				ct, params, _ := mime.ParseMediaType(ph.Get("Content-Type"))
				name = params["name"]
				if name == "" {
					name = ct
				}
			}
			m.Attachments = append(m.Attachments, name)
		}
	}
	if m.Body == "" && html != "" {
		m.Body = stripTags(html)
	}
	m.Body = strings.TrimSpace(m.Body)
	if len(m.Body) > maxBody {
		m.Body = m.Body[:maxBody]
	}
	return m, nil
}

// stripTags is a rough text of an HTML body, for a mail with no plain part.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

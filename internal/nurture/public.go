package nurture

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"leadflow/internal/i18n"
	"net/http"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/sqldb"
)

// message is the email a signed link came from.
type message struct {
	mail.Stored
	key string
}

// messageOf returns the email whose links carry token.
func (s *Service) messageOf(ctx context.Context, token string) (message, bool) {
	key, ok := s.links.Verify(ctx, token)
	if !ok || !strings.HasPrefix(key, "enrol-") {
		return message{}, false
	}
	var id int64
	if err := s.db.R.QueryRow(ctx, `SELECT id FROM mail_outbox WHERE unique_key = ?`, key).Scan(&id); err != nil {
		return message{}, false
	}
	m, err := s.mail.Get(ctx, id)
	return message{Stored: m, key: key}, err == nil
}

// PublicHandler serves the links in nurturing emails: the preference
// page and unsubscribe (/u/), the open pixel and click redirects (/e/).
// They need no sign-in: the signed token is the credential.
func (s *Service) PublicHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+UnsubscribePath+"{token}", s.preferences)
	mux.HandleFunc("POST "+UnsubscribePath+"{token}", s.unsubscribe)
	mux.HandleFunc("POST "+UnsubscribePath+"{token}/leave", s.leave)
	mux.HandleFunc("GET "+OpenPath+"{token}", s.opened)
	mux.HandleFunc("GET "+ClickPath+"{token}", s.clicked)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// prefPages are the preference page in each language (i18n.Langs): its
// visitors are not signed in, so it speaks their browser's language.
var prefPages = func() map[string]*template.Template {
	base := template.Must(template.New("prefs").Funcs(template.FuncMap{"t": i18n.For(i18n.Default).T,
		"lang": func() string { return i18n.Default }}).Parse(`<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{t "prefs.title"}}</title><link rel="stylesheet" href="/static/public.css"></head>
<body class="lf-page"><main class="lf-card">
{{if .Problem}}<h1>{{t "confirm.unusable"}}</h1><p role="alert">{{t .Problem}}</p>
{{else if .Done}}<h1>{{t "prefs.done"}}</h1><p role="status">{{t .Done "Name" .Name}}</p>
{{else}}<h1>{{t "prefs.title"}}</h1>
<p>{{t "prefs.emails_to"}} <strong>{{.Email}}</strong>.</p>
{{if .Sequence}}<form method="post" action="{{.Action}}/leave"><p>{{t "prefs.stop_sequence" "Name" .Sequence}}</p>
<button type="submit" class="lf-submit">{{t "prefs.leave_list"}}</button></form>{{end}}
<form method="post" action="{{.Action}}"><p>{{t "prefs.stop_all"}}</p>
<button type="submit" class="lf-submit">{{t "prefs.unsubscribe_all"}}</button></form>
{{end}}
</main></body></html>`))
	out := map[string]*template.Template{}
	for _, lang := range i18n.Langs {
		l := i18n.For(lang)
		out[lang] = template.Must(base.Clone()).Funcs(template.FuncMap{"t": l.T, "lang": func() string { return l.Lang }})
	}
	return out
}()

// prefView is what the preference page shows; Problem and Done are
// message ids.
type prefView struct {
	Email, Sequence, Action, Problem, Done string
	// Name is the sequence a Done message names.
	Name string
}

func (s *Service) render(w http.ResponseWriter, r *http.Request, status int, v prefView) {
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	prefPages[lang].Execute(w, v)
}

const badLink = "prefs.bad_link"

func (s *Service) preferences(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	m, ok := s.messageOf(r.Context(), token)
	if !ok {
		s.render(w, r, http.StatusNotFound, prefView{Problem: badLink})
		return
	}
	v := prefView{Email: m.To, Action: UnsubscribePath + token}
	if name, status, err := s.sequenceOf(r.Context(), m.EnrolmentID); err == nil && status == EnrolActive {
		v.Sequence = name
	}
	if reason, _ := mail.Suppressed(r.Context(), s.db.R, m.To); reason != "" {
		v.Done = "prefs.unsubscribed_already"
	}
	s.render(w, r, http.StatusOK, v)
}

// unsubscribe is the one-click unsubscribe (RFC 8058) and the "from all"
// button: final and immediate. The address gets no marketing email again,
// the lead's consent is withdrawn, and every sequence it is in ends.
func (s *Service) unsubscribe(w http.ResponseWriter, r *http.Request) {
	m, ok := s.messageOf(r.Context(), r.PathValue("token"))
	if !ok {
		s.render(w, r, http.StatusNotFound, prefView{Problem: badLink})
		return
	}
	if err := s.Unsubscribe(r.Context(), m.Stored, lead.ConsentProof{IP: s.Proxies.IP(r), UserAgent: r.UserAgent()}); err != nil {
		http.Error(w, "Something went wrong on our side; please try again in a moment.", http.StatusInternalServerError)
		return
	}
	s.render(w, r, http.StatusOK, prefView{Done: "prefs.unsubscribed"})
}

// Unsubscribe stops all marketing email to the address m went to.
func (s *Service) Unsubscribe(ctx context.Context, m mail.Stored, proof lead.ConsentProof) error {
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := mail.Suppress(ctx, tx, m.To, mail.Unsubscribed, fmt.Sprintf("message %d", m.ID)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE enrolments SET status = ?, exit_reason = ?, ended_at = ?
			WHERE status = ? AND lead_id IN (SELECT id FROM leads WHERE lower(email) = lower(?) AND email <> '')`,
			EnrolExited, ExitUnsubscribed, now.UnixMilli(), EnrolActive, m.To)
		return err
	})
	if err != nil || m.LeadID == 0 {
		return err
	}
	if err := s.leads.WithdrawConsent(ctx, m.LeadID, "unsubscribe link", proof); err != nil && !notFound(err) {
		return err
	}
	return s.event(ctx, m, "email_unsubscribe")
}

func (s *Service) leave(w http.ResponseWriter, r *http.Request) {
	m, ok := s.messageOf(r.Context(), r.PathValue("token"))
	if !ok {
		s.render(w, r, http.StatusNotFound, prefView{Problem: badLink})
		return
	}
	name, _, _ := s.sequenceOf(r.Context(), m.EnrolmentID)
	if err := endEnrolment(r.Context(), s.db.W, m.EnrolmentID, EnrolExited, ExitLeftList, s.now()); err != nil {
		http.Error(w, "Something went wrong on our side; please try again in a moment.", http.StatusInternalServerError)
		return
	}
	s.render(w, r, http.StatusOK, prefView{Done: "prefs.left", Name: name})
}

// sequenceOf returns the name of the sequence an email's enrolment is in,
// and the enrolment's status; sql.ErrNoRows when it is gone.
func (s *Service) sequenceOf(ctx context.Context, enrolmentID int64) (name, status string, err error) {
	err = s.db.R.QueryRow(ctx, `SELECT s.name, e.status FROM enrolments e JOIN sequences s ON s.id = e.sequence_id WHERE e.id = ?`,
		enrolmentID).Scan(&name, &status)
	return name, status, err
}

// pixel is a transparent 1×1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// opened answers the open pixel: the first open of a message is an
// email_open event on its lead. An unknown token gets the image too.
func (s *Service) opened(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("token"), ".gif")
	if m, ok := s.messageOf(r.Context(), token); ok {
		if first, err := s.mark(r.Context(), m.ID, "opened_at"); err == nil && first {
			s.event(r.Context(), m.Stored, "email_open")
		}
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Write(pixel)
}

// clicked redirects a click link to where the email pointed, and only
// there: the target must carry the signature made with the message.
func (s *Service) clicked(w http.ResponseWriter, r *http.Request) {
	token, target, sig := r.PathValue("token"), r.URL.Query().Get("u"), r.URL.Query().Get("s")
	m, ok := s.messageOf(r.Context(), token)
	if !ok {
		http.Error(w, badLink, http.StatusNotFound)
		return
	}
	want, err := s.clickSignature(r.Context(), m.key, target)
	if err != nil || sig == "" || want != sig || !(strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://")) {
		http.Error(w, "This link does not lead anywhere this email pointed to.", http.StatusBadRequest)
		return
	}
	s.mark(r.Context(), m.ID, "clicked_at")
	// A click is an open too, even when the reader showed no images.
	if first, err := s.mark(r.Context(), m.ID, "opened_at"); err == nil && first {
		s.event(r.Context(), m.Stored, "email_open")
	}
	s.event(r.Context(), m.Stored, "email_click", "url", target)
	http.Redirect(w, r, target, http.StatusFound)
}

// mark stamps a message's first open or click, reporting whether this
// was the first.
func (s *Service) mark(ctx context.Context, id int64, col string) (bool, error) {
	res, err := s.db.W.Exec(ctx, `UPDATE mail_outbox SET `+col+` = ? WHERE id = ? AND `+col+` IS NULL`, s.now().UnixMilli(), id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// event records what a person did with a message on its lead, where it
// counts for the score.
func (s *Service) event(ctx context.Context, m mail.Stored, typ string, kv ...string) error {
	if m.LeadID == 0 {
		return nil
	}
	props := map[string]string{"message": fmt.Sprint(m.ID), "step": fmt.Sprint(m.Step + 1)}
	if seq, _, err := s.sequenceOf(ctx, m.EnrolmentID); err == nil {
		props["sequence"] = seq
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		props[kv[i]] = kv[i+1]
	}
	_, err := s.leads.RecordEvents(ctx, access.System, []lead.EventInput{{LeadID: m.LeadID, Type: typ, Properties: props,
		Source: "email", OccurredAt: s.now()}})
	if notFound(err) {
		return nil
	}
	return err
}

// Bounced is told of a message the server refused for good: the lead's
// sequences end at their next step (the address is suppressed), and the
// bounce is an event that can count against the score.
func (s *Service) Bounced(ctx context.Context, m mail.Stored) {
	s.event(ctx, m, "email_bounce")
}

func notFound(err error) bool { return fault.CodeOf(err) == fault.NotFound }

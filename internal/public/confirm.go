package public

import (
	"net/http"

	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/i18n"
	"leadflow/internal/lead"
)

// ConfirmView is what the consent confirmation page shows.
type ConfirmView struct {
	Token     string
	State     lead.ConfirmationState
	Done      bool   // confirmed by this visit
	Problem   string // why the link cannot be used
	ActionURL string
}

// showConfirmation shows what the link confirms, with a button: mail
// scanners open links, and opening one must not confirm anything.
func (p *Public) showConfirmation(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	st, err := p.Forms.Confirmation(r.Context(), token)
	p.answerConfirmation(w, r, ConfirmView{Token: token, State: st, ActionURL: forms.ConfirmPath + token}, err)
}

func (p *Public) confirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	st, err := p.Forms.Confirm(r.Context(), token, forms.Meta{IP: p.Proxies.IP(r), UserAgent: headerText(r.UserAgent())})
	p.answerConfirmation(w, r, ConfirmView{Token: token, State: st, Done: err == nil}, err)
}

// answerConfirmation speaks the visitor's browser's language: the link
// names no form.
func (p *Public) answerConfirmation(w http.ResponseWriter, r *http.Request, v ConfirmView, err error) {
	lang := i18n.Match(r.Header.Get("Accept-Language"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak to other sites
	switch e := fault.As(err); {
	case err == nil:
		p.render(w, lang, "confirm.html", http.StatusOK, v)
	case e != nil && (e.Code == fault.NotFound || e.Code == fault.Invalid):
		status := http.StatusNotFound
		if e.Code == fault.Invalid {
			status = http.StatusGone
		}
		v.Problem = e.Message
		p.render(w, lang, "confirm.html", status, v)
	default:
		p.Log.Error("consent confirmation", "err", err)
		http.Error(w, "Something went wrong on our side; please try the link again in a moment.", http.StatusInternalServerError)
	}
}

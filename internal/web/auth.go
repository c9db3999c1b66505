package web

import (
	"errors"
	"leadflow/internal/i18n"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"leadflow/internal/fault"
	"leadflow/internal/user"
)

type loginData struct {
	Email string
	Next  string
	Error string
}

// safeNext keeps a post-login redirect on this site: a path, with its
// query, and nothing a browser could read as another host. Browsers drop
// tabs and newlines inside a URL and read \ as /, so "/\t/evil.example"
// would become "//evil.example": any space, control character or
// backslash refuses the whole value, and the rest is rebuilt from its
// parsed path and query.
func safeNext(next string) string {
	const home = "/home" // My work
	if strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return home
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return home
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func (h *Web) loginPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "login", page{Title: i18n.T(r.Context(), "login.sign_in"), Data: loginData{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (h *Web) login(w http.ResponseWriter, r *http.Request) {
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	secret, _, err := h.Users.Login(r.Context(), email, password, h.Proxies.IP(r))
	var throttled *user.ThrottledError
	if errors.As(err, &throttled) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(throttled.RetryAfter.Seconds()))))
		h.render(w, r, "login", page{Title: i18n.T(r.Context(), "login.sign_in"), Status: http.StatusTooManyRequests,
			Data: loginData{Email: email, Next: next, Error: tooManySignIns(r, throttled.RetryAfter)}})
		return
	}
	if fault.CodeOf(err) == fault.Unauthorized {
		h.render(w, r, "login", page{Title: i18n.T(r.Context(), "login.sign_in"), Status: http.StatusUnauthorized,
			Data: loginData{Email: email, Next: next, Error: i18n.T(r.Context(), "login.wrong")}})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.setSession(w, secret)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// setSession gives the browser its session cookie.
func (h *Web) setSession(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(user.SessionLifetime.Seconds())})
}

func (h *Web) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.Users.Logout(r.Context(), c.Value); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	h.flash(w, "You are signed out.")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// tooManySignIns says, in the reader's language, how long to wait
// before signing in again: seconds under a minute, minutes above.
func tooManySignIns(r *http.Request, d time.Duration) string {
	if d < time.Minute {
		return tr(r, "login.too_many_seconds", "Count", max(1, int(math.Ceil(d.Seconds()))))
	}
	return tr(r, "login.too_many_minutes", "Count", int(math.Ceil(d.Minutes())))
}

// Package httplog gives every request an id and carries what the log
// says of it — the id, the signed-in user, the route that served it —
// through the request's context, so that every line logged while serving
// it names them; and it makes leadflow's logger, text or JSON.
package httplog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Info is what is known of one request, filled in as it is served.
type Info struct {
	ID string

	mu     sync.Mutex
	userID int64
	route  string
}

// User is the signed-in user's id, 0 when none.
func (i *Info) User() int64 {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.userID
}

// Route is the pattern of the route that served the request, such as
// "GET /api/v1/leads/{id}", or "" when none matched.
func (i *Info) Route() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.route
}

type ctxKey struct{}

// With returns ctx carrying i.
func With(ctx context.Context, i *Info) context.Context { return context.WithValue(ctx, ctxKey{}, i) }

// From returns the Info ctx carries, or nil.
func From(ctx context.Context) *Info {
	i, _ := ctx.Value(ctxKey{}).(*Info)
	return i
}

// SetUser records the signed-in user of the request ctx belongs to.
func SetUser(ctx context.Context, id int64) {
	if i := From(ctx); i != nil {
		i.mu.Lock()
		i.userID = id
		i.mu.Unlock()
	}
}

// SetRoute records the pattern that served the request; the innermost
// router's, set last, wins.
func SetRoute(ctx context.Context, pattern string) {
	if i := From(ctx); i != nil && pattern != "" {
		i.mu.Lock()
		i.route = pattern
		i.mu.Unlock()
	}
}

// NewID returns a new request id: 16 random hex digits.
func NewID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ValidID says whether an id a client or proxy sent (X-Request-Id) may
// be kept: 1 to 64 letters, digits, '-', '_' or '.', so nothing in it can
// forge a log line.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == ""
}

// contextHandler adds the request id and user id of the context's Info
// to every record logged with it.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if i := From(ctx); i != nil {
		r.AddAttrs(slog.String("request_id", i.ID))
		if u := i.User(); u != 0 {
			r.AddAttrs(slog.Int64("user_id", u))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// Formats are the log formats New takes.
var Formats = []string{"text", "json"}

// New returns a logger writing to w in format ("text", logfmt-like, or
// "json", one object a line) from level on; each line logged with a
// request's context names the request and its user.
func New(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch format {
	case "text", "":
		h = slog.NewTextHandler(w, o)
	case "json":
		h = slog.NewJSONHandler(w, o)
	default:
		return nil, fmt.Errorf("log format %q: want text or json", format)
	}
	return slog.New(contextHandler{h}), nil
}

// Wrap makes log name the request and user of the context each line is
// logged with, for a logger made elsewhere (tests make their own).
func Wrap(log *slog.Logger) *slog.Logger {
	if _, ok := log.Handler().(contextHandler); ok {
		return log
	}
	return slog.New(contextHandler{log.Handler()})
}

// Package tracking holds what the public tracking endpoints need: the
// sites allowed to report visits, and the signed tokens of the email-open
// pixel, which name a lead without letting anyone guess another's.
package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Service reads and writes the tracking settings.
type Service struct {
	db *sqldb.DB

	mu       sync.Mutex
	origins  map[string]bool
	loadedAt time.Time
	key      []byte
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

const (
	originsKey = "tracking_origins"
	pixelKey   = "pixel_key"
)

func (s *Service) setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.R.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (s *Service) put(ctx context.Context, q sqldb.Querier, key, value string) error {
	_, err := q.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// allow refuses everyone but admin and marketing the tracking settings,
// which decide which sites may feed behaviour into scores.
func allow(a access.Actor) error {
	if !a.ManagesMarketing() {
		return fault.Errorf(fault.Forbidden, "tracking settings are for admin and marketing users")
	}
	return nil
}

// Origins returns the sites allowed to send tracking, one per line.
func (s *Service) Origins(ctx context.Context, a access.Actor) (string, error) {
	if err := allow(a); err != nil {
		return "", err
	}
	return s.setting(ctx, originsKey)
}

// SetOrigins replaces the allowed sites, given one per line (or separated
// by spaces or commas) as https://www.example.com.
func (s *Service) SetOrigins(ctx context.Context, a access.Actor, text string) error {
	if err := allow(a); err != nil {
		return err
	}
	var clean []string
	bad := fault.Fields{}
	for _, o := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' }) {
		u, err := url.Parse(strings.TrimSuffix(o, "/"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad.Add("origins", fmt.Sprintf("%q is not a site address such as https://www.example.com", o))
			continue
		}
		clean = append(clean, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	if err := bad.Err(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := s.put(ctx, tx, originsKey, strings.Join(clean, "\n")); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "settings.tracking", "settings", 0, map[string][]string{"origins": clean})
	})
	s.mu.Lock()
	s.origins = nil
	s.mu.Unlock()
	return err
}

// Allowed reports whether origin may send tracking; the list is read at
// most every few seconds. It is public, for the tracking endpoints any
// site may call, so it checks no actor.
func (s *Service) Allowed(ctx context.Context, origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.origins == nil || time.Since(s.loadedAt) > 5*time.Second {
		text, err := s.setting(ctx, originsKey)
		if err != nil {
			return false
		}
		s.origins, s.loadedAt = map[string]bool{}, time.Now()
		for _, o := range strings.Fields(text) {
			s.origins[o] = true
		}
	}
	return s.origins[strings.ToLower(origin)]
}

// signingKey is made once and kept, so pixels in emails sent long ago
// still work after restarts.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	v, err := s.setting(ctx, pixelKey)
	if err != nil {
		return nil, err
	}
	if v == "" {
		b := make([]byte, 32)
		rand.Read(b)
		v = base64.RawURLEncoding.EncodeToString(b)
		if _, err := s.db.W.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, pixelKey, v); err != nil {
			return nil, err
		}
		if v, err = s.setting(ctx, pixelKey); err != nil { // another server may have won
			return nil, err
		}
	}
	s.key = []byte(v)
	return s.key, nil
}

func sign(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:15])
}

// PixelToken is the token of lead id's email-open pixel.
func (s *Service) PixelToken(ctx context.Context, leadID int64) (string, error) {
	return s.Token(ctx, strconv.FormatInt(leadID, 10))
}

// LeadOf returns the lead a pixel token names; ok is false for a token
// leadflow did not make. It is public, for the pixel any mail reader
// loads, so it checks no actor: the signature is the check.
func (s *Service) LeadOf(ctx context.Context, token string) (int64, bool) {
	id, ok := s.Verify(ctx, token)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil
}

// Token signs id (which holds no '.') for a link in an email: the pixel,
// and the open, click and unsubscribe links of nurturing emails. The key
// is never rotated, so links in emails sent long ago keep working.
func (s *Service) Token(ctx context.Context, id string) (string, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return id + "." + sign(key, id), nil
}

// Verify returns the id a token made by Token names; ok is false for a
// token leadflow did not make.
func (s *Service) Verify(ctx context.Context, token string) (id string, ok bool) {
	i := strings.LastIndex(token, ".")
	if i < 0 {
		return "", false
	}
	id, sig := token[:i], token[i+1:]
	key, err := s.signingKey(ctx)
	if err != nil || !hmac.Equal([]byte(sig), []byte(sign(key, id))) {
		return "", false
	}
	return id, true
}

// Package secret keeps the signing keys that every leadflow instance on
// one database must share. A key is made once, by whichever instance
// needs it first, and rotated by an administrator; the key it replaces
// still verifies for a grace period, so what was signed just before a
// rotation (a form shown a minute earlier) is still accepted.
package secret

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// FormToken signs the fill-time tokens of public forms.
const FormToken = "form-token"

// MailboxKey encrypts the passwords of connected mailboxes at rest
// (internal/mailbox); after a rotation the passwords are sealed again
// with the new key while the old one is still kept.
const MailboxKey = "mailbox-key"

// Known names the secrets leadflow uses and what each one signs; only
// these can be rotated.
var Known = map[string]string{
	FormToken:  "signs the fill-time tokens of public forms",
	MailboxKey: "encrypts mailbox passwords",
}

// Names returns the known secrets' names, sorted.
func Names() []string {
	var out []string
	for n := range Known {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DefaultGrace is how long a rotated-out key still verifies: a day,
// longer than anyone keeps a form open before sending it.
const DefaultGrace = 24 * time.Hour

// DefaultCacheFor is how long keys read from the database are used
// before they are read again. A rotation made by another instance is
// seen within it, or at once by a caller that calls Reload when a
// signature matches no key it holds.
const DefaultCacheFor = time.Minute

// Keys are the keys of one secret at a moment.
type Keys struct {
	// Current signs.
	Current []byte
	// Previous also verifies, until the grace period after the last
	// rotation ends; it is nil then, and before any rotation.
	Previous  []byte
	RotatedAt time.Time
}

// Verifying returns the keys a signature may have been made with, the
// current one first.
func (k Keys) Verifying() [][]byte {
	if k.Previous == nil {
		return [][]byte{k.Current}
	}
	return [][]byte{k.Current, k.Previous}
}

// Store reads, creates and rotates secrets.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
	// Grace is how long a rotated-out key still verifies.
	Grace time.Duration
	// CacheFor is how long keys read from the database are reused.
	CacheFor time.Duration

	mu    sync.Mutex
	cache map[string]row
}

// row is a secret as stored, with when this process read it.
type row struct {
	value, previous []byte
	rotatedAt       time.Time
	readAt          time.Time
}

// New returns a Store over db.
func New(db *sqldb.DB) *Store {
	return &Store{db: db, now: time.Now, Grace: DefaultGrace, CacheFor: DefaultCacheFor, cache: map[string]row{}}
}

// SetClock replaces the clock, for tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Get returns the keys of the secret name, creating it if no instance
// has yet. Keys read less than CacheFor ago are reused.
func (s *Store) Get(ctx context.Context, name string) (Keys, error) {
	now := s.now()
	s.mu.Lock()
	r, ok := s.cache[name]
	s.mu.Unlock()
	if ok && now.Sub(r.readAt) < s.CacheFor && now.Sub(r.readAt) >= 0 {
		return s.keys(r, now), nil
	}
	return s.Reload(ctx, name)
}

// Reload reads the keys of the secret name from the database, creating
// it if no instance has yet, and keeps them for Get.
func (s *Store) Reload(ctx context.Context, name string) (Keys, error) {
	now := s.now()
	r, err := s.read(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		// Every instance that finds no key offers one; the first insert
		// wins and all of them read the winner's.
		_, err = s.db.W.Exec(ctx, `INSERT INTO secrets (name, value, previous, created_at, rotated_at)
			VALUES (?, ?, '', ?, ?) ON CONFLICT (name) DO NOTHING`, name, newKey(), now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return Keys{}, fmt.Errorf("secret %s: create: %w", name, err)
		}
		r, err = s.read(ctx, name)
	}
	if err != nil {
		return Keys{}, fmt.Errorf("secret %s: read: %w", name, err)
	}
	r.readAt = now
	s.mu.Lock()
	s.cache[name] = r
	s.mu.Unlock()
	return s.keys(r, now), nil
}

// read reads from the writer so that a secret just created or rotated
// is seen even before a reader connection would see it.
func (s *Store) read(ctx context.Context, name string) (row, error) {
	var value, previous string
	var rotated int64
	err := s.db.W.QueryRow(ctx, `SELECT value, previous, rotated_at FROM secrets WHERE name = ?`, name).
		Scan(&value, &previous, &rotated)
	if err != nil {
		return row{}, err
	}
	r := row{rotatedAt: time.UnixMilli(rotated).UTC()}
	if r.value, err = base64.RawURLEncoding.DecodeString(value); err != nil || len(r.value) == 0 {
		return row{}, fmt.Errorf("the stored key is not a key")
	}
	if previous != "" {
		if r.previous, err = base64.RawURLEncoding.DecodeString(previous); err != nil {
			return row{}, fmt.Errorf("the stored previous key is not a key")
		}
	}
	return r, nil
}

func (s *Store) keys(r row, now time.Time) Keys {
	k := Keys{Current: r.value, RotatedAt: r.rotatedAt}
	if r.previous != nil && now.Before(r.rotatedAt.Add(s.Grace)) {
		k.Previous = r.previous
	}
	return k
}

// Rotate replaces the key of the secret name with a new one; the old
// key verifies for Grace more. Rotating again within the grace period
// ends the older key at once: only one previous key is kept.
func (s *Store) Rotate(ctx context.Context, name string) (Keys, error) {
	if _, ok := Known[name]; !ok {
		return Keys{}, &fault.Error{Code: fault.Invalid, Message: fmt.Sprintf("no secret is named %q", name),
			Fields: map[string]string{"name": "must be one of " + strings.Join(Names(), ", ")}}
	}
	if _, err := s.Reload(ctx, name); err != nil {
		return Keys{}, err
	}
	// One statement, so two rotations at once each keep the key that was
	// current when it ran as the previous one.
	_, err := s.db.W.Exec(ctx, `UPDATE secrets SET previous = value, value = ?, rotated_at = ? WHERE name = ?`,
		newKey(), s.now().UnixMilli(), name)
	if err != nil {
		return Keys{}, fmt.Errorf("secret %s: rotate: %w", name, err)
	}
	return s.Reload(ctx, name)
}

func newKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Package user manages leadflow's users: accounts with roles, passwords,
// browser sessions and API tokens.
package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/linktoken"
	"leadflow/internal/mail"
	"leadflow/internal/mailaddr"
	"leadflow/internal/sqldb"
)

// User is an account that can log in.
type User struct {
	ID        int64
	Email     string
	Name      string
	Role      access.Role
	CreatedAt time.Time
	// DisabledAt is when an admin disabled the user; zero while enabled.
	DisabledAt time.Time
	// Language is the language the user reads the pages in (see
	// i18n.Langs), "" for what their browser asks.
	Language string
}

// Disabled reports whether the user may not sign in or use a token.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Actor is u as the subject of access rules.
func (u User) Actor() access.Actor { return access.Actor{ID: u.ID, Email: u.Email, Role: u.Role} }

// A login lasts SessionLifetime at most, however active, and ends sooner
// when it goes unused for SessionIdle: a month of daily use, or a week
// away, means signing in again.
const (
	SessionLifetime = 30 * 24 * time.Hour
	SessionIdle     = 7 * 24 * time.Hour
)

// sessionTouchEvery is how stale a session's last use may be before a
// request records it anew, so that browsing writes to the database once
// every few minutes rather than on every page. A session may so end up to
// this much sooner than SessionIdle after its last use.
const sessionTouchEvery = 5 * time.Minute

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// Service stores users, sessions and tokens.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
	// Mail sends invitations; nil, or not configured, sends none and
	// the admin passes the link on.
	Mail *mail.Outbox
}

// NewService returns a Service over db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, now: time.Now} }

// Input is what creating a user takes.
type Input struct {
	Email    string
	Name     string
	Password string
	Role     access.Role
}

// Validate returns the reason for each bad field and the normalised email.
func (in Input) Validate() (string, error) {
	bad := fault.Fields{}
	email, reason := mailaddr.Normalize(in.Email)
	if reason != "" {
		bad.Add("email", reason)
	}
	if utf8.RuneCountInString(in.Password) < MinPasswordLen {
		bad.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	}
	if !in.Role.Valid() {
		bad.Add("role", "must be admin, marketing or sales")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		bad.Add("name", "must be at most 100 characters")
	}
	return email, bad.Err()
}

// MayManage returns a Forbidden fault unless a may manage users'
// accounts. The write methods ask it first; the users page asks it
// before showing what only an admin can use.
func (s *Service) MayManage(a access.Actor) error {
	if !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "only admins manage users")
	}
	return nil
}

// Create adds a user.
func (s *Service) Create(ctx context.Context, a access.Actor, in Input) (User, error) {
	if err := s.MayManage(a); err != nil {
		return User{}, err
	}
	email, err := in.Validate()
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	u := User{Email: email, Name: strings.TrimSpace(in.Name), Role: in.Role, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), hash, u.CreatedAt.UnixMilli()).Scan(&u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "user.create", "user", u.ID, map[string]string{"email": u.Email, "role": string(u.Role)})
	})
	if sqldb.IsUniqueViolation(err) {
		return User{}, &fault.Error{Code: fault.Conflict, Message: "a user with this email already exists",
			Fields: map[string]string{"email": "is already taken"}}
	}
	if err != nil {
		return User{}, fmt.Errorf("user store: create: %w", err)
	}
	return u, nil
}

// SetPassword replaces the password of the user with email.
func (s *Service) SetPassword(ctx context.Context, a access.Actor, email, password string) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return &fault.Error{Code: fault.Invalid, Message: "password too short",
			Fields: map[string]string{"password": fmt.Sprintf("must be at least %d characters", MinPasswordLen)}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE users SET password_hash = ? WHERE lower(email) = lower(?) RETURNING id`, hash, email).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Errorf(fault.NotFound, "no user with email %s", email)
		}
		if err != nil {
			return fmt.Errorf("user store: set password: %w", err)
		}
		return audit.Record(ctx, tx, a, "user.set_password", "user", id, nil)
	})
}

const userColumns = `id, email, name, role, created_at, disabled_at, language`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	var disabled sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &disabled, &u.Language)
	u.CreatedAt = time.UnixMilli(created).UTC()
	if disabled.Valid {
		u.DisabledAt = time.UnixMilli(disabled.Int64).UTC()
	}
	return u, err
}

// ByEmail returns the user with email.
func (s *Service) ByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.R.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower(?)`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.Errorf(fault.NotFound, "no user with email %s", email)
	}
	if err != nil {
		return u, fmt.Errorf("user store: by email: %w", err)
	}
	return u, nil
}

// List returns every user, by email. Every signed-in user may see who
// can own leads, so it checks no actor.
func (s *Service) List(ctx context.Context) ([]User, error) {
	rows, err := s.db.R.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY lower(email)`)
	if err != nil {
		return nil, fmt.Errorf("user store: list: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("user store: list: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Count returns how many users exist.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.R.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// Login checks a password and opens a session, returning its secret for
// the cookie. A wrong email and a wrong password fail alike. client is
// the address the attempt comes from; after too many failures for the
// email or from the client (see MaxFailuresPerEmail) it returns a
// ThrottledError without checking the password.
func (s *Service) Login(ctx context.Context, email, password, client string) (string, User, error) {
	key := attemptKey(email)
	if err := s.throttled(ctx, key, client); err != nil {
		return "", User{}, err
	}
	var hash string
	var u User
	var created int64
	err := s.db.R.QueryRow(ctx, `SELECT id, email, name, role, created_at, password_hash FROM users
		WHERE lower(email) = lower(?) AND disabled_at IS NULL`, strings.TrimSpace(email)).Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Hash anyway so a missing account takes as long as a wrong password.
		HashPassword(password)
		return "", u, s.failed(ctx, key, client)
	}
	if err != nil {
		return "", u, fmt.Errorf("user store: login: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", u, err
	}
	if !ok {
		return "", u, s.failed(ctx, key, client)
	}
	if err := s.succeeded(ctx, key); err != nil {
		return "", u, err
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	secret := linktoken.Secret()
	now := s.now()
	_, err = s.db.W.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
		linktoken.Hash(secret), u.ID, now.UnixMilli(), now.Add(SessionLifetime).UnixMilli(), now.UnixMilli())
	if err != nil {
		return "", u, fmt.Errorf("user store: open session: %w", err)
	}
	return secret, u, nil
}

// BySession returns the user of a live session, one neither past its
// lifetime nor unused for SessionIdle, and records its use.
func (s *Service) BySession(ctx context.Context, secret string) (User, error) {
	now := s.now()
	var u User
	var created, lastSeen int64
	h := linktoken.Hash(secret)
	err := s.db.R.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.created_at, u.language, s.last_seen_at FROM sessions s
		JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?
		AND u.disabled_at IS NULL`,
		h, now.UnixMilli(), now.Add(-SessionIdle).UnixMilli()).Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &u.Language, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.Errorf(fault.Unauthorized, "invalid or expired credentials")
	}
	if err != nil {
		return u, fmt.Errorf("user store: session: %w", err)
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	if now.Sub(time.UnixMilli(lastSeen)) >= sessionTouchEvery {
		if _, err := s.db.W.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`,
			now.UnixMilli(), h, now.UnixMilli()); err != nil {
			return u, fmt.Errorf("user store: record session use: %w", err)
		}
	}
	return u, nil
}

// PurgeExpiredSessions deletes the sessions that have ended by now, past
// their lifetime or unused for SessionIdle, and returns how many. The job
// system calls it hourly; an ended session is refused whether or not it
// has been purged yet.
func (s *Service) PurgeExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.W.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		now.UnixMilli(), now.Add(-SessionIdle).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("user store: purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, secret string) error {
	_, err := s.db.W.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, linktoken.Hash(secret))
	return err
}

// CreateToken issues an API token for the user with email, of the
// widest scope their role allows, and returns its secret; only its hash
// is stored, so it is shown once.
func (s *Service) CreateToken(ctx context.Context, a access.Actor, email, name string) (string, error) {
	return s.CreateTokenWith(ctx, a, email, TokenSpec{Name: name})
}

// CreateTokenWith is CreateToken with a scope and an expiry (spec's name
// may be empty, as from the command line).
func (s *Service) CreateTokenWith(ctx context.Context, a access.Actor, email string, spec TokenSpec) (string, error) {
	if err := s.MayManage(a); err != nil {
		return "", err
	}
	u, err := s.ByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	now := s.now()
	if err := spec.check(u.Role, now, false); err != nil {
		return "", err
	}
	var expires any
	if !spec.ExpiresAt.IsZero() {
		expires = spec.ExpiresAt.UnixMilli()
	}
	secret := "lf_" + linktoken.Secret()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.ID, spec.Name, linktoken.Hash(secret), now.UnixMilli(), spec.Scope, expires).Scan(&id); err != nil {
			return fmt.Errorf("user store: create token: %w", err)
		}
		return audit.Record(ctx, tx, a, "token.create", "user", u.ID, map[string]any{"token_id": id, "name": spec.Name, "scope": spec.Scope})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// ByToken returns the user an API token belongs to, unless the user is
// disabled or the token expired, and records the token's use as
// BySession does a session's.
func (s *Service) ByToken(ctx context.Context, secret string) (User, error) {
	u, _, err := s.Authenticate(ctx, secret)
	return u, err
}

// Authenticate is ByToken that returns the token too, whose scope
// decides what the request may do (Token.Actor, Token.Allows).
func (s *Service) Authenticate(ctx context.Context, secret string) (User, Token, error) {
	now := s.now()
	h := linktoken.Hash(secret)
	var lastUsed, expires sql.NullInt64
	var created int64
	var u User
	var t Token
	err := s.db.R.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.created_at, t.id, t.name, t.scope, t.last_used_at, t.expires_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.disabled_at IS NULL`, h).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &created, &t.ID, &t.Name, &t.Scope, &lastUsed, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return u, t, fault.Errorf(fault.Unauthorized, "invalid or expired credentials")
	}
	if err != nil {
		return u, t, fmt.Errorf("user store: authenticate: %w", err)
	}
	t.UserID = u.ID
	if expires.Valid {
		t.ExpiresAt = time.UnixMilli(expires.Int64).UTC()
		if !now.Before(t.ExpiresAt) {
			return User{}, Token{}, fault.Errorf(fault.Unauthorized, "the token %q expired on %s", t.Name, t.ExpiresAt.Format(time.RFC3339))
		}
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	if !lastUsed.Valid || now.Sub(time.UnixMilli(lastUsed.Int64)) >= sessionTouchEvery {
		if _, err := s.db.W.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`, now.UnixMilli(), h); err != nil {
			return u, t, fmt.Errorf("user store: record token use: %w", err)
		}
		lastUsed = sql.NullInt64{Int64: now.UnixMilli(), Valid: true}
	}
	t.LastUsedAt = time.UnixMilli(lastUsed.Int64).UTC()
	return u, t, nil
}

// NewPassword returns a random password for generated accounts.
func NewPassword() string { return linktoken.Secret()[:16] }

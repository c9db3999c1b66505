package user

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/linktoken"
	"leadflow/internal/sqldb"
)

// Session is one signed-in browser of a user, as the user sees it.
type Session struct {
	// ID names the session without being its secret: the start of the
	// stored hash of the secret, which signs nobody in.
	ID         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Current marks the session the request came with.
	Current bool
}

// sessionIDLen is how many hex digits of a session's hash name it: 80
// bits, unique among one user's sessions by far.
const sessionIDLen = 20

// Token is an API token as its owner sees it; its secret was shown once.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Scope      string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
	ExpiresAt  time.Time // zero when it does not expire
}

// The scopes of API tokens, each capping what a token may do below its
// user's role.
const (
	// ScopeRead reads what the role may read, but for the admins' pages.
	ScopeRead = "read-only"
	// ScopeWrite does what the role may do, but for the admins' work.
	ScopeWrite = "read-write"
	// ScopeAdmin does all the role allows; only admins make such tokens.
	ScopeAdmin = "admin"
)

// Scopes lists the scopes, narrowest first.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeAdmin}

// Actor is who a request with t acts as, for its user u: below admin
// unless t's scope is admin (an admin's read-write token does what
// marketing may), and read-only when its scope says so.
func (t Token) Actor(u User) access.Actor {
	a := u.Actor()
	if t.Scope != ScopeAdmin && a.Role == access.Admin {
		a.Role = access.Marketing
	}
	return a
}

// Allows says whether t may make a request with method: a read-only
// token only reads.
func (t Token) Allows(method string) bool {
	return t.Scope != ScopeRead || method == "GET" || method == "HEAD"
}

// TokenSpec is what a new token is to be.
type TokenSpec struct {
	Name string
	// Scope defaults to the widest the user's role allows: admin for an
	// admin, read-write for the others.
	Scope string
	// ExpiresAt, when not zero, ends the token then; it must be later.
	ExpiresAt time.Time
}

// check validates spec for a token of a user with role, filling the
// default scope.
func (spec *TokenSpec) check(role access.Role, now time.Time, needName bool) error {
	bad := fault.Fields{}
	spec.Name = strings.TrimSpace(spec.Name)
	switch n := utf8.RuneCountInString(spec.Name); {
	case n == 0 && needName:
		bad.Add("name", "is required, to tell the token from others")
	case n > 100:
		bad.Add("name", "must be at most 100 characters")
	}
	switch spec.Scope {
	case "":
		spec.Scope = ScopeWrite
		if role == access.Admin {
			spec.Scope = ScopeAdmin
		}
	case ScopeRead, ScopeWrite:
	case ScopeAdmin:
		if role != access.Admin {
			bad.Add("scope", "admin is for admins' tokens; choose read-only or read-write")
		}
	default:
		bad.Add("scope", "must be one of read-only, read-write, admin")
	}
	if !spec.ExpiresAt.IsZero() && !spec.ExpiresAt.After(now) {
		bad.Add("expires_at", "must be in the future")
	}
	return bad.Err()
}

// mayHandle returns a Forbidden fault unless a may see and revoke the
// credentials of the user userID: their own, or anyone's for an admin.
func mayHandle(a access.Actor, userID int64) error {
	if a.ID != userID && !a.ManagesUsers() {
		return fault.Errorf(fault.Forbidden, "only admins handle other users' credentials")
	}
	return nil
}

// Sessions returns the live sessions of a's own user, newest first,
// marking the one whose secret is current ("" for none, as over the API).
func (s *Service) Sessions(ctx context.Context, a access.Actor, current string) ([]Session, error) {
	now := s.now()
	rows, err := s.db.R.Query(ctx, `SELECT token_hash, created_at, last_seen_at, expires_at FROM sessions
		WHERE user_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY created_at DESC, token_hash`,
		a.ID, now.UnixMilli(), now.Add(-SessionIdle).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("user store: sessions: %w", err)
	}
	defer rows.Close()
	cur := ""
	if current != "" {
		cur = linktoken.Hash(current)
	}
	out := []Session{}
	for rows.Next() {
		var h string
		var created, seen, expires int64
		if err := rows.Scan(&h, &created, &seen, &expires); err != nil {
			return nil, fmt.Errorf("user store: sessions: %w", err)
		}
		out = append(out, Session{ID: h[:sessionIDLen], CreatedAt: time.UnixMilli(created).UTC(),
			LastSeenAt: time.UnixMilli(seen).UTC(), ExpiresAt: time.UnixMilli(expires).UTC(), Current: h == cur})
	}
	return out, rows.Err()
}

// RevokeSession ends one of a's own sessions.
func (s *Service) RevokeSession(ctx context.Context, a access.Actor, id string) error {
	if len(id) != sessionIDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return fault.Errorf(fault.NotFound, "no session %q", id)
	}
	res, err := s.db.W.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, `+strconv.Itoa(sessionIDLen)+`) = ?`, a.ID, id)
	if err != nil {
		return fmt.Errorf("user store: revoke session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.Errorf(fault.NotFound, "no session %q", id)
	}
	return nil
}

// Tokens returns the API tokens of the user userID, newest first: a's
// own, or anyone's for an admin.
func (s *Service) Tokens(ctx context.Context, a access.Actor, userID int64) ([]Token, error) {
	if err := mayHandle(a, userID); err != nil {
		return nil, err
	}
	return s.tokens(ctx, `WHERE user_id = ?`, userID)
}

// AllTokens returns every user's API tokens, for the admins' users page.
func (s *Service) AllTokens(ctx context.Context, a access.Actor) ([]Token, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	return s.tokens(ctx, ``)
}

func (s *Service) tokens(ctx context.Context, where string, args ...any) ([]Token, error) {
	rows, err := s.db.R.Query(ctx, `SELECT id, user_id, name, scope, created_at, last_used_at, expires_at FROM api_tokens `+where+`
		ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("user store: tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		var used, expires sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &created, &used, &expires); err != nil {
			return nil, fmt.Errorf("user store: tokens: %w", err)
		}
		t.CreatedAt = time.UnixMilli(created).UTC()
		if used.Valid {
			t.LastUsedAt = time.UnixMilli(used.Int64).UTC()
		}
		if expires.Valid {
			t.ExpiresAt = time.UnixMilli(expires.Int64).UTC()
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateOwnToken issues an API token for a's own user, named name, of
// the widest scope a's role allows and with no expiry, and returns it
// with its secret, which is shown this once.
func (s *Service) CreateOwnToken(ctx context.Context, a access.Actor, name string) (Token, string, error) {
	return s.IssueOwnToken(ctx, a, TokenSpec{Name: name})
}

// IssueOwnToken issues an API token as spec says for a's own user and
// returns it with its secret, which is shown this once.
func (s *Service) IssueOwnToken(ctx context.Context, a access.Actor, spec TokenSpec) (Token, string, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if err := spec.check(a.Role, now, true); err != nil {
		return Token{}, "", err
	}
	t := Token{UserID: a.ID, Name: spec.Name, Scope: spec.Scope, CreatedAt: now, ExpiresAt: spec.ExpiresAt.UTC().Truncate(time.Millisecond)}
	secret := "lf_" + linktoken.Secret()
	var expires any
	if !t.ExpiresAt.IsZero() {
		expires = t.ExpiresAt.UnixMilli()
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			a.ID, t.Name, linktoken.Hash(secret), now.UnixMilli(), t.Scope, expires).Scan(&t.ID); err != nil {
			return fmt.Errorf("user store: create token: %w", err)
		}
		return audit.Record(ctx, tx, a, "token.create", "user", a.ID, map[string]any{"token_id": t.ID, "name": t.Name, "scope": t.Scope})
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// RevokeToken deletes the API token id of the user userID: a's own, or
// anyone's for an admin. A token of another user is not found.
func (s *Service) RevokeToken(ctx context.Context, a access.Actor, userID, id int64) error {
	if err := mayHandle(a, userID); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("user store: revoke token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "no token %d", id)
		}
		return audit.Record(ctx, tx, a, "token.revoke", "user", userID, map[string]int64{"token_id": id})
	})
}

// ChangePassword replaces a's own password, given the current one, and
// ends every other session of theirs: keep is the secret of the session
// to keep ("" to end all, as over the API). API tokens stay valid.
func (s *Service) ChangePassword(ctx context.Context, a access.Actor, current, password, keep string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return &fault.Error{Code: fault.Invalid, Message: "password too short",
			Fields: map[string]string{"password": fmt.Sprintf("must be at least %d characters", MinPasswordLen)}}
	}
	var hash string
	if err := s.db.R.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, a.ID).Scan(&hash); err != nil {
		return fmt.Errorf("user store: change password: %w", err)
	}
	ok, err := CheckPassword(hash, current)
	if err != nil {
		return err
	}
	if !ok {
		return &fault.Error{Code: fault.Invalid, Message: "the current password is wrong",
			Fields: map[string]string{"current_password": "is wrong"}}
	}
	newHash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Only if unchanged since checked: a concurrent change wins, and
		// this one, made with the old password, is refused.
		res, err := tx.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, newHash, a.ID, hash)
		if err != nil {
			return fmt.Errorf("user store: change password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.Conflict, "the password was changed meanwhile; sign in again")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, a.ID, linktoken.Hash(keep)); err != nil {
			return fmt.Errorf("user store: end other sessions: %w", err)
		}
		return audit.Record(ctx, tx, a, "user.change_password", "user", a.ID, nil)
	})
}

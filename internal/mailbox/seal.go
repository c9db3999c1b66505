package mailbox

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

// A mailbox's password is kept sealed with AES-256-GCM under the shared
// secret MailboxKey (internal/secret), so it is in no export, log or
// query result of the mailboxes table, and every instance on the database
// reads it with the same key. The row names the key that sealed it
// (password_key); after a rotation Reseal seals each password again
// with the new key while the old one is still kept (secret.DefaultGrace).

// errLostKey is a password sealed with a key no longer kept: only the
// admin can give it again.
var errLostKey = errors.New("the stored password was encrypted with a key that is no longer kept; enter the password again")

// keyID names a key in the row without revealing it.
func keyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// aad ties a sealed value to its use: a value sealed for something else
// under the same key does not open as a password.
var aad = []byte("leadflow mailbox password")

func seal(key []byte, password string) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(password), aad)), nil
}

func unseal(key []byte, stored string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(stored)
	if err != nil {
		return "", fmt.Errorf("the stored password is damaged: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(b) < gcm.NonceSize() {
		return "", errors.New("the stored password is damaged")
	}
	plain, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], aad)
	if err != nil {
		return "", errors.New("the stored password is damaged")
	}
	return string(plain), nil
}

// sealCurrent seals password with the current key and names the key.
func (s *Service) sealCurrent(ctx context.Context, password string) (sealed, id string, err error) {
	keys, err := s.secrets.Get(ctx, secret.MailboxKey)
	if err != nil {
		return "", "", fmt.Errorf("mailbox: key: %w", err)
	}
	sealed, err = seal(keys.Current, password)
	return sealed, keyID(keys.Current), err
}

// open returns the password stored as stored under the key named id; ""
// names a password from before sealing, kept in plain text until Reseal.
func (s *Service) open(ctx context.Context, stored, id string) (string, error) {
	if id == "" {
		return stored, nil
	}
	keys, err := s.secrets.Get(ctx, secret.MailboxKey)
	if err != nil {
		return "", fmt.Errorf("mailbox: key: %w", err)
	}
	if keyID(keys.Current) != id && (keys.Previous == nil || keyID(keys.Previous) != id) {
		// Another instance may have rotated the key within the cache time.
		if keys, err = s.secrets.Reload(ctx, secret.MailboxKey); err != nil {
			return "", fmt.Errorf("mailbox: key: %w", err)
		}
	}
	for _, k := range keys.Verifying() {
		if keyID(k) == id {
			return unseal(k, stored)
		}
	}
	return "", errLostKey
}

// Reseal seals with the current key every password that is in plain text
// (rows from before sealing) or sealed with an older key, and returns how
// many it sealed. Each row is written only if it is still what was read,
// so a password an admin saves meanwhile is not overwritten. A password
// whose key is gone is left for the admin to enter again.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	keys, err := s.secrets.Reload(ctx, secret.MailboxKey)
	if err != nil {
		return 0, fmt.Errorf("mailbox: key: %w", err)
	}
	current := keyID(keys.Current)
	type stale struct {
		id           int64
		stored, from string
	}
	var todo []stale
	rows, err := s.db.W.Query(ctx, `SELECT id, password, password_key FROM mailboxes WHERE password_key <> ? ORDER BY id`, current)
	if err != nil {
		return 0, fmt.Errorf("mailbox: reseal: %w", err)
	}
	for rows.Next() {
		var r stale
		if err := rows.Scan(&r.id, &r.stored, &r.from); err != nil {
			rows.Close()
			return 0, fmt.Errorf("mailbox: reseal: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("mailbox: reseal: %w", err)
	}
	n := 0
	for _, r := range todo {
		plain, err := s.open(ctx, r.stored, r.from)
		if err != nil {
			// Its key gone or the value damaged: it stays as it is, reading
			// that mailbox says what is wrong, and the others are sealed
			// still (one bad row must not stop a start or every fetch).
			continue
		}
		sealed, err := seal(keys.Current, plain)
		if err != nil {
			return n, fmt.Errorf("mailbox %d: reseal: %w", r.id, err)
		}
		res, err := s.db.W.Exec(ctx, `UPDATE mailboxes SET password = ?, password_key = ? WHERE id = ? AND password = ? AND password_key = ?`,
			sealed, current, r.id, r.stored, r.from)
		if err != nil {
			return n, fmt.Errorf("mailbox %d: reseal: %w", r.id, err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			n++
		}
	}
	return n, nil
}

// Reseal seals every mailbox password of db with the current key (see
// Service.Reseal), for the command that rotates the key.
func Reseal(ctx context.Context, db *sqldb.DB) (int, error) {
	return (&Service{db: db, secrets: secret.New(db)}).Reseal(ctx)
}

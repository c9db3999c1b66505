// Package linktoken makes the secrets a person carries: the tokens of
// links that leadflow emails (a consent confirmation, an invitation),
// calendar feed addresses, session cookies and API tokens. A secret is
// 256 random bits; only its SHA-256 is stored, so a leaked table opens
// nothing, and a secret is revoked by deleting or marking its row.
package linktoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Secret returns 256 random bits, URL-safe.
func Secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// New returns a fresh secret and the hash to store for it.
func New() (token, hash string) {
	token = Secret()
	return token, Hash(token)
}

// Hash is the stored form of a secret.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

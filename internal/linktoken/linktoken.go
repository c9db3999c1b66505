// Package linktoken makes the secrets carried by links that leadflow
// emails (a consent confirmation, an invitation). A link's token is 256
// random bits; only its SHA-256 is stored, so a leaked table opens no
// link, and a link is revoked by deleting or marking its row.
package linktoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// New returns a fresh token and the hash to store for it.
func New() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is the stored form of token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

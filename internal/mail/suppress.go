package mail

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"leadflow/internal/sqldb"
)

// Reasons an address is suppressed: it gets no marketing email again.
const (
	Unsubscribed = "unsubscribed"
	// Bounced (the outbox status) is the other reason.
)

// Suppress records that address gets no marketing email, for reason; the
// first reason recorded stays.
func Suppress(ctx context.Context, q sqldb.Querier, address, reason, source string) error {
	_, err := q.Exec(ctx, `INSERT INTO email_suppressions (email_hash, reason, source, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email_hash) DO NOTHING`, addressHash(address), reason, source, time.Now().UnixMilli())
	return wrap("suppress", err)
}

// addressHash is how a suppressed address is kept: the SHA-256 of the
// lower-cased address, as an erasure keeps it.
func addressHash(address string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(address))))
	return hex.EncodeToString(sum[:])
}

// Suppressed returns why address gets no marketing email, or "" when it
// may get some.
func Suppressed(ctx context.Context, q sqldb.Querier, address string) (string, error) {
	var reason string
	err := q.QueryRow(ctx, `SELECT reason FROM email_suppressions WHERE email_hash = ?`, addressHash(address)).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("mail: suppressed: %w", err)
	}
	return reason, nil
}

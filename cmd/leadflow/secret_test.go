package main

import (
	"context"
	"strings"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

func TestSecretRotate(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		db, env := target(dsn)
		out, err := cli(t, env, append([]string{"secret", "rotate", "form-token"}, db...)...)
		if err != nil || !strings.Contains(out, "rotated form-token") || !strings.Contains(out, "the previous key stays valid until") {
			t.Fatalf("rotate: %q %v", out, err)
		}
		// The name may also follow the flags.
		if _, err := cli(t, env, append(append([]string{"secret", "rotate"}, db...), "form-token")...); err != nil {
			t.Fatal(err)
		}
		conn, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		keys, err := secret.New(conn).Get(context.Background(), secret.FormToken)
		if err != nil || keys.Previous == nil {
			t.Errorf("after two rotations: previous key %x, %v", keys.Previous, err)
		}
		if _, err := cli(t, env, append([]string{"secret", "rotate", "pixel"}, db...)...); err == nil ||
			!strings.Contains(err.Error(), "--name must be one of form-token") {
			t.Errorf("an unknown secret was not refused by name: %v", err)
		}
		if _, err := cli(t, env, "secret", "show", "form-token"); err == nil || !strings.Contains(err.Error(), "usage: leadflow secret rotate NAME") {
			t.Errorf("secret without rotate: %v", err)
		}
	})
}

func TestServeRefusesBadTrustedProxies(t *testing.T) {
	db := []string{"--db", t.TempDir() + "/leadflow.db"}
	if _, err := cli(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/8,proxy.internal"}, db...)...); err == nil ||
		!strings.Contains(err.Error(), `trusted proxy "proxy.internal" is not an IP address or CIDR range`) {
		t.Errorf("flag: %v", err)
	}
	env := map[string]string{"LEADFLOW_TRUSTED_PROXIES": "10.0.0.300"}
	if _, err := cli(t, env, append([]string{"demo", "--addr", "127.0.0.1:0", "--leads", "0"}, db...)...); err == nil ||
		!strings.Contains(err.Error(), `trusted proxy "10.0.0.300"`) {
		t.Errorf("environment: %v", err)
	}
}

// Rotating the mailbox key seals every mailbox password with the new key
// at once, plain-text rows from before sealing included.
func TestSecretRotateMailboxKeyReseals(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		db, env := target(dsn)
		if _, err := cli(t, env, append([]string{"migrate"}, db...)...); err != nil {
			t.Fatal(err)
		}
		conn, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.W.Exec(context.Background(), `INSERT INTO mailboxes (name, address, security, username, password, folder, created_at)
			VALUES ('Sales', '127.0.0.1:993', 'tls', 'sales', 'plain-secret', 'INBOX', 0)`); err != nil {
			t.Fatal(err)
		}
		out, err := cli(t, env, append([]string{"secret", "rotate", "mailbox-key"}, db...)...)
		if err != nil || !strings.Contains(out, "sealed 1 mailbox passwords with the new key") {
			t.Fatalf("rotate: %q %v", out, err)
		}
		var stored string
		conn.W.QueryRow(context.Background(), `SELECT password FROM mailboxes`).Scan(&stored)
		if strings.Contains(stored, "plain-secret") {
			t.Errorf("the password is still in plain text: %q", stored)
		}
	})
}

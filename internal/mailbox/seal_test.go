package mailbox

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"leadflow/internal/access"
	"leadflow/internal/dbtest"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
	"leadflow/internal/usertest"
)

// The password is in no row of the database, in plain text or as its
// base64, yet the mailbox is read with it; a row stored in plain text
// before sealing is sealed by the fetch job and still read; after the key
// is rotated the mail is still read and the row is sealed again with the
// new key; a password whose key is gone asks the admin to enter it again.
func TestMailboxPasswordSealedAtRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := usertest.Actor(t, db, "admin@example.com", access.Admin)
		srv := startIMAP(t)
		leads := lead.NewService(db)
		svc := NewService(db, leads)
		svc.TLSConfig = srv.client
		const password = "app-password"
		mb, err := svc.Save(ctx, admin, 0, Input{Name: "Sales", Address: srv.addr, Username: "sales@leadflow.example", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		stored := func() (value, key string) {
			t.Helper()
			if err := db.R.QueryRow(ctx, `SELECT password, password_key FROM mailboxes WHERE id = ?`, mb.ID).Scan(&value, &key); err != nil {
				t.Fatal(err)
			}
			return value, key
		}
		assertSealed := func(when string) string {
			t.Helper()
			value, key := stored()
			for _, leak := range []string{password, base64.StdEncoding.EncodeToString([]byte(password)), base64.RawStdEncoding.EncodeToString([]byte(password))} {
				if strings.Contains(value, leak) {
					t.Errorf("%s: the row holds the password (%q)", when, value)
				}
			}
			if key == "" || value == "" {
				t.Errorf("%s: the row is not sealed: %q, key %q", when, value, key)
			}
			var audits int
			db.R.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?`, "%"+password+"%").Scan(&audits)
			if audits != 0 {
				t.Errorf("%s: %d audit entries hold the password", when, audits)
			}
			return key
		}
		fetchOne := func(when, id string) {
			t.Helper()
			srv.deliver(t, rawMail(id+"@example.org", id+"@acme.example", "Hello", "A question."))
			if n, err := svc.Fetch(ctx, mb.ID); err != nil || n != 1 {
				t.Errorf("%s: fetch took %d, %v", when, n, err)
			}
		}
		first := assertSealed("after saving")
		fetchOne("sealed", "s1")

		// A row from before sealing: plain text, no key named.
		if _, err := db.W.Exec(ctx, `UPDATE mailboxes SET password = ?, password_key = '' WHERE id = ?`, password, mb.ID); err != nil {
			t.Fatal(err)
		}
		fetchOne("plain text before sealing", "s2")
		if err := svc.RunFetchJob(ctx); err != nil {
			t.Fatal(err)
		}
		if key := assertSealed("after the fetch job"); key != first {
			t.Errorf("sealed with key %s, the current one is %s", key, first)
		}
		fetchOne("sealed by the job", "s3")

		// Rotation: the old key still opens the row until it is sealed again.
		if _, err := secret.New(db).Rotate(ctx, secret.MailboxKey); err != nil {
			t.Fatal(err)
		}
		fetchOne("after rotation", "s4")
		if n, err := Reseal(ctx, db); err != nil || n != 1 {
			t.Errorf("reseal after rotation: %d, %v", n, err)
		}
		if key := assertSealed("after reseal"); key == first {
			t.Error("still sealed with the rotated-out key")
		}
		fetchOne("resealed", "s5")

		// A damaged value under a key still kept is left for its mailbox to
		// report: it stops neither the reseal nor (at start) the server.
		if _, err := db.W.Exec(ctx, `UPDATE mailboxes SET password = 'damaged', password_key = ? WHERE id = ?`, first, mb.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := Reseal(ctx, db); err != nil || n != 0 {
			t.Errorf("reseal with a damaged row: %d, %v", n, err)
		}

		// A key no longer kept: the error says what to do.
		if _, err := db.W.Exec(ctx, `UPDATE mailboxes SET password_key = '00000000deadbeef' WHERE id = ?`, mb.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Fetch(ctx, mb.ID); err == nil {
			t.Error("a password under a lost key was read")
		}
		got, _ := svc.Get(ctx, admin, mb.ID)
		if !strings.Contains(got.LastError, "enter the password again") {
			t.Errorf("mailbox error %q", got.LastError)
		}
		// Entering it again seals it with the current key.
		if _, err := svc.Save(ctx, admin, mb.ID, Input{Name: "Sales", Address: srv.addr, Username: "sales@leadflow.example", Password: password, Folder: "INBOX"}); err != nil {
			t.Fatal(err)
		}
		assertSealed("entered again")
		fetchOne("entered again", "s6")

		// The stored password goes to no other server, user or security
		// unless it is entered again; a new name alone keeps it.
		for _, in := range []Input{
			{Name: "Sales", Address: "imap.elsewhere.example:143", Username: "sales@leadflow.example", Folder: "INBOX"},
			{Name: "Sales", Address: srv.addr, Username: "someone@leadflow.example", Folder: "INBOX"},
			{Name: "Sales", Address: srv.addr, Username: "sales@leadflow.example", Security: Plain, Folder: "INBOX"},
		} {
			_, err := svc.Save(ctx, admin, mb.ID, in)
			if f := fault.As(err); f == nil || f.Fields["password"] == "" {
				t.Errorf("%s %s %s without the password: %v", in.Address, in.Username, in.Security, err)
			}
		}
		if _, err := svc.Save(ctx, admin, mb.ID, Input{Name: "Sales desk", Address: srv.addr, Username: "sales@leadflow.example", Folder: "INBOX"}); err != nil {
			t.Errorf("a new name alone: %v", err)
		}
		fetchOne("renamed", "s7")
	})
}

// Package mailbox turns mail into leads: it reads IMAP mailboxes (a shared
// one such as sales@, or a user's) through the job system; a mail from an
// unknown sender creates a lead (source "email", the message as its first
// event with its subject, body and attachments' names), one from a known
// person is an event on their timeline. A message is taken once, by its
// Message-ID, and the highest UID taken is written in the same
// transaction, so a fetch cut short resumes where it stopped. Nothing is
// deleted from the mailbox unless the admin asks for it.
package mailbox

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/lead"
	"leadflow/internal/secret"
	"leadflow/internal/sqldb"
)

// FetchJob is the job kind that reads every mailbox.
const FetchJob = "mailbox_fetch"

// EventEmail is the event a mail leaves on its sender's timeline.
const EventEmail = "email_received"

// The ways to secure the connection.
const (
	TLS      = "tls"      // TLS from the start (port 993)
	StartTLS = "starttls" // plain, then STARTTLS (port 143)
	Plain    = "none"     // no encryption: only for a server on this machine
)

// Mailbox is one connected mailbox.
type Mailbox struct {
	ID          int64
	Name        string
	Address     string // host:port
	Security    string
	Username    string
	Folder      string
	DeleteTaken bool // delete each message from the server once taken
	LastUID     int64
	Taken       int64 // messages taken so far
	LastError   string
	CheckedAt   *time.Time
}

// Input is a mailbox as a form or the API sends it; an empty password
// keeps the one stored.
type Input struct {
	Name, Address, Security, Username, Password, Folder string
	DeleteTaken                                         bool
}

// Service keeps mailboxes and reads them.
type Service struct {
	db      *sqldb.DB
	leads   *lead.Service
	secrets *secret.Store // holds the key that seals passwords
	now     func() time.Time
	// TLSConfig, when set, is used to connect (tests trust their own
	// server's certificate with it).
	TLSConfig *tls.Config
	// afterTake, when set, runs after each message is committed: tests
	// stop a fetch there, as a crash would.
	afterTake func(n int) error
}

// NewService returns a Service over db that makes leads through leads.
func NewService(db *sqldb.DB, leads *lead.Service) *Service {
	return &Service{db: db, leads: leads, secrets: secret.New(db), now: time.Now}
}

func mayManage(a access.Actor) error {
	if !a.ManagesSettings() {
		return fault.Errorf(fault.Forbidden, "only an admin connects mailboxes")
	}
	return nil
}

const columns = `id, name, address, security, username, folder, delete_taken, last_uid, taken, last_error, checked_at`

func scan(s interface{ Scan(...any) error }) (Mailbox, error) {
	var m Mailbox
	var del int64
	var checked sql.NullInt64
	err := s.Scan(&m.ID, &m.Name, &m.Address, &m.Security, &m.Username, &m.Folder, &del, &m.LastUID, &m.Taken, &m.LastError, &checked)
	m.DeleteTaken = del != 0
	if checked.Valid {
		t := time.UnixMilli(checked.Int64).UTC()
		m.CheckedAt = &t
	}
	return m, err
}

// List returns the mailboxes, for an admin.
func (s *Service) List(ctx context.Context, a access.Actor) ([]Mailbox, error) {
	if err := mayManage(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.Query(ctx, `SELECT `+columns+` FROM mailboxes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("mailbox: list: %w", err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("mailbox: list: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Get returns mailbox id, for an admin.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Mailbox, error) {
	if err := mayManage(a); err != nil {
		return Mailbox{}, err
	}
	m, err := scan(s.db.R.QueryRow(ctx, `SELECT `+columns+` FROM mailboxes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fault.Errorf(fault.NotFound, "mailbox %d not found", id)
	}
	return m, err
}

func (in *Input) validate(creating bool) error {
	bad := fault.Fields{}
	in.Name, in.Address, in.Username = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Username)
	in.Folder, in.Security = strings.TrimSpace(in.Folder), strings.TrimSpace(in.Security)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		bad.Add("name", "is required, at most 100 characters")
	}
	if host, port, err := net.SplitHostPort(in.Address); err != nil || host == "" {
		bad.Add("address", "must be a host and port such as imap.example.com:993")
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		bad.Add("address", "must end in a port number from 1 to 65535")
	}
	switch in.Security {
	case "":
		in.Security = TLS
	case TLS, StartTLS, Plain:
	default:
		bad.Add("security", "must be tls, starttls or none")
	}
	if in.Username == "" {
		bad.Add("username", "is required")
	}
	if creating && in.Password == "" {
		bad.Add("password", "is required (an app password is enough)")
	}
	if in.Folder == "" {
		in.Folder = "INBOX"
	}
	return bad.Err()
}

// Save creates (id 0) or changes mailbox id.
func (s *Service) Save(ctx context.Context, a access.Actor, id int64, in Input) (Mailbox, error) {
	if err := mayManage(a); err != nil {
		return Mailbox{}, err
	}
	if err := in.validate(id == 0); err != nil {
		return Mailbox{}, err
	}
	del := 0
	if in.DeleteTaken {
		del = 1
	}
	// The password is sealed before it reaches the database; "" keeps
	// the one stored.
	var sealed, key string
	if in.Password != "" {
		var err error
		if sealed, key, err = s.sealCurrent(ctx, in.Password); err != nil {
			return Mailbox{}, err
		}
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if id == 0 {
			err := tx.QueryRow(ctx, `INSERT INTO mailboxes (name, address, security, username, password, password_key, folder, delete_taken, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Address, in.Security, in.Username, sealed, key, in.Folder, del,
				s.now().UnixMilli()).Scan(&id)
			if err != nil {
				return fmt.Errorf("mailbox: create: %w", err)
			}
			return audit.Record(ctx, tx, a, "mailbox.create", "mailbox", id, map[string]any{"address": in.Address, "delete_taken": in.DeleteTaken})
		}
		if in.Password == "" {
			if err := samePlace(ctx, tx, id, in); err != nil {
				return err
			}
		}
		// A new folder or server starts from its first message; the
		// Message-IDs keep what was taken from being taken again.
		res, err := tx.Exec(ctx, `UPDATE mailboxes SET name = ?, address = ?, security = ?, username = ?,
			password = CASE WHEN ? = '' THEN password ELSE ? END, password_key = CASE WHEN ? = '' THEN password_key ELSE ? END,
			delete_taken = ?, last_uid = CASE WHEN folder = ? AND address = ? THEN last_uid ELSE 0 END, folder = ? WHERE id = ?`,
			in.Name, in.Address, in.Security, in.Username, sealed, sealed, sealed, key, del, in.Folder, in.Address, in.Folder, id)
		if err != nil {
			return fmt.Errorf("mailbox: update %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "mailbox %d not found", id)
		}
		return audit.Record(ctx, tx, a, "mailbox.update", "mailbox", id, map[string]any{"address": in.Address, "delete_taken": in.DeleteTaken})
	})
	if err != nil {
		return Mailbox{}, err
	}
	return s.Get(ctx, a, id)
}

// samePlace refuses to keep the stored password for another server, user
// or security: whoever may edit a mailbox could otherwise have leadflow
// send a password they were never shown to a host of their choosing, or
// in clear text.
func samePlace(ctx context.Context, tx *sqldb.Tx, id int64, in Input) error {
	var address, username, security string
	err := tx.QueryRow(ctx, `SELECT address, username, security FROM mailboxes WHERE id = ?`+tx.ForUpdate(), id).Scan(&address, &username, &security)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.Errorf(fault.NotFound, "mailbox %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("mailbox: read %d: %w", id, err)
	}
	if address != in.Address || username != in.Username || security != in.Security {
		bad := fault.Fields{}
		bad.Add("password", "enter the password again to use it with another server, user or security")
		return bad.Err()
	}
	return nil
}

// Delete disconnects mailbox id; what it brought stays.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := mayManage(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM mailboxes WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("mailbox: delete %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "mailbox %d not found", id)
		}
		return audit.Record(ctx, tx, a, "mailbox.delete", "mailbox", id, nil)
	})
}

// RunFetchJob reads every mailbox; one failing does not stop the others,
// and each one's error is kept for the settings page.
func (s *Service) RunFetchJob(ctx context.Context) error {
	// Passwords from before sealing, or sealed with a key rotated out
	// since, are sealed with the current key first.
	if _, err := s.Reseal(ctx); err != nil {
		return err
	}
	ids, err := sqldb.Column[int64](ctx, s.db.R, `SELECT id FROM mailboxes ORDER BY id`)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if _, err := s.Fetch(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

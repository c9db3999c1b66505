package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"leadflow/internal/lead"
	"leadflow/internal/nurture"
	"leadflow/internal/sqldb"
)

// batch is how many messages one FETCH asks for.
const batch = 50

type account struct {
	Mailbox
	password    string
	uidValidity int64
}

// Fetch reads the new messages of mailbox id and takes each one in a
// transaction of its own, returning how many it took. A failure is kept
// on the mailbox (shown on the settings page) and returned.
func (s *Service) Fetch(ctx context.Context, id int64) (int, error) {
	var acc account
	var err error
	var stored, key string
	acc.Mailbox, err = scan(withExtra{s.db.R.QueryRow(ctx, `SELECT `+columns+`, password, password_key, uid_validity FROM mailboxes WHERE id = ?`, id),
		[]any{&stored, &key, &acc.uidValidity}})
	if err != nil {
		return 0, fmt.Errorf("mailbox %d: %w", id, err)
	}
	acc.password, err = s.open(ctx, stored, key)
	var n int
	if err == nil {
		n, err = s.fetch(ctx, acc)
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if _, werr := s.db.W.Exec(ctx, `UPDATE mailboxes SET last_error = ?, checked_at = ? WHERE id = ?`, msg, s.now().UnixMilli(), id); werr != nil {
		return n, errors.Join(err, werr)
	}
	if err != nil {
		return n, fmt.Errorf("mailbox %s: %w", acc.Name, err)
	}
	return n, nil
}

// withExtra scans a mailbox's columns and then extra ones.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

func (s *Service) dial(acc account) (*imapclient.Client, error) {
	o := &imapclient.Options{TLSConfig: s.TLSConfig}
	switch acc.Security {
	case Plain:
		return imapclient.DialInsecure(acc.Address, o)
	case StartTLS:
		return imapclient.DialStartTLS(acc.Address, o)
	}
	return imapclient.DialTLS(acc.Address, o)
}

func (s *Service) fetch(ctx context.Context, acc account) (int, error) {
	c, err := s.dial(acc)
	if err != nil {
		return 0, fmt.Errorf("connect to %s: %w", acc.Address, err)
	}
	defer c.Close()
	if err := c.Login(acc.Username, acc.password).Wait(); err != nil {
		return 0, fmt.Errorf("sign in as %s: %w", acc.Username, err)
	}
	sel, err := c.Select(acc.Folder, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("open folder %s: %w", acc.Folder, err)
	}
	last := acc.LastUID
	if int64(sel.UIDValidity) != acc.uidValidity {
		// The folder was made anew: its UIDs start over. Message-IDs
		// keep what was taken before from being taken again.
		last = 0
		if _, err := s.db.W.Exec(ctx, `UPDATE mailboxes SET uid_validity = ?, last_uid = 0 WHERE id = ?`, int64(sel.UIDValidity), acc.ID); err != nil {
			return 0, err
		}
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("search %s: %w", acc.Folder, err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if int64(u) > last { // "n:*" names the last message even when older
			uids = append(uids, u)
		}
	}
	taken := 0
	for start := 0; start < len(uids); start += batch {
		part := uids[start:min(start+batch, len(uids))]
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(part...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return taken, fmt.Errorf("fetch: %w", err)
		}
		sortByUID(msgs)
		var done []imap.UID
		for _, m := range msgs {
			if err := ctx.Err(); err != nil {
				return taken, err
			}
			created, err := s.take(ctx, acc.ID, int64(m.UID), m.FindBodySection(section))
			if err != nil {
				return taken, err
			}
			if created {
				taken++
			}
			done = append(done, m.UID)
			if s.afterTake != nil {
				if err := s.afterTake(taken); err != nil {
					return taken, err
				}
			}
		}
		if acc.DeleteTaken && len(done) > 0 {
			if err := remove(c, done); err != nil {
				return taken, err
			}
		}
	}
	return taken, nil
}

func sortByUID(msgs []*imapclient.FetchMessageBuffer) {
	for i := 1; i < len(msgs); i++ {
		for j := i; j > 0 && msgs[j].UID < msgs[j-1].UID; j-- {
			msgs[j], msgs[j-1] = msgs[j-1], msgs[j]
		}
	}
}

// remove deletes messages taken from the server, as the admin asked.
func remove(c *imapclient.Client, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("mark taken messages deleted: %w", err)
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	return c.Expunge().Close()
}

// take stores one message: the lead it makes or the event it leaves, its
// Message-ID, and the mailbox's new last UID, in one transaction. It
// reports whether the message was new.
func (s *Service) take(ctx context.Context, mailboxID, uid int64, raw []byte) (bool, error) {
	m, perr := Parse(raw)
	now := s.now().UTC().Truncate(time.Millisecond)
	created := false
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		created = false
		if _, err := tx.Exec(ctx, `UPDATE mailboxes SET last_uid = ? WHERE id = ? AND last_uid < ?`, uid, mailboxID, uid); err != nil {
			return fmt.Errorf("mailbox: progress: %w", err)
		}
		if perr != nil || m.FromAddress == "" {
			return nil // unreadable, or from nobody: passed over, not retried
		}
		res, err := tx.Exec(ctx, `INSERT INTO mailbox_messages (message_id, mailbox_id, uid, created, taken_at) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT (message_id) DO NOTHING`, m.MessageID, mailboxID, uid, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("mailbox: record %s: %w", m.MessageID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // taken before
		}
		first, last, _ := strings.Cut(m.FromName, " ")
		props := map[string]string{"subject": m.Subject, "body": m.Body, "message_id": m.MessageID}
		if len(m.Attachments) > 0 {
			props["attachments"] = strings.Join(m.Attachments, ", ")
		}
		if m.InReplyTo != "" {
			props["in_reply_to"] = m.InReplyTo
		}
		in := lead.Incoming{
			Changes: lead.Changes{"email": m.FromAddress, "first_name": first, "last_name": last, "source": "email"},
			Origin:  lead.Origin{Channel: "email", Reason: fmt.Sprintf("mail %q", m.Subject), EventType: EventEmail, Props: props},
		}
		r, verr, err := s.leads.IntakeIn(ctx, tx, in)
		if err != nil {
			return err
		}
		if verr != nil {
			// The sender's data did not pass (a bad address): kept
			// out, the message recorded as taken.
			return nil
		}
		if m.InReplyTo != "" {
			if _, err := nurture.ExitOnReplyIn(ctx, tx, m.InReplyTo, now); err != nil {
				return err
			}
		}
		created = true
		isNew := int64(0)
		if r.Created {
			isNew = 1
		}
		_, err = tx.Exec(ctx, `UPDATE mailbox_messages SET lead_id = ?, created = ? WHERE message_id = ?`, r.Lead.ID, isNew, m.MessageID)
		if err == nil {
			_, err = tx.Exec(ctx, `UPDATE mailboxes SET taken = taken + 1 WHERE id = ?`, mailboxID)
		}
		return err
	})
	return created, err
}

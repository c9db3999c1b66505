package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"leadflow/internal/i18n"
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

// InviteWithin is how long an invitation's link works.
const InviteWithin = 7 * 24 * time.Hour

// InvitePath is where an invitation link points, followed by its token.
const InvitePath = "/invite/"

// Invitation is an admin's invitation for a person to become a user.
type Invitation struct {
	ID         int64
	Email      string
	Name       string
	Role       access.Role
	InvitedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt time.Time
	RevokedAt  time.Time
	// MailStatus is the invitation email's state (queued, sent, failed,
	// bounced), or "" when none was sent.
	MailStatus string
	MailError  string
}

// State is pending, accepted, revoked or expired, as of now.
func (in Invitation) State(now time.Time) string {
	switch {
	case !in.AcceptedAt.IsZero():
		return "accepted"
	case !in.RevokedAt.IsZero():
		return "revoked"
	case now.After(in.ExpiresAt):
		return "expired"
	}
	return "pending"
}

// InviteInput is what an invitation takes.
type InviteInput struct {
	Email string
	Name  string
	Role  access.Role
}

// Invite makes an invitation and, when email is configured, queues the
// email that carries its link, in one transaction. It returns the link
// too (at the configured public address): the admin can pass it on by
// other means, and must when email is off.
func (s *Service) Invite(ctx context.Context, a access.Actor, in InviteInput) (Invitation, string, error) {
	if err := s.MayManage(a); err != nil {
		return Invitation{}, "", err
	}
	bad := fault.Fields{}
	email, reason := mailaddr.Normalize(in.Email)
	if reason != "" {
		bad.Add("email", reason)
	}
	if !in.Role.Valid() {
		bad.Add("role", "must be admin, marketing or sales")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		bad.Add("name", "must be at most 100 characters")
	}
	if err := bad.Err(); err != nil {
		return Invitation{}, "", err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	inv := Invitation{Email: email, Name: strings.TrimSpace(in.Name), Role: in.Role, InvitedBy: a.Email, CreatedAt: now, ExpiresAt: now.Add(InviteWithin)}
	token, hash := linktoken.New()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE lower(email) = lower(?)`, email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &fault.Error{Code: fault.Conflict, Message: "a user with this email exists already",
				Fields: map[string]string{"email": "already belongs to a user"}}
		}
		var by any
		if a.ID != 0 {
			by = a.ID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO invitations (email, name, role, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, inv.Email, inv.Name, string(inv.Role), hash, by,
			now.UnixMilli(), inv.ExpiresAt.UnixMilli()).Scan(&inv.ID); err != nil {
			return err
		}
		if err := s.mailInvitation(ctx, tx, &inv, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, "user.invite", "invitation", inv.ID, map[string]string{"email": inv.Email, "role": string(inv.Role)})
	})
	if err != nil {
		if fault.As(err) != nil {
			return Invitation{}, "", err
		}
		return Invitation{}, "", fmt.Errorf("user store: invite: %w", err)
	}
	link := InvitePath + token
	if s.Mail != nil {
		s.Mail.Wake()
		link = s.Mail.Config().Link(link)
	}
	return inv, link, nil
}

func (s *Service) mailInvitation(ctx context.Context, tx *sqldb.Tx, inv *Invitation, token string) error {
	if s.Mail == nil || !s.Mail.Config().Configured() {
		return nil
	}
	cfg := s.Mail.Config()
	// The invitation speaks the language of the admin who sends it, the
	// one the invitee most likely shares.
	l := i18n.From(ctx)
	var b strings.Builder
	if inv.Name != "" {
		b.WriteString(l.T("mail.hello_name", "Name", inv.Name) + "\n\n")
	} else {
		b.WriteString(l.T("mail.hello") + "\n\n")
	}
	b.WriteString(l.T("mail.invite.body", "Inviter", inv.InvitedBy, "Role", l.T("role."+string(inv.Role)),
		"Link", cfg.Link(InvitePath+token), "Until", l.DateTime(inv.ExpiresAt, time.UTC)) + "\n")
	id, err := s.Mail.Queue(ctx, tx, mail.Message{Kind: "invitation", To: inv.Email, Subject: l.T("mail.invite.subject"),
		Text: b.String(), Key: fmt.Sprintf("invitation:%d", inv.ID)})
	if err != nil {
		return err
	}
	inv.MailStatus = mail.Queued
	_, err = tx.Exec(ctx, `UPDATE invitations SET mail_id = ? WHERE id = ?`, id, inv.ID)
	return err
}

const invitationColumns = `i.id, i.email, i.name, i.role, COALESCE(u.email, ''), i.created_at, i.expires_at,
	COALESCE(i.accepted_at, 0), COALESCE(i.revoked_at, 0), COALESCE(m.status, ''), COALESCE(m.error, '')`

const invitationsFrom = ` FROM invitations i LEFT JOIN users u ON u.id = i.invited_by LEFT JOIN mail_outbox m ON m.id = i.mail_id`

func scanInvitation(row interface{ Scan(...any) error }) (Invitation, error) {
	var in Invitation
	var role string
	var created, expires, accepted, revoked int64
	err := row.Scan(&in.ID, &in.Email, &in.Name, &role, &in.InvitedBy, &created, &expires, &accepted, &revoked, &in.MailStatus, &in.MailError)
	in.Role = access.Role(role)
	in.CreatedAt, in.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	if accepted != 0 {
		in.AcceptedAt = time.UnixMilli(accepted).UTC()
	}
	if revoked != 0 {
		in.RevokedAt = time.UnixMilli(revoked).UTC()
	}
	return in, err
}

// Invitations lists the invitations of the last month and those still
// pending, newest first, for admins.
func (s *Service) Invitations(ctx context.Context, a access.Actor) ([]Invitation, error) {
	if err := s.MayManage(a); err != nil {
		return nil, err
	}
	since := s.now().Add(-30 * 24 * time.Hour).UnixMilli()
	rows, err := s.db.R.Query(ctx, `SELECT `+invitationColumns+invitationsFrom+`
		WHERE i.created_at >= ? OR (i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at >= ?)
		ORDER BY i.id DESC LIMIT 200`, since, s.now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("user store: invitations: %w", err)
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		in, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("user store: invitations: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// RevokeInvitation makes a pending invitation's link stop working.
func (s *Service) RevokeInvitation(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL`,
			s.now().UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("user store: revoke invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Errorf(fault.NotFound, "no pending invitation %d", id)
		}
		return audit.Record(ctx, tx, a, "user.revoke_invitation", "invitation", id, nil)
	})
}

// InvitationByToken returns the pending invitation a link names, for the
// page where it is accepted. It is public: the token is the credential.
func (s *Service) InvitationByToken(ctx context.Context, token string) (Invitation, error) {
	return s.pendingInvitation(ctx, s.db.R, token, "")
}

func (s *Service) pendingInvitation(ctx context.Context, q sqldb.Querier, token, lock string) (Invitation, error) {
	in, err := scanInvitation(q.QueryRow(ctx, `SELECT `+invitationColumns+invitationsFrom+` WHERE i.token_hash = ?`+lock, linktoken.Hash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return in, fault.Errorf(fault.NotFound, "this invitation link is not valid; ask your admin for a new one")
	}
	if err != nil {
		return in, fmt.Errorf("user store: invitation: %w", err)
	}
	switch in.State(s.now()) {
	case "accepted":
		return in, fault.Errorf(fault.Conflict, "this invitation was used already: sign in with %s", in.Email)
	case "revoked":
		return in, fault.Errorf(fault.NotFound, "this invitation was withdrawn; ask your admin for a new one")
	case "expired":
		return in, fault.Errorf(fault.NotFound, "this invitation expired on %s; ask your admin for a new one",
			in.ExpiresAt.Format("2 January 2006"))
	}
	return in, nil
}

// AcceptInvitation makes the invited user with the name and password they
// chose, once: the invitation is locked, so two posts of one link make
// one user.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (User, error) {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return User{}, &fault.Error{Code: fault.Invalid, Message: "password too short",
			Fields: map[string]string{"password": fmt.Sprintf("must be at least %d characters", MinPasswordLen)}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		in, err := s.pendingInvitation(ctx, tx, token, tx.ForUpdate("i"))
		if err != nil {
			return err
		}
		if name = strings.TrimSpace(name); name == "" {
			name = in.Name
		}
		if utf8.RuneCountInString(name) > 100 {
			return &fault.Error{Code: fault.Invalid, Message: "name too long", Fields: map[string]string{"name": "must be at most 100 characters"}}
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		u = User{Email: in.Email, Name: name, Role: in.Role, CreatedAt: now}
		if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), hash, now.UnixMilli()).Scan(&u.ID); err != nil {
			if sqldb.IsUniqueViolation(err) {
				return fault.Errorf(fault.Conflict, "a user with %s exists already: sign in instead", in.Email)
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET accepted_at = ?, user_id = ? WHERE id = ?`, now.UnixMilli(), u.ID, in.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, u.Actor(), "user.accept_invitation", "user", u.ID, map[string]any{"invitation": in.ID, "role": string(u.Role)})
	})
	if err != nil && fault.As(err) == nil {
		err = fmt.Errorf("user store: accept invitation: %w", err)
	}
	return u, err
}

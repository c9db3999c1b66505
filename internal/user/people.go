package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"leadflow/internal/access"
	"leadflow/internal/audit"
	"leadflow/internal/fault"
	"leadflow/internal/sqldb"
)

// Change is what an admin changes of another user: nil leaves it as is.
type Change struct {
	Role     *access.Role
	Disabled *bool
}

// userChange is the audit detail of Update: the role and state before
// and after.
type userChange struct {
	Role        string `json:"role"`
	RoleWas     string `json:"role_was"`
	Disabled    bool   `json:"disabled"`
	DisabledWas bool   `json:"disabled_was"`
}

// ByID returns the user with id.
func (s *Service) ByID(ctx context.Context, id int64) (User, error) {
	return byID(ctx, s.db.R, id, "")
}

func byID(ctx context.Context, q sqldb.Querier, id int64, lock string) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.Errorf(fault.NotFound, "no user %d", id)
	}
	if err != nil {
		return u, fmt.Errorf("user store: find %d: %w", id, err)
	}
	return u, nil
}

// lockAdmins locks every enabled admin and returns their ids, so that two
// admins demoting, disabling or deleting each other at once cannot leave
// nobody to administer leadflow: the second waits and sees the first's
// change.
func lockAdmins(ctx context.Context, tx *sqldb.Tx) (map[int64]bool, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = ? AND disabled_at IS NULL ORDER BY id`+tx.ForUpdate(), string(access.Admin))
	if err != nil {
		return nil, fmt.Errorf("user store: lock admins: %w", err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("user store: lock admins: %w", err)
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// leavesNoAdmin reports whether taking u out of the enabled admins would
// leave none.
func leavesNoAdmin(admins map[int64]bool, u User) bool {
	return admins[u.ID] && len(admins) == 1
}

// Update changes a user's role or disables or enables them, for admins.
// Disabling ends the user's sessions at once and refuses their tokens
// while disabled; their leads stay theirs. An admin cannot disable
// themselves, and the last enabled admin cannot be demoted or disabled.
func (s *Service) Update(ctx context.Context, a access.Actor, id int64, c Change) (User, error) {
	if err := s.MayManage(a); err != nil {
		return User{}, err
	}
	if c.Role != nil && !c.Role.Valid() {
		return User{}, &fault.Error{Code: fault.Invalid, Message: "unknown role",
			Fields: map[string]string{"role": "must be admin, marketing or sales"}}
	}
	if c.Disabled != nil && *c.Disabled && id == a.ID {
		return User{}, &fault.Error{Code: fault.Conflict, Message: "you cannot disable yourself",
			Fields: map[string]string{"disabled": "you cannot disable yourself"}}
	}
	var u User
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		admins, err := lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		if u, err = byID(ctx, tx, id, tx.ForUpdate()); err != nil {
			return err
		}
		was := u
		demoted := c.Role != nil && *c.Role != access.Admin
		disabled := c.Disabled != nil && *c.Disabled
		if (demoted || disabled) && leavesNoAdmin(admins, u) {
			return fault.Errorf(fault.Conflict, "%s is the last admin: make another user admin first", u.Email)
		}
		if c.Role != nil {
			u.Role = *c.Role
		}
		if c.Disabled != nil {
			switch {
			case *c.Disabled && !u.Disabled():
				u.DisabledAt = s.now().UTC().Truncate(time.Millisecond)
			case !*c.Disabled:
				u.DisabledAt = time.Time{}
			}
		}
		var disabledAt sql.NullInt64
		if u.Disabled() {
			disabledAt = sql.NullInt64{Int64: u.DisabledAt.UnixMilli(), Valid: true}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = ?, disabled_at = ? WHERE id = ?`, string(u.Role), disabledAt, u.ID); err != nil {
			return fmt.Errorf("user store: update %d: %w", u.ID, err)
		}
		if u.Disabled() {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return fmt.Errorf("user store: end sessions of %d: %w", u.ID, err)
			}
		}
		return audit.Record(ctx, tx, a, "user.update", "user", u.ID, userChange{Role: string(u.Role), RoleWas: string(was.Role),
			Disabled: u.Disabled(), DisabledWas: was.Disabled()})
	})
	return u, err
}

// Delete removes a user, for admins, with their sessions and tokens. The
// leads, accounts and deals they owned become unassigned, and what they
// did stays recorded without their name (the foreign keys set it null).
// An admin cannot delete themselves, nor anyone the last enabled admin.
func (s *Service) Delete(ctx context.Context, a access.Actor, id int64) error {
	if err := s.MayManage(a); err != nil {
		return err
	}
	if id == a.ID {
		return fault.Errorf(fault.Conflict, "you cannot delete yourself")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		admins, err := lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		u, err := byID(ctx, tx, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if leavesNoAdmin(admins, u) {
			return fault.Errorf(fault.Conflict, "%s is the last admin: make another user admin first", u.Email)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM users WHERE id = ?`, id); err != nil {
			return fmt.Errorf("user store: delete %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, "user.delete", "user", id, map[string]string{"email": u.Email, "role": string(u.Role)})
	})
}

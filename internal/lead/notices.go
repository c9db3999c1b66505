package lead

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"leadflow/internal/notify"
	"leadflow/internal/sqldb"
)

// noticeArgs names l in a notice: a lead known only by its phone or
// company still gets a readable line, and one with none of them is
// named by its number (in the reader's language).
func noticeArgs(l Lead, more ...string) notify.Args {
	a := notify.Args{"LeadID": strconv.FormatInt(l.ID, 10)}
	for _, s := range []string{l.Name(), l.Phone, l.Company} {
		if s != "" {
			a["Lead"] = s
			break
		}
	}
	for i := 0; i+1 < len(more); i += 2 {
		a[more[i]] = more[i+1]
	}
	return a
}

func leadLink(id int64) string { return "/leads/" + strconv.FormatInt(id, 10) }

// noticeOwnerChange tells a lead's new owner it is theirs, unless they
// gave it to themselves.
func noticeOwnerChange(ctx context.Context, q sqldb.Querier, c Change, actorID int64) error {
	l, err := getLead(ctx, q, c.LeadID)
	if err != nil {
		return err
	}
	if l.OwnerID == 0 || l.OwnerID == actorID {
		return nil
	}
	return notify.Add(ctx, q, notify.Note{UserID: l.OwnerID, Kind: notify.Assigned, At: c.At,
		Args: noticeArgs(l), Link: leadLink(l.ID)})
}

// noticeHot tells the owner of l, which an event or an edit just made
// hot, once a day at most: a lead that flickers around the threshold
// does not flood them.
func noticeHot(ctx context.Context, q sqldb.Querier, l Lead, now time.Time) error {
	if l.OwnerID == 0 || l.Grade != Hot {
		return nil
	}
	return notify.Add(ctx, q, notify.Note{UserID: l.OwnerID, Kind: notify.Hot, At: now,
		Args:   noticeArgs(l, "Score", strconv.Itoa(l.Score)),
		Link:   leadLink(l.ID),
		Dedupe: "hot:" + strconv.FormatInt(l.ID, 10) + ":" + now.UTC().Format(time.DateOnly)})
}

// DueSoonJob is the job kind of the sweep that warns owners of first
// contacts falling due.
const DueSoonJob = "lead_due_soon"

// DueSoonWithin is how far ahead the sweep looks: a first contact due
// within it is announced once.
const DueSoonWithin = time.Hour

// NoticeDueSoon warns the owner of each lead whose first contact falls
// due within the next DueSoonWithin and has not happened, once per lead
// and due time. It is a periodic job (DueSoonJob); a second run, or one
// on another instance, adds nothing.
func (s *Service) NoticeDueSoon(ctx context.Context) (int, error) {
	now := s.now().UTC()
	owners, err := ownerIDs(ctx, s.db.R)
	if err != nil {
		return 0, err
	}
	var due []Lead
	for _, id := range owners {
		// One owner at a time, so leads_contact_due (owner, due) answers
		// each query from a short range.
		mine, err := dueSoonOf(ctx, s.db.R, id, now)
		if err != nil {
			return 0, err
		}
		due = append(due, mine...)
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, l := range due {
			n := notify.Note{UserID: l.OwnerID, Kind: notify.DueSoon, At: now, Link: leadLink(l.ID),
				Args:   noticeArgs(l, "Count", strconv.Itoa(int(l.ContactDueAt.Sub(now).Minutes())+1)),
				Dedupe: "due:" + strconv.FormatInt(l.ID, 10) + ":" + strconv.FormatInt(l.ContactDueAt.UnixMilli(), 10)}
			if err := notify.Add(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	return len(due), err
}

func ownerIDs(ctx context.Context, q sqldb.Querier) ([]int64, error) {
	out, err := sqldb.Column[int64](ctx, q, `SELECT id FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("lead store: owners: %w", err)
	}
	return out, nil
}

func dueSoonOf(ctx context.Context, q sqldb.Querier, owner int64, now time.Time) ([]Lead, error) {
	out, err := queryLeads(ctx, q, `SELECT `+columns+fromLeads+`
		WHERE l.owner_id = ? AND l.contact_due_at > ? AND l.contact_due_at <= ? AND l.contacted_at IS NULL
		ORDER BY l.contact_due_at LIMIT 200`, owner, now.UnixMilli(), now.Add(DueSoonWithin).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("lead store: due soon: %w", err)
	}
	return out, nil
}

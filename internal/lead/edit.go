package lead

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"leadflow/internal/fault"
)

// Edit is a change a user made from what they saw of a lead: the version
// they saw and, from an edit form, the values the form showed. It lets an
// edit made from stale data be told apart from one made from the lead as
// it is.
type Edit struct {
	Changes Changes
	// Version is the lead's version the change was made from; 0 skips
	// the check.
	Version int64
	// Shown are the values the form was filled with. Only the fields
	// whose submitted value differs from them are changed, and a lead
	// changed meanwhile is refused only when a field the user changed
	// was changed by someone else too, to another value. Without them,
	// every field in Changes is changed, and a lead changed meanwhile is
	// refused whatever changed.
	Shown Changes
}

// ErrStale marks the Conflict of an edit made from data that changed
// meanwhile, as against other conflicts (an email another lead has):
// the form that made it is shown again, made from the lead as it is now.
var ErrStale = errors.New("edited from stale data")

// against returns the changes e makes to cur, the lead as it is now, or
// a Conflict naming each field changed meanwhile that e would overwrite,
// with its value now.
func (e Edit) against(cur Lead, now time.Time) (Changes, error) {
	if e.Shown == nil {
		if e.Version != 0 && e.Version != cur.Version {
			return nil, fmt.Errorf("%w: %w", ErrStale, &fault.Error{Code: fault.Conflict,
				Message: fmt.Sprintf("lead %d changed since version %d; read it again and redo the change", cur.ID, e.Version),
				Fields:  map[string]string{"version": fmt.Sprintf("is %d now, not %d", cur.Version, e.Version)}})
		}
		return e.Changes, nil
	}
	c := e.changed()
	if e.Version == cur.Version {
		return c, nil
	}
	was := cur.Values()
	clash := fault.Fields{}
	for f, v := range c {
		if f == FStageReason || was[f] == e.Shown[f] || sameValue(cur, f, v, now) {
			continue // not changed meanwhile, or changed to what this edit sets too
		}
		clash.Add(f, fmt.Sprintf("was changed meanwhile to %s", quoted(was[f])))
	}
	if len(clash) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrStale, &fault.Error{Code: fault.Conflict, Fields: clash,
			Message: "someone changed this lead while you edited it: " + listed(clash)})
	}
	return c, nil
}

// changed keeps the fields of e.Changes whose value differs from what the
// form showed; a stage reason goes with a stage change.
func (e Edit) changed() Changes {
	c := Changes{}
	for f, v := range e.Changes {
		if shown, ok := e.Shown[f]; f == FStageReason || !ok || v != shown {
			c[f] = v
		}
	}
	if _, moved := c[FStage]; !moved {
		delete(c, FStageReason)
	}
	return c
}

// Rebased is e made again from cur, the lead as it is now: the fields
// the user changed keep what they typed, the others show cur's values.
// Submitting it again overwrites the fields that clashed, knowingly.
func (e Edit) Rebased(cur Lead) Edit {
	out := Edit{Changes: cur.Values(), Version: cur.Version, Shown: cur.Values()}
	for f, v := range e.changed() {
		out.Changes[f] = v
	}
	return out
}

// sameValue reports whether setting field f of l to v leaves it as it is.
func sameValue(l Lead, f, v string, now time.Time) bool {
	if f == FOwner {
		return strings.EqualFold(strings.TrimSpace(v), l.OwnerEmail)
	}
	after, bad := Apply(l, Changes{f: v}, now)
	return bad[f] == "" && after.Values()[f] == l.Values()[f]
}

func quoted(v string) string {
	if v == "" {
		return "nothing (empty)"
	}
	return `"` + v + `"`
}

// listed names fields and their reasons in a stable order, for a message.
func listed(f fault.Fields) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strings.ReplaceAll(k, "_", " ") + " " + f[k]
	}
	return strings.Join(parts, "; ")
}

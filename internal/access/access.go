// Package access holds who may do what: the roles and the rules that do
// not depend on a particular record.
package access

import "context"

// Role is a user's role.
type Role string

// The roles. Admin may do everything; marketing works on all leads but
// does not administer users; sales works on the leads it owns and on
// unassigned ones.
const (
	Admin     Role = "admin"
	Marketing Role = "marketing"
	Sales     Role = "sales"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Marketing, Sales}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Admin || r == Marketing || r == Sales }

// Actor is the authenticated user on whose behalf something is done.
type Actor struct {
	ID    int64
	Email string
	Role  Role
}

// System is the program itself acting: the CLI, demo data, background
// jobs and tests' setup. It holds the admin role, so it passes every
// check, and no user id, so what it changes is recorded as made by
// leadflow. Never use it for a request: a request acts as its user.
var System = Actor{Role: Admin}

// ManagesUsers reports whether a can create users' accounts. Only admins
// hand out access.
func (a Actor) ManagesUsers() bool { return a.Role == Admin }

// ManagesSettings reports whether a can change how leadflow works for
// everyone: assignment rules and SLAs, the pipeline's stages, the
// disqualify reasons. Admins own these, since every user lives with them.
func (a Actor) ManagesSettings() bool { return a.Role == Admin }

// ManagesMarketing reports whether a can run the marketing tools: forms,
// landing pages and their submissions, CSV imports, scoring rules, the
// tracking settings and channel spend. Admin and marketing
// own how leads come in and are scored; sales works the leads it gets.
func (a Actor) ManagesMarketing() bool { return a.Role == Admin || a.Role == Marketing }

// SeesAllLeads reports whether a works on every lead, not only its own.
func (a Actor) SeesAllLeads() bool { return a.Role == Admin || a.Role == Marketing }

// CanSeeLead reports whether a may see and edit a lead owned by ownerID
// (0 when unassigned).
func (a Actor) CanSeeLead(ownerID int64) bool {
	return a.SeesAllLeads() || ownerID == 0 || ownerID == a.ID
}

// CanAssignTo reports whether a may make ownerID (0 for nobody) the owner.
// Sales may take a lead or release it, not hand it to someone else.
func (a Actor) CanAssignTo(ownerID int64) bool {
	return a.SeesAllLeads() || ownerID == 0 || ownerID == a.ID
}

// CanDeleteLeads reports whether a may delete leads.
func (a Actor) CanDeleteLeads() bool { return a.SeesAllLeads() }

type ctxKey struct{}

// WithActor returns ctx carrying a, set by the authentication middleware.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// ActorFrom returns the actor ctx carries, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(Actor)
	return a, ok
}

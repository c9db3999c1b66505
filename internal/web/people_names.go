package web

import (
	"context"
	"strings"
	"sync"
	"time"
)

// nameTTL is how long the names of the team are kept before they are
// read again: a rename shows within it, on every instance.
const nameTTL = 10 * time.Second

// teamNames maps each user's email to their name, for pages that show
// who owns what: people read "Sam Okafor", not sam.sales@leadflow.test.
type teamNames struct {
	mu     sync.Mutex
	byMail map[string]string
	read   time.Time
}

// person is the name of the user with email, or the email itself when
// they have no name (or are not a user).
func (h *Web) person(email string) string {
	if email == "" || h.Users == nil {
		return email
	}
	n := &h.names
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byMail == nil || time.Since(n.read) > nameTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if users, err := h.Users.List(ctx); err == nil {
			n.byMail, n.read = map[string]string{}, time.Now()
			for _, u := range users {
				if u.Name != "" {
					n.byMail[strings.ToLower(u.Email)] = u.Name
				}
			}
		}
	}
	if name := n.byMail[strings.ToLower(email)]; name != "" {
		return name
	}
	return email
}

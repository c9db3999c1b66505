// Package allow answers a request whose path a router serves, but not
// with its method: 405 and the Allow header, where a catch-all route
// would otherwise answer 404.
package allow

import (
	"net/http"
	"strings"
)

// Router is what Methods asks: http.ServeMux's Handler.
type Router interface {
	Handler(r *http.Request) (http.Handler, string)
}

// methods are the methods Methods tries, in the order Allow lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// Methods returns the methods for which router has a route of r's path
// other than catchAll (the pattern that answers every unknown path),
// or nil when the path is unknown with every method.
func Methods(router Router, r *http.Request, catchAll string) []string {
	var out []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := router.Handler(probe); pattern != "" && pattern != catchAll {
			out = append(out, m)
		}
	}
	return out
}

// Header is the value of the Allow header for methods.
func Header(methods []string) string { return strings.Join(methods, ", ") }

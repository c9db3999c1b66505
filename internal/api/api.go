// Package api serves leadflow's JSON API under /api/v1: decode the
// request, call the domain, encode the answer. Errors leave as
// {"error": {"code", "message", "fields"}}.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"leadflow/internal/access"
	"leadflow/internal/accountscore"
	"leadflow/internal/activity"
	"leadflow/internal/audit"
	"leadflow/internal/brief"
	"leadflow/internal/bulk"
	"leadflow/internal/calendar"
	"leadflow/internal/catalog"
	"leadflow/internal/crm"
	"leadflow/internal/fault"
	"leadflow/internal/forms"
	"leadflow/internal/handoff"
	"leadflow/internal/httplog"
	"leadflow/internal/invoice"
	"leadflow/internal/job"
	"leadflow/internal/lead"
	"leadflow/internal/mail"
	"leadflow/internal/mailbox"
	"leadflow/internal/notify"
	"leadflow/internal/nurture"
	"leadflow/internal/predict"
	"leadflow/internal/privacy"
	"leadflow/internal/product"
	"leadflow/internal/project"
	"leadflow/internal/report"
	"leadflow/internal/salesteam"
	"leadflow/internal/savedview"
	"leadflow/internal/search"
	"leadflow/internal/segment"
	"leadflow/internal/textcheck"
	"leadflow/internal/user"
	"leadflow/internal/webhook"
)

// API holds what the handlers call.
type API struct {
	Leads *lead.Service
	CRM   *crm.Service
	// AccountScores scores accounts, sets their tiers and lists their
	// people's activity.
	AccountScores *accountscore.Service
	// Mailboxes are the IMAP mailboxes whose mail becomes leads.
	Mailboxes *mailbox.Service
	Users     *user.Service
	// Reports computes the KPI dashboard's figures.
	Reports *report.Service
	Forms   *forms.Service
	Jobs    *job.Admin
	Privacy *privacy.Service
	Audit   *audit.Service
	// Activities and Calendar serve activities and calendar settings.
	Activities *activity.Service
	Calendar   *calendar.Store
	// Products serves the catalog and the products on opportunities.
	Products *product.Service
	Invoices *invoice.Service
	Search   *search.Service
	Views    *savedview.Service
	Notify   *notify.Service
	Bulk     *bulk.Service
	// Segments keeps saved filters over leads and their members.
	Segments *segment.Service
	Nurture  *nurture.Service
	Outbox   *mail.Outbox
	// Catalog is the solution catalog and the matching weights.
	Catalog *catalog.Service
	// Briefs are leads' software requests and their matches.
	Briefs *brief.Service
	// Projects are custom projects for leads nothing fits.
	Projects *project.Service
	// Handoffs send briefs to vendors and record their answers.
	Handoffs *handoff.Service
	// Webhooks are the admins' subscriptions and their delivery logs.
	Webhooks *webhook.Service
	// Predict trains the model of conversion and explains its probabilities.
	Predict *predict.Service
	// Teams are the sales teams and their hand-overs.
	Teams *salesteam.Service
	Log   *slog.Logger
}

// maxBody bounds a request body; a lead is far smaller.
const maxBody = 1 << 20

// RequireToken admits requests with a valid, unexpired bearer token
// whose scope allows the method, and puts the token's user in the
// context, acting within the token's scope.
func (a *API) RequireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="leadflow"`)
			a.fail(w, r, fault.Errorf(fault.Unauthorized, "send an API token as Authorization: Bearer <token>"))
			return
		}
		u, tok, err := a.Users.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="leadflow", error="invalid_token"`)
			a.fail(w, r, err)
			return
		}
		httplog.SetUser(r.Context(), u.ID)
		if !tok.Allows(r.Method) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="leadflow", error="insufficient_scope", scope="read-write"`)
			a.fail(w, r, fault.Errorf(fault.Forbidden, "the token %q is read-only", tok.Name))
			return
		}
		next.ServeHTTP(w, r.WithContext(access.WithActor(r.Context(), tok.Actor(u))))
	})
}

func actor(r *http.Request) access.Actor {
	a, _ := access.ActorFrom(r.Context())
	return a
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeSaved answers a save that created (201, with the new resource's
// address in Location) or changed (200) what it answers with.
func writeSaved(w http.ResponseWriter, created bool, location string, v any) {
	status := http.StatusOK
	if created {
		w.Header().Set("Location", location)
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
}

// errorBody is the shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    fault.Code        `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Hints are advice on accepted values that look mistyped (an email
	// domain one letter from gmail.com); they never refuse anything.
	Hints map[string]string `json:"hints,omitempty"`
}

var statusOf = map[fault.Code]int{
	fault.Invalid:      http.StatusUnprocessableEntity,
	fault.NotFound:     http.StatusNotFound,
	fault.Conflict:     http.StatusConflict,
	fault.Unauthorized: http.StatusUnauthorized,
	fault.Forbidden:    http.StatusForbidden,
}

// fail writes err as an error response. Errors without a code are logged
// and reported without their details.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := fault.As(err)
	if e == nil {
		a.Log.ErrorContext(r.Context(), "api", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &fault.Error{Code: fault.Internal, Message: "internal error; request id " + httplog.RequestID(r)}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
}

// badRequest reports a body that could not be read as JSON at all.
func badRequest(msg string) error {
	return &fault.Error{Code: fault.Invalid, Message: msg, Fields: map[string]string{"body": msg}}
}

// decodeObject reads a JSON object body into its raw members. The body
// must be one JSON object with no member twice and only text that can be
// kept (see textcheck.JSON); anything else is refused with 422.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, badRequest("body is larger than " + strconv.Itoa(maxBody) + " bytes")
		}
		return nil, badRequest("body could not be read: " + err.Error())
	}
	if err := textcheck.JSON(raw); err != nil {
		if fault.As(err) != nil {
			return nil, err
		}
		return nil, badRequest("body must be a JSON object: " + err.Error())
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, badRequest("body must be a JSON object: " + err.Error())
	}
	if obj == nil {
		return nil, badRequest("body must be a JSON object")
	}
	return obj, nil
}

// textQuery refuses, with 422 naming the parameter, a query string that
// is not text (list filters, paging): PostgreSQL would answer 500.
func (a *API) textQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := textcheck.Form(r.URL.Query()); err != nil {
			a.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Errorf(fault.NotFound, "no such resource %q", r.PathValue("id"))
	}
	return id, nil
}

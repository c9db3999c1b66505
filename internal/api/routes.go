package api

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openAPI []byte

// Handler returns the whole /api/v1 surface. Every route but the OpenAPI
// document needs a bearer token.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)

	authed := http.NewServeMux()
	authed.HandleFunc("GET /api/v1/leads", a.listLeads)
	authed.HandleFunc("POST /api/v1/leads", a.createLead)
	authed.HandleFunc("GET /api/v1/leads/{id}", a.getLead)
	authed.HandleFunc("PATCH /api/v1/leads/{id}", a.updateLead)
	authed.HandleFunc("DELETE /api/v1/leads/{id}", a.deleteLead)
	authed.HandleFunc("GET /api/v1/leads/{id}/timeline", a.leadTimeline)
	authed.HandleFunc("POST /api/v1/leads/{id}/merge", a.mergeLead)
	authed.HandleFunc("GET /api/v1/leads/{id}/score", a.leadScore)
	authed.HandleFunc("POST /api/v1/leads/{id}/qualify", a.qualifyLead)
	authed.HandleFunc("GET /api/v1/leads/{id}/qualification", a.leadQualification)
	authed.HandleFunc("POST /api/v1/leads/{id}/contacted", a.markContacted)
	authed.HandleFunc("POST /api/v1/leads/{id}/convert", a.convertLead)
	authed.HandleFunc("GET /api/v1/accounts", a.listAccounts)
	authed.HandleFunc("POST /api/v1/accounts", a.createAccount)
	authed.HandleFunc("GET /api/v1/accounts/{id}", a.getAccount)
	authed.HandleFunc("PATCH /api/v1/accounts/{id}", a.updateAccount)
	authed.HandleFunc("GET /api/v1/contacts", a.listContacts)
	authed.HandleFunc("GET /api/v1/contacts/{id}", a.getContact)
	authed.HandleFunc("GET /api/v1/opportunities", a.listOpportunities)
	authed.HandleFunc("POST /api/v1/opportunities", a.createOpportunity)
	authed.HandleFunc("GET /api/v1/opportunities/{id}", a.getOpportunity)
	authed.HandleFunc("PATCH /api/v1/opportunities/{id}", a.updateOpportunity)
	authed.HandleFunc("GET /api/v1/pipeline", a.getPipeline)
	authed.HandleFunc("PUT /api/v1/pipeline", a.putPipeline)
	authed.HandleFunc("GET /api/v1/assignment", a.getAssignment)
	authed.HandleFunc("PUT /api/v1/assignment/settings", a.putAssignmentSettings)
	authed.HandleFunc("POST /api/v1/assignment/rules", a.saveRule)
	authed.HandleFunc("PUT /api/v1/assignment/rules/{id}", a.saveRule)
	authed.HandleFunc("DELETE /api/v1/assignment/rules/{id}", a.deleteRule)
	authed.HandleFunc("GET /api/v1/disqualify-reasons", a.getDisqualifyReasons)
	authed.HandleFunc("PUT /api/v1/disqualify-reasons", a.putDisqualifyReasons)
	authed.HandleFunc("POST /api/v1/events", a.recordEvents)
	authed.HandleFunc("GET /api/v1/kpis", a.getKPIs)
	authed.HandleFunc("GET /api/v1/channel-spend", a.listSpend)
	authed.HandleFunc("PUT /api/v1/channel-spend", a.putSpend)
	authed.HandleFunc("GET /api/v1/scoring/rules", a.getRules)
	authed.HandleFunc("PUT /api/v1/scoring/rules", a.putRules)
	authed.HandleFunc("GET /api/v1/scoring/versions", a.ruleVersions)
	authed.HandleFunc("GET /api/v1/scoring/rescore", a.rescoreStatus)
	authed.HandleFunc("GET /api/v1/duplicates", a.listDuplicates)
	authed.HandleFunc("GET /api/v1/forms", a.listForms)
	authed.HandleFunc("POST /api/v1/forms", a.createForm)
	authed.HandleFunc("GET /api/v1/forms/{id}", a.getForm)
	authed.HandleFunc("PATCH /api/v1/forms/{id}", a.updateForm)
	authed.HandleFunc("DELETE /api/v1/forms/{id}", a.deleteForm)
	authed.HandleFunc("GET /api/v1/landing-pages", a.listLandings)
	authed.HandleFunc("POST /api/v1/landing-pages", a.saveLanding)
	authed.HandleFunc("GET /api/v1/landing-pages/{id}", a.getLanding)
	authed.HandleFunc("PATCH /api/v1/landing-pages/{id}", a.saveLanding)
	authed.HandleFunc("DELETE /api/v1/landing-pages/{id}", a.deleteLanding)
	authed.HandleFunc("GET /api/v1/submissions", a.listSubmissions)
	authed.HandleFunc("GET /api/v1/submissions/{id}", a.getSubmission)
	authed.HandleFunc("POST /api/v1/submissions/{id}/accept", a.acceptSubmission)
	authed.HandleFunc("POST /api/v1/submissions/{id}/discard", a.discardSubmission)
	authed.HandleFunc("GET /api/v1/users", a.listUsers)
	authed.HandleFunc("POST /api/v1/users", a.createUser)
	authed.HandleFunc("PATCH /api/v1/users/{id}", a.updateUser)
	authed.HandleFunc("DELETE /api/v1/users/{id}", a.deleteUser)
	authed.HandleFunc("GET /api/v1/me", a.me)
	authed.HandleFunc("PUT /api/v1/me/password", a.changePassword)
	authed.HandleFunc("GET /api/v1/me/tokens", a.listTokens)
	authed.HandleFunc("POST /api/v1/me/tokens", a.createToken)
	authed.HandleFunc("DELETE /api/v1/me/tokens/{id}", a.revokeToken)
	authed.HandleFunc("GET /api/v1/me/sessions", a.listSessions)
	authed.HandleFunc("DELETE /api/v1/me/sessions/{id}", a.revokeSession)
	authed.HandleFunc("GET /api/v1/jobs", a.listJobs)
	authed.HandleFunc("POST /api/v1/jobs/{id}/retry", a.retryJob)
	authed.HandleFunc("GET /api/v1/privacy/export", a.exportPerson)
	authed.HandleFunc("POST /api/v1/privacy/erase", a.erasePerson)
	authed.HandleFunc("/api/v1/", a.notFound)
	mux.Handle("/api/v1/", a.RequireToken(a.textQuery(authed)))
	return mux
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path}})
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}

package api

import (
	_ "embed"
	"net/http"

	"leadflow/internal/allow"
	"leadflow/internal/httplog"
)

//go:embed openapi.json
var openAPI []byte

// Handler returns the whole /api/v1 surface. Every route but the OpenAPI
// document needs a bearer token.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)

	authed := http.NewServeMux()
	for _, rt := range a.routes() {
		authed.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			httplog.SetRoute(r.Context(), rt.pattern) // for the request log and the metrics
			rt.handle(w, r)
		})
	}
	authed.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		if ms := allow.Methods(authed, r, "/api/v1/"); ms != nil {
			w.Header().Set("Allow", allow.Header(ms))
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
				Message: r.Method + " is not supported on " + r.URL.Path + "; use " + allow.Header(ms)}})
			return
		}
		a.notFound(w, r)
	})
	mux.Handle("/api/v1/", a.RequireToken(a.textQuery(authed)))
	return mux
}

// route is one endpoint that needs a bearer token.
type route struct {
	pattern string
	handle  http.HandlerFunc
}

// Routes lists the pattern ("METHOD /path") of every endpoint that needs
// a token. The authorization test walks it, so an endpoint added here
// without its entry there fails the test.
func Routes() []string {
	var out []string
	for _, rt := range (*API)(nil).routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// routes is the API's table of endpoints; the handlers are only called
// when a request comes, so Routes can read it from a nil API.
func (a *API) routes() []route {
	return []route{
		{"GET /api/v1/leads", a.listLeads},
		{"POST /api/v1/leads", a.createLead},
		{"GET /api/v1/leads/{id}", a.getLead},
		{"PATCH /api/v1/leads/{id}", a.updateLead},
		{"GET /api/v1/leads/{id}/account-link", a.getAccountLink},
		{"DELETE /api/v1/leads/{id}/account-link", a.deleteAccountLink},
		{"DELETE /api/v1/leads/{id}", a.deleteLead},
		{"GET /api/v1/leads/{id}/timeline", a.leadTimeline},
		{"GET /api/v1/leads/{id}/consent", a.leadConsent},
		{"GET /api/v1/leads/{id}/enrolments", a.leadEnrolments},
		{"POST /api/v1/leads/{id}/enrolments", a.enrolLead},
		{"POST /api/v1/enrolments/{id}/exit", a.exitEnrolment},
		{"GET /api/v1/email-templates", a.listTemplates},
		{"POST /api/v1/email-templates", a.saveTemplate},
		{"GET /api/v1/email-templates/{id}", a.getTemplate},
		{"PATCH /api/v1/email-templates/{id}", a.saveTemplate},
		{"DELETE /api/v1/email-templates/{id}", a.deleteTemplate},
		{"GET /api/v1/sequences", a.listSequences},
		{"POST /api/v1/sequences", a.saveSequence},
		{"GET /api/v1/sequences/{id}", a.getSequence},
		{"PATCH /api/v1/sequences/{id}", a.saveSequence},
		{"DELETE /api/v1/sequences/{id}", a.deleteSequence},
		{"GET /api/v1/sequences/{id}/report", a.sequenceReport},
		{"GET /api/v1/outbox", a.listOutbox},
		{"POST /api/v1/leads/{id}/merge", a.mergeLead},
		{"GET /api/v1/leads/{id}/score", a.leadScore},
		{"POST /api/v1/leads/{id}/qualify", a.qualifyLead},
		{"GET /api/v1/leads/{id}/qualification", a.leadQualification},
		{"POST /api/v1/leads/{id}/contacted", a.markContacted},
		{"POST /api/v1/leads/{id}/convert", a.convertLead},
		{"GET /api/v1/accounts", a.listAccounts},
		{"POST /api/v1/accounts", a.createAccount},
		{"GET /api/v1/accounts/{id}", a.getAccount},
		{"PATCH /api/v1/accounts/{id}", a.updateAccount},
		{"GET /api/v1/accounts/{id}/score", a.getAccountScore},
		{"PUT /api/v1/accounts/{id}/tier", a.putAccountTier},
		{"GET /api/v1/accounts/{id}/timeline", a.getAccountTimeline},
		{"GET /api/v1/account-scoring", a.getAccountScoring},
		{"GET /api/v1/mailboxes", a.listMailboxes},
		{"POST /api/v1/mailboxes", a.saveMailbox},
		{"PUT /api/v1/mailboxes/{id}", a.saveMailbox},
		{"DELETE /api/v1/mailboxes/{id}", a.deleteMailbox},
		{"POST /api/v1/mailboxes/{id}/fetch", a.fetchMailbox},
		{"PUT /api/v1/account-scoring", a.putAccountScoring},
		{"GET /api/v1/contacts", a.listContacts},
		{"GET /api/v1/contacts/{id}", a.getContact},
		{"PUT /api/v1/contacts/{id}/role", a.putContactRole},
		{"GET /api/v1/opportunities", a.listOpportunities},
		{"POST /api/v1/opportunities", a.createOpportunity},
		{"GET /api/v1/opportunities/{id}", a.getOpportunity},
		{"PATCH /api/v1/opportunities/{id}", a.updateOpportunity},
		{"GET /api/v1/pipeline", a.getPipeline},
		{"PUT /api/v1/pipeline", a.putPipeline},
		{"GET /api/v1/assignment", a.getAssignment},
		{"PUT /api/v1/assignment/settings", a.putAssignmentSettings},
		{"POST /api/v1/assignment/rules", a.saveRule},
		{"PUT /api/v1/assignment/rules/{id}", a.saveRule},
		{"DELETE /api/v1/assignment/rules/{id}", a.deleteRule},
		{"GET /api/v1/disqualify-reasons", a.getDisqualifyReasons},
		{"PUT /api/v1/disqualify-reasons", a.putDisqualifyReasons},
		{"POST /api/v1/events", a.recordEvents},
		{"GET /api/v1/kpis", a.getKPIs},
		{"GET /api/v1/reports/accounts", a.getAccountReport},
		{"GET /api/v1/teams", a.listTeams},
		{"POST /api/v1/teams", a.saveTeam},
		{"GET /api/v1/teams/{id}", a.getTeam},
		{"PUT /api/v1/teams/{id}", a.saveTeam},
		{"DELETE /api/v1/teams/{id}", a.deleteTeam},
		{"GET /api/v1/handovers", a.listHandovers},
		{"GET /api/v1/handovers/{id}", a.getHandover},
		{"POST /api/v1/handovers/{id}/accept", a.acceptHandover},
		{"POST /api/v1/handovers/{id}/reject", a.rejectHandover},
		{"GET /api/v1/reports/teams", a.getTeamReport},
		{"POST /api/v1/target-enrolments", a.enrolTargets},
		{"GET /api/v1/channel-spend", a.listSpend},
		{"PUT /api/v1/channel-spend", a.putSpend},
		{"GET /api/v1/scoring/rules", a.getRules},
		{"PUT /api/v1/scoring/rules", a.putRules},
		{"GET /api/v1/scoring/versions", a.ruleVersions},
		{"GET /api/v1/scoring/rescore", a.rescoreStatus},
		{"POST /api/v1/scoring/whatif", a.whatIf},
		{"POST /api/v1/predictions/train", a.trainModel},
		{"GET /api/v1/predictions/models", a.listModels},
		{"POST /api/v1/predictions/models/{id}/restore", a.restoreModel},
		{"GET /api/v1/leads/{id}/prediction", a.leadPrediction},
		{"GET /api/v1/duplicates", a.listDuplicates},
		{"POST /api/v1/duplicates/dismiss", a.dismissDuplicate},
		{"POST /api/v1/duplicates/merge", a.mergeDuplicates},
		{"POST /api/v1/duplicates/accept", a.acceptDuplicates},
		{"GET /api/v1/leads/{id}/merges", a.listMerges},
		{"GET /api/v1/duplicates/values", a.listValueReviews},
		{"POST /api/v1/duplicates/values/{id}", a.resolveValueReview},
		{"POST /api/v1/merges/{id}/undo", a.undoMerge},
		{"GET /api/v1/forms", a.listForms},
		{"POST /api/v1/forms", a.createForm},
		{"GET /api/v1/forms/{id}", a.getForm},
		{"PATCH /api/v1/forms/{id}", a.updateForm},
		{"DELETE /api/v1/forms/{id}", a.deleteForm},
		{"GET /api/v1/landing-pages", a.listLandings},
		{"POST /api/v1/landing-pages", a.saveLanding},
		{"GET /api/v1/landing-pages/{id}", a.getLanding},
		{"PATCH /api/v1/landing-pages/{id}", a.saveLanding},
		{"DELETE /api/v1/landing-pages/{id}", a.deleteLanding},
		{"GET /api/v1/submissions", a.listSubmissions},
		{"GET /api/v1/submissions/{id}", a.getSubmission},
		{"POST /api/v1/submissions/{id}/accept", a.acceptSubmission},
		{"POST /api/v1/submissions/{id}/discard", a.discardSubmission},
		{"GET /api/v1/users", a.listUsers},
		{"POST /api/v1/users", a.createUser},
		{"GET /api/v1/invitations", a.listInvitations},
		{"POST /api/v1/invitations", a.createInvitation},
		{"DELETE /api/v1/invitations/{id}", a.revokeInvitation},
		{"PATCH /api/v1/users/{id}", a.updateUser},
		{"DELETE /api/v1/users/{id}", a.deleteUser},
		{"GET /api/v1/me", a.me},
		{"PUT /api/v1/me/password", a.changePassword},
		{"GET /api/v1/me/tokens", a.listTokens},
		{"POST /api/v1/me/tokens", a.createToken},
		{"DELETE /api/v1/me/tokens/{id}", a.revokeToken},
		{"GET /api/v1/me/sessions", a.listSessions},
		{"DELETE /api/v1/me/sessions/{id}", a.revokeSession},
		{"GET /api/v1/jobs", a.listJobs},
		{"POST /api/v1/jobs/{id}/retry", a.retryJob},
		{"GET /api/v1/privacy/export", a.exportPerson},
		{"POST /api/v1/privacy/erase", a.erasePerson},
		{"GET /api/v1/audit", a.listAudit},
		{"GET /api/v1/activities", a.listActivities},
		{"POST /api/v1/activities", a.createActivity},
		{"GET /api/v1/activities/{id}", a.getActivity},
		{"PATCH /api/v1/activities/{id}", a.updateActivity},
		{"DELETE /api/v1/activities/{id}", a.deleteActivity},
		{"GET /api/v1/me/calendar", a.getCalendar},
		{"PUT /api/v1/me/calendar", a.putCalendar},
		{"POST /api/v1/me/calendar/feed", a.createFeed},
		{"DELETE /api/v1/me/calendar/feed", a.revokeFeed},
		{"GET /api/v1/products", a.listProducts},
		{"POST /api/v1/products", a.createProduct},
		{"GET /api/v1/products/{id}", a.getProduct},
		{"PATCH /api/v1/products/{id}", a.updateProduct},
		{"GET /api/v1/opportunities/{id}/products", a.opportunityProducts},
		{"POST /api/v1/opportunities/{id}/products", a.addOpportunityProduct},
		{"DELETE /api/v1/opportunity-products/{id}", a.removeOpportunityProduct},
		{"GET /api/v1/search", a.search},
		{"POST /api/v1/leads/bulk", a.bulkLeads},
		{"GET /api/v1/notifications", a.listNotifications},
		{"POST /api/v1/notifications/{id}/read", a.readNotification},
		{"POST /api/v1/notifications/read-all", a.readAllNotifications},
		{"GET /api/v1/views", a.listViews},
		{"POST /api/v1/views", a.saveView},
		{"DELETE /api/v1/views/{id}", a.deleteView},
		{"GET /api/v1/invoices", a.listInvoices},
		{"POST /api/v1/invoices", a.createInvoice},
		{"GET /api/v1/invoices/{id}", a.onInvoice(http.StatusOK, a.getInvoice)},
		{"PATCH /api/v1/invoices/{id}", a.updateInvoice},
		{"DELETE /api/v1/invoices/{id}", a.deleteInvoice},
		{"POST /api/v1/invoices/{id}/lines", withBody(a, http.StatusCreated, a.addInvoiceLine)},
		{"POST /api/v1/invoices/{id}/allowances", withBody(a, http.StatusCreated, a.addInvoiceAllowance)},
		{"DELETE /api/v1/invoice-lines/{id}", a.removeInvoiceLine},
		{"POST /api/v1/invoices/{id}/issue", a.onInvoice(http.StatusOK, a.issueInvoice)},
		{"POST /api/v1/invoices/{id}/payments", withBody(a, http.StatusCreated, a.recordInvoicePayment)},
		{"POST /api/v1/invoices/{id}/credit-note", a.onInvoice(http.StatusCreated, a.creditInvoice)},
		{"POST /api/v1/invoices/{id}/void", a.onInvoice(http.StatusCreated, a.voidInvoice)},
		{"GET /api/v1/invoices/{id}/pdf", a.invoicePDF},
		{"GET /api/v1/invoices/{id}/ubl", a.invoiceUBL},
		{"GET /api/v1/settings/invoicing", a.getInvoiceSettings},
		{"PUT /api/v1/settings/invoicing", a.putInvoiceSettings},
		{"GET /api/v1/accounts/{id}/billing", a.getBilling},
		{"PUT /api/v1/accounts/{id}/billing", a.putBilling},
		{"GET /api/v1/segments", a.listSegments},
		{"POST /api/v1/segments", a.createSegment},
		{"POST /api/v1/segments/preview", a.previewSegment},
		{"GET /api/v1/segments/{id}", a.getSegment},
		{"PATCH /api/v1/segments/{id}", a.updateSegment},
		{"DELETE /api/v1/segments/{id}", a.deleteSegment},
		{"GET /api/v1/segments/{id}/members", a.segmentMembers},
		{"GET /api/v1/solutions", a.listSolutions},
		{"POST /api/v1/solutions", a.createSolution},
		{"POST /api/v1/solutions/import", a.importSolutions},
		{"GET /api/v1/solutions/{id}", a.getSolution},
		{"PATCH /api/v1/solutions/{id}", a.updateSolution},
		{"DELETE /api/v1/solutions/{id}", a.deleteSolution},
		{"GET /api/v1/features", a.listFeatures},
		{"PUT /api/v1/features/{key}", a.putFeature},
		{"DELETE /api/v1/features/{key}", a.deleteFeature},
		{"GET /api/v1/matching/config", a.getMatchingConfig},
		{"PUT /api/v1/matching/config", a.putMatchingConfig},
		{"GET /api/v1/leads/{id}/request", a.getRequest},
		{"PUT /api/v1/leads/{id}/request", a.putRequest},
		{"GET /api/v1/leads/{id}/matches", a.getMatches},
		{"GET /api/v1/leads/{id}/brief.pdf", a.getBriefPDF},
		{"GET /api/v1/leads/{id}/projects", a.listProjects},
		{"POST /api/v1/leads/{id}/projects", a.openProject},
		{"GET /api/v1/projects/{id}", a.getProject},
		{"GET /api/v1/leads/{id}/handoffs", a.listHandoffs},
		{"GET /api/v1/kpis/software", a.getSoftwareKPIs},
		{"POST /api/v1/leads/{id}/handoffs", a.sendBrief},
		{"POST /api/v1/handoffs/{id}/answer", a.answerHandoff},
		{"PATCH /api/v1/projects/{id}", a.updateProject},
		{"GET /api/v1/projects", a.listProjectsAll},
		{"POST /api/v1/projects", a.createProject},
		{"POST /api/v1/projects/{id}/stage", a.moveProject},
		{"GET /api/v1/projects/{id}/stages", a.projectStages},
		{"GET /api/v1/projects/{id}/tasks", a.projectTasks},
		{"POST /api/v1/projects/{id}/tasks", a.addProjectTask},
		{"GET /api/v1/projects/{id}/milestones", a.projectMilestones},
		{"POST /api/v1/projects/{id}/milestones", a.addMilestone},
		{"PATCH /api/v1/project-milestones/{id}", a.updateMilestone},
		{"GET /api/v1/projects/{id}/time-entries", a.projectTime},
		{"POST /api/v1/projects/{id}/time-entries", a.logTime},
		{"POST /api/v1/projects/{id}/status-link", a.openStatusLink},
		{"DELETE /api/v1/projects/{id}/status-link", a.revokeStatusLink},
		{"GET /api/v1/project-stages", a.getProjectStages},
		{"PUT /api/v1/project-stages", a.putProjectStages},
		{"GET /api/v1/settings/projects", a.getProjectSettings},
		{"PUT /api/v1/settings/projects", a.putProjectSettings},
		{"GET /api/v1/kpis/projects", a.getProjectKPIs},
		{"GET /api/v1/webhooks", a.listWebhooks},
		{"POST /api/v1/webhooks", a.createWebhook},
		{"GET /api/v1/webhooks/{id}", a.getWebhook},
		{"PATCH /api/v1/webhooks/{id}", a.updateWebhook},
		{"DELETE /api/v1/webhooks/{id}", a.deleteWebhook},
		{"GET /api/v1/webhooks/{id}/deliveries", a.webhookDeliveries},
		{"POST /api/v1/webhooks/{id}/test", a.testWebhook},
		{"POST /api/v1/webhook-deliveries/{id}/redeliver", a.redeliverWebhook},
	}
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path}})
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}

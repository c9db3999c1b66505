package web

import (
	"net/http"

	"leadflow/internal/allow"
	"leadflow/internal/httplog"
)

// Handler returns every page. All but the login page and the static
// files need a signed-in user; form posts are checked against cross-site
// forgery by origin.
func (h *Web) Handler() http.Handler { return h.handler(&routeTable{}) }

// Route is one pattern the pages are served under ("METHOD /path"), and
// whether it needs a signed-in user.
type Route struct {
	Pattern string
	Private bool
}

// Routes lists every page route, read from the router itself: the
// authorization test walks it, so a page added without its entry there
// fails the test. The handlers are only called when a request comes, so
// the router can be built on a nil Web.
func Routes() []Route {
	var t routeTable
	(*Web)(nil).handler(&t)
	return t.routes
}

// routeTable collects the routes given to its muxes.
type routeTable struct{ routes []Route }

// routeMux is a ServeMux that writes its routes into a table.
type routeMux struct {
	*http.ServeMux
	table   *routeTable
	private bool
}

func (t *routeTable) mux(private bool) routeMux {
	return routeMux{http.NewServeMux(), t, private}
}

func (m routeMux) Handle(pattern string, h http.Handler) {
	m.table.routes = append(m.table.routes, Route{pattern, m.private})
	m.ServeMux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httplog.SetRoute(r.Context(), pattern) // for the request log and the metrics
		h.ServeHTTP(w, r)
	}))
}

func (m routeMux) HandleFunc(pattern string, h http.HandlerFunc) { m.Handle(pattern, h) }

func (h *Web) handler(table *routeTable) http.Handler {
	public := table.mux(false)
	public.Handle("GET /static/", staticHandler())
	public.HandleFunc("GET /login", h.loginPage)
	public.HandleFunc("POST /login", h.login)
	public.HandleFunc("GET /invite/{token}", h.invitePage)
	public.HandleFunc("POST /invite/{token}", h.acceptInvite)
	public.HandleFunc("GET /calendar/feed/{file}", h.calendarFeed)
	public.HandleFunc("GET /status/{token}", h.clientStatus)

	private := table.mux(true)
	private.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/home", http.StatusSeeOther)
	})
	private.HandleFunc("GET /home", h.home)
	private.HandleFunc("POST /logout", h.logout)
	private.HandleFunc("GET /leads", h.listLeads)
	private.HandleFunc("GET /leads/new", h.newLead)
	private.HandleFunc("POST /leads", h.createLead)
	private.HandleFunc("GET /leads/{id}", h.showLead)
	private.HandleFunc("GET /leads/{id}/edit", h.editLead)
	private.HandleFunc("POST /leads/{id}", h.updateLead)
	private.HandleFunc("POST /leads/{id}/stage", h.moveLead)
	private.HandleFunc("POST /leads/{id}/qualify", h.qualifyLead)
	private.HandleFunc("POST /leads/{id}/contacted", h.markContacted)
	private.HandleFunc("POST /leads/{id}/account/unlink", h.unlinkAccount)
	private.HandleFunc("GET /leads/{id}/convert", h.convertPage)
	private.HandleFunc("POST /leads/{id}/convert", h.convertLead)
	private.HandleFunc("GET /leads/{id}/delete", h.confirmDelete)
	private.HandleFunc("POST /leads/{id}/delete", h.deleteLead)
	private.HandleFunc("GET /leads/export.csv", h.exportLeads)
	private.HandleFunc("GET /accounts", h.listAccounts)
	private.HandleFunc("POST /accounts", h.createAccount)
	private.HandleFunc("GET /accounts/{id}", h.showAccount)
	private.HandleFunc("POST /accounts/{id}/tier", h.setAccountTier)
	private.HandleFunc("GET /accounts/scoring", h.showAccountScoring)
	private.HandleFunc("POST /accounts/scoring", h.saveAccountScoring)
	private.HandleFunc("POST /accounts/{id}", h.updateAccount)
	private.HandleFunc("GET /contacts", h.listContacts)
	private.HandleFunc("GET /contacts/{id}", h.showContact)
	private.HandleFunc("POST /contacts/{id}/role", h.setContactRole)
	private.HandleFunc("GET /deals", h.board)
	private.HandleFunc("POST /deals", h.createDeal)
	private.HandleFunc("GET /deals/{id}", h.showDeal)
	private.HandleFunc("POST /deals/{id}", h.updateDeal)
	private.HandleFunc("POST /deals/{id}/move", h.moveDeal)
	private.HandleFunc("GET /reports", h.reports)
	private.HandleFunc("GET /reports/accounts", h.accountReport)
	private.HandleFunc("POST /reports/accounts/enrol", h.enrolTargets)
	private.HandleFunc("POST /accounts/{id}/enrol", h.enrolTargets)
	private.HandleFunc("POST /reports/spend", h.saveSpend)
	private.HandleFunc("GET /settings/pipeline", h.showPipelineSettings)
	private.HandleFunc("POST /settings/pipeline", h.savePipelineSettings)
	private.HandleFunc("GET /settings/mailboxes", h.showMailboxes)
	private.HandleFunc("POST /settings/mailboxes", h.saveMailbox)
	private.HandleFunc("POST /settings/mailboxes/{id}", h.saveMailbox)
	private.HandleFunc("POST /settings/mailboxes/{id}/check", h.checkMailbox)
	private.HandleFunc("POST /settings/mailboxes/{id}/delete", h.deleteMailbox)
	private.HandleFunc("GET /assignment", h.showAssignment)
	private.HandleFunc("POST /assignment/rules", h.saveRule)
	private.HandleFunc("POST /assignment/rules/{id}", h.saveRule)
	private.HandleFunc("GET /assignment/rules/{id}/delete", h.deleteRule)
	private.HandleFunc("POST /assignment/rules/{id}/delete", h.deleteRule)
	private.HandleFunc("POST /assignment/settings", h.saveAssignmentSettings)
	private.HandleFunc("POST /assignment/account-owner", h.saveAccountRouting)
	private.HandleFunc("GET /forms", h.listForms)
	private.HandleFunc("GET /forms/new", h.newForm)
	private.HandleFunc("POST /forms", h.createForm)
	private.HandleFunc("GET /forms/{id}", h.editForm)
	private.HandleFunc("POST /forms/{id}", h.updateForm)
	private.HandleFunc("GET /forms/{id}/delete", h.confirmDeleteForm)
	private.HandleFunc("POST /forms/{id}/delete", h.deleteForm)
	private.HandleFunc("GET /forms/{id}/landing/new", h.newLanding)
	private.HandleFunc("POST /forms/{id}/landing", h.saveLanding)
	private.HandleFunc("GET /forms/{id}/landing/{lid}", h.editLanding)
	private.HandleFunc("POST /forms/{id}/landing/{lid}", h.saveLanding)
	private.HandleFunc("GET /forms/{id}/landing/{lid}/delete", h.deleteLanding)
	private.HandleFunc("POST /forms/{id}/landing/{lid}/delete", h.deleteLanding)
	private.HandleFunc("GET /submissions", h.listSubmissions)
	private.HandleFunc("GET /submissions/{id}", h.showSubmission)
	private.HandleFunc("POST /submissions/{id}/accept", h.acceptSubmission)
	private.HandleFunc("GET /submissions/{id}/discard", h.discardSubmission)
	private.HandleFunc("POST /submissions/{id}/discard", h.discardSubmission)
	private.HandleFunc("GET /imports", h.listImports)
	private.HandleFunc("POST /imports", h.uploadImport)
	private.HandleFunc("GET /imports/{id}", h.showImport)
	private.HandleFunc("POST /imports/{id}/encoding", h.setImportEncoding)
	private.HandleFunc("POST /imports/{id}/start", h.startImport)
	private.HandleFunc("GET /imports/{id}/rejects.csv", h.importRejects)
	private.HandleFunc("GET /jobs", h.listJobs)
	private.HandleFunc("POST /jobs/{id}/retry", h.retryJob)
	private.HandleFunc("GET /privacy", h.showPrivacy)
	private.HandleFunc("GET /privacy/export", h.exportPerson)
	private.HandleFunc("GET /privacy/erase", h.confirmErase)
	private.HandleFunc("POST /privacy/erase", h.erasePerson)
	private.HandleFunc("GET /audit", h.showAudit)
	private.HandleFunc("GET /audit/export.csv", h.exportAudit)
	private.HandleFunc("GET /duplicates", h.listDuplicates)
	private.HandleFunc("GET /duplicates/merge", h.confirmMerge)
	private.HandleFunc("POST /duplicates/merge", h.mergeLeads)
	private.HandleFunc("POST /duplicates/dismiss", h.dismissDuplicate)
	private.HandleFunc("POST /duplicates/undo", h.undoMerge)
	private.HandleFunc("POST /duplicates/values", h.resolveValues)
	private.HandleFunc("GET /duplicates/accept", h.confirmAccept)
	private.HandleFunc("POST /duplicates/accept", h.acceptDuplicates)
	private.HandleFunc("GET /scoring", h.showScoring)
	private.HandleFunc("POST /scoring", h.saveScoring)
	private.HandleFunc("POST /scoring/origins", h.saveOrigins)
	private.HandleFunc("POST /scoring/whatif", h.whatIfScoring)
	private.HandleFunc("GET /prediction", h.showPrediction)
	private.HandleFunc("POST /prediction/train", h.trainModel)
	private.HandleFunc("POST /prediction/models/{id}/restore", h.restoreModel)
	private.HandleFunc("GET /nurture", h.showNurture)
	private.HandleFunc("GET /nurture/templates/new", h.newTemplate)
	private.HandleFunc("POST /nurture/templates", h.saveTemplate)
	private.HandleFunc("GET /nurture/templates/{id}", h.editTemplate)
	private.HandleFunc("POST /nurture/templates/{id}", h.saveTemplate)
	private.HandleFunc("POST /nurture/templates/{id}/test", h.testTemplate)
	private.HandleFunc("GET /nurture/templates/{id}/delete", h.deleteTemplate)
	private.HandleFunc("POST /nurture/templates/{id}/delete", h.deleteTemplate)
	private.HandleFunc("GET /nurture/sequences/new", h.newSequence)
	private.HandleFunc("POST /nurture/sequences", h.saveSequence)
	private.HandleFunc("GET /nurture/sequences/{id}", h.showSequence)
	private.HandleFunc("POST /nurture/sequences/{id}", h.saveSequence)
	private.HandleFunc("GET /nurture/sequences/{id}/delete", h.deleteSequence)
	private.HandleFunc("POST /nurture/sequences/{id}/delete", h.deleteSequence)
	private.HandleFunc("POST /leads/{id}/enrolments", h.enrolLead)
	private.HandleFunc("POST /enrolments/{id}/exit", h.exitEnrolment)
	private.HandleFunc("GET /mail", h.showOutbox)
	private.HandleFunc("POST /mail/{id}/retry", h.retryMail)
	private.HandleFunc("GET /users", h.listUsers)
	private.HandleFunc("POST /users", h.createUser)
	private.HandleFunc("POST /users/invitations", h.inviteUser)
	private.HandleFunc("POST /users/language", h.saveTeamLanguage)
	private.HandleFunc("POST /users/invitations/{id}/revoke", h.revokeInvitation)
	private.HandleFunc("POST /users/{id}/role", h.setUserRole)
	private.HandleFunc("POST /users/{id}/disable", h.disableUser)
	private.HandleFunc("POST /users/{id}/enable", h.enableUser)
	private.HandleFunc("GET /users/{id}/delete", h.deleteUser)
	private.HandleFunc("POST /users/{id}/delete", h.deleteUser)
	private.HandleFunc("POST /users/{id}/tokens/{tid}/revoke", h.revokeUserToken)
	private.HandleFunc("GET /segments", h.listSegments)
	private.HandleFunc("GET /segments/new", h.newSegment)
	private.HandleFunc("POST /segments", h.saveSegment)
	private.HandleFunc("GET /segments/{id}", h.showSegment)
	private.HandleFunc("GET /segments/{id}/edit", h.editSegment)
	private.HandleFunc("POST /segments/{id}", h.saveSegment)
	private.HandleFunc("GET /segments/{id}/delete", h.confirmDeleteSegment)
	private.HandleFunc("POST /segments/{id}/delete", h.confirmDeleteSegment)
	private.HandleFunc("GET /account", h.showAccountPage)
	private.HandleFunc("POST /account/password", h.changePassword)
	private.HandleFunc("POST /account/language", h.setLanguage)
	private.HandleFunc("POST /account/tokens", h.createToken)
	private.HandleFunc("POST /account/tokens/{id}/revoke", h.revokeToken)
	private.HandleFunc("POST /account/sessions/{id}/revoke", h.revokeSession)
	h.activityRoutes(private)
	h.productRoutes(private)
	h.invoiceRoutes(private)
	h.teamRoutes(private)
	private.HandleFunc("GET /search", h.searchAll)
	private.HandleFunc("GET /notifications", h.showNotifications)
	private.HandleFunc("GET /notifications/unread", h.unreadCount)
	private.HandleFunc("GET /live", h.streamLive)
	private.HandleFunc("GET /leads/new-count", h.newLeadsCount)
	private.HandleFunc("POST /notifications/{id}/open", h.openNotification)
	private.HandleFunc("POST /notifications/read-all", h.readAllNotifications)
	private.HandleFunc("POST /views", h.saveView)
	private.HandleFunc("POST /leads/bulk", h.bulkLeads)
	private.HandleFunc("GET /views/{id}/delete", h.confirmDeleteView)
	private.HandleFunc("POST /views/{id}/delete", h.deleteView)
	h.matchingRoutes(private)
	h.webhookRoutes(private)
	h.deliveryRoutes(private)
	private.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if ms := allow.Methods(private.ServeMux, r, "/"); ms != nil {
			w.Header().Set("Allow", allow.Header(ms))
			h.render(w, r, "error", page{Title: "Method not allowed", Status: http.StatusMethodNotAllowed,
				Data: r.Method + " is not supported on " + r.URL.Path + "."})
			return
		}
		h.notFound(w, r)
	})
	public.Handle("/", h.RequireLogin(private))

	return http.NewCrossOriginProtection().Handler(speak(h.textOnly(public)))
}

func (h *Web) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "error", page{Title: "Not found", Status: http.StatusNotFound,
		Data: tr(r, "error.no_page", "Path", r.URL.Path)})
}

package web

import "net/http"

// Handler returns every page. All but the login page and the static
// files need a signed-in user; form posts are checked against cross-site
// forgery by origin.
func (h *Web) Handler() http.Handler {
	public := http.NewServeMux()
	public.Handle("GET /static/", staticHandler())
	public.HandleFunc("GET /login", h.loginPage)
	public.HandleFunc("POST /login", h.login)

	private := http.NewServeMux()
	private.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/leads", http.StatusSeeOther)
	})
	private.HandleFunc("POST /logout", h.logout)
	private.HandleFunc("GET /leads", h.listLeads)
	private.HandleFunc("GET /leads/new", h.newLead)
	private.HandleFunc("POST /leads", h.createLead)
	private.HandleFunc("GET /leads/{id}", h.showLead)
	private.HandleFunc("GET /leads/{id}/edit", h.editLead)
	private.HandleFunc("POST /leads/{id}", h.updateLead)
	private.HandleFunc("POST /leads/{id}/stage", h.moveLead)
	private.HandleFunc("POST /leads/{id}/qualify", h.qualifyLead)
	private.HandleFunc("GET /leads/{id}/delete", h.confirmDelete)
	private.HandleFunc("POST /leads/{id}/delete", h.deleteLead)
	private.HandleFunc("GET /leads/export.csv", h.exportLeads)
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
	private.HandleFunc("POST /imports/{id}/start", h.startImport)
	private.HandleFunc("GET /imports/{id}/rejects.csv", h.importRejects)
	private.HandleFunc("GET /duplicates", h.listDuplicates)
	private.HandleFunc("GET /duplicates/merge", h.confirmMerge)
	private.HandleFunc("POST /duplicates/merge", h.mergeLeads)
	private.HandleFunc("GET /scoring", h.showScoring)
	private.HandleFunc("POST /scoring", h.saveScoring)
	private.HandleFunc("POST /scoring/origins", h.saveOrigins)
	private.HandleFunc("GET /users", h.listUsers)
	private.HandleFunc("POST /users", h.createUser)
	private.HandleFunc("/", h.notFound)
	public.Handle("/", h.RequireLogin(private))

	return http.NewCrossOriginProtection().Handler(public)
}

func (h *Web) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "error", page{Title: "Not found", Status: http.StatusNotFound,
		Data: "There is no page at " + r.URL.Path + "."})
}

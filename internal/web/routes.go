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
	private.HandleFunc("GET /leads/{id}/delete", h.confirmDelete)
	private.HandleFunc("POST /leads/{id}/delete", h.deleteLead)
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

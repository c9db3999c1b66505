package web

// matchingRoutes adds the pages of software requests: the catalog and
// its weights, a lead's request, matches, brief, custom projects and
// hand-offs, and their report.
func (h *Web) matchingRoutes(mux routeMux) {
	mux.HandleFunc("GET /solutions", h.listSolutions)
	mux.HandleFunc("POST /solutions", h.createSolution)
	mux.HandleFunc("POST /solutions/import", h.importSolutions)
	mux.HandleFunc("GET /solutions/{id}", h.showSolution)
	mux.HandleFunc("POST /solutions/{id}", h.updateSolution)
	mux.HandleFunc("POST /solutions/{id}/delete", h.deleteSolution)
	mux.HandleFunc("POST /features", h.saveFeature)
	mux.HandleFunc("POST /features/delete", h.deleteFeature)
	mux.HandleFunc("GET /settings/matching", h.showMatchingSettings)
	mux.HandleFunc("POST /settings/matching", h.saveMatchingSettings)
	mux.HandleFunc("GET /leads/{id}/software", h.showSoftware)
	mux.HandleFunc("POST /leads/{id}/software", h.saveSoftware)
	mux.HandleFunc("POST /leads/{id}/projects", h.openProject)
	mux.HandleFunc("GET /leads/{id}/brief", h.showBrief)
	mux.HandleFunc("GET /reports/software", h.softwareReport)
	mux.HandleFunc("POST /leads/{id}/handoffs", h.sendBrief)
	mux.HandleFunc("POST /handoffs/{id}/answer", h.answerHandoff)
	mux.HandleFunc("GET /leads/{id}/brief.pdf", h.briefPDF)
	mux.HandleFunc("GET /projects/{id}", h.showProject)
	mux.HandleFunc("POST /projects/{id}", h.updateProject)
}

package web

import (
	"net/http"
	"strconv"

	"leadflow/internal/i18n"
	"leadflow/internal/job"
)

type jobsData struct {
	Jobs   []job.Job
	Counts job.Counts
	State  job.State
	States []job.State
}

// listJobs shows the background jobs to admins, newest first, by state.
func (h *Web) listJobs(w http.ResponseWriter, r *http.Request) {
	state := job.State(r.URL.Query().Get("state"))
	jobs, counts, err := h.Jobs.List(r.Context(), actor(r), state, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "jobs", page{Title: "Background jobs", Nav: "jobs",
		Data: jobsData{Jobs: jobs, Counts: counts, State: state, States: job.States}})
}

func (h *Web) retryJob(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, err := h.Jobs.Retry(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(w, i18n.T(r.Context(), "flash.job_rerun", "ID", id))
	http.Redirect(w, r, "/jobs", http.StatusSeeOther)
}

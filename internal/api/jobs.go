package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"leadflow/internal/job"
)

type jobJSON struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Args        json.RawMessage `json:"args"`
	State       job.State       `json:"state"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	RunAt       time.Time       `json:"run_at"`
	Instance    string          `json:"instance"`
	Error       string          `json:"error"`
	CreatedAt   time.Time       `json:"created_at"`
	FinishedAt  *time.Time      `json:"finished_at"`
}

func jobToJSON(j job.Job) jobJSON {
	return jobJSON{ID: j.ID, Kind: j.Kind, Args: j.Args, State: j.State, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		RunAt: j.RunAt, Instance: j.LockedBy, Error: j.Error, CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
}

// listJobs answers GET /api/v1/jobs, for admins.
func (a *API) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit == 0 {
		limit = 100
	}
	jobs, counts, err := a.Jobs.List(r.Context(), actor(r), job.State(r.URL.Query().Get("state")), limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Data   []jobJSON         `json:"data"`
		Counts map[job.State]int `json:"counts"`
	}{Data: make([]jobJSON, 0, len(jobs)), Counts: map[job.State]int{}}
	for _, j := range jobs {
		out.Data = append(out.Data, jobToJSON(j))
	}
	for _, s := range job.States {
		out.Counts[s] = counts[s]
	}
	writeJSON(w, http.StatusOK, out)
}

// retryJob answers POST /api/v1/jobs/{id}/retry: a failed job runs again.
func (a *API) retryJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	j, err := a.Jobs.Retry(r.Context(), actor(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, jobToJSON(j))
}

package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"leadflow/internal/dbtest"
	"leadflow/internal/report"
	"leadflow/internal/server"
	"leadflow/internal/sqldb"
)

// Forms submitted by many visitors at once while sales moves the same
// leads between two stages in opposite directions, one by one and in
// bulk, in opposite id orders: every request is answered without a
// server error (on PostgreSQL, a deadlock would surface as one), every
// visitor becomes a lead, and the dashboard's counts match the leads.
func TestIntakeAndOppositeStageMovesAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixtureWith(t, db, server.Config{PublicPerMinute: 60000, PublicBurst: 1000})
		createForm(t, f, `{"slug":"crowd","name":"Crowd","fields":[{"name":"email"},{"name":"company"}]}`)
		var ids []int64
		for i := range 12 {
			status, l := f.call(t, "admin", "POST", "/api/v1/leads", fmt.Sprintf(`{"email":"mover%d@example.com","stage":"lead"}`, i))
			if status != http.StatusCreated {
				t.Fatalf("lead %d: %d %v", i, status, l)
			}
			ids = append(ids, int64(l["id"].(float64)))
		}
		backwards := slices.Clone(ids)
		slices.Reverse(backwards)

		type answer struct {
			what   string
			status int
			body   string
		}
		answers := make(chan answer, 1000)
		send := func(what, method, path, token, body string) {
			req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{what, 0, err.Error()}
				return
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers <- answer{what, resp.StatusCode, string(raw)}
		}
		var wg sync.WaitGroup
		for v := range 4 { // visitors, 12 submissions each
			wg.Go(func() {
				for i := range 12 {
					send("form", "POST", "/f/crowd", "", fmt.Sprintf(`{"email":"visitor%d.%d@example.com","company":"Crowd %d"}`, v, i, i%3))
				}
			})
		}
		for w, order := range [][]int64{ids, backwards} { // one by one, each way
			to := []string{"mql", "lead"}[w]
			wg.Go(func() {
				for round := range 3 {
					for _, id := range order {
						stage := to
						if round%2 == 1 {
							stage = map[string]string{"mql": "lead", "lead": "mql"}[to]
						}
						send("move", "PATCH", fmt.Sprintf("/api/v1/leads/%d", id), f.tokens["admin"], `{"stage":"`+stage+`"}`)
					}
				}
			})
		}
		for w, order := range [][]int64{ids, backwards} { // in bulk, each way
			list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(order)), ","), "[]")
			to := []string{"lead", "mql"}[w]
			wg.Go(func() {
				for range 3 {
					send("bulk", "POST", "/api/v1/leads/bulk", f.tokens["admin"], `{"ids":[`+list+`],"action":"stage","value":"`+to+`"}`)
				}
			})
		}
		wg.Wait()
		close(answers)
		counted := map[string]int{}
		for a := range answers {
			counted[a.what]++
			if a.status != http.StatusOK {
				t.Errorf("%s: %d %.300s", a.what, a.status, a.body)
			}
		}
		if counted["form"] != 48 || counted["move"] != 72 || counted["bulk"] != 6 {
			t.Errorf("answers: %v", counted)
		}

		_, list := f.call(t, "admin", "GET", "/api/v1/leads?q=visitor&limit=100", "")
		if n := len(list["data"].([]any)); n != 48 {
			t.Errorf("%d leads from 48 visitors", n)
		}
		for _, id := range ids {
			_, l := f.call(t, "admin", "GET", fmt.Sprintf("/api/v1/leads/%d", id), "")
			if l["stage"] != "lead" && l["stage"] != "mql" {
				t.Errorf("lead %d ends in stage %v", id, l["stage"])
			}
		}
		if _, err := report.NewService(db).Fold(context.Background()); err != nil {
			t.Fatal(err)
		}
		dbtest.CountsMatchLeads(t, db)
	})
}

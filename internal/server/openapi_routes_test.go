package server_test

import (
	"strings"
	"testing"

	"leadflow/internal/api"
	"leadflow/internal/dbtest"
)

// TestOpenAPIDocumentsEveryRoute: each route the API serves is in the
// OpenAPI document, with its method, so a client generated from it
// reaches every endpoint.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	_, doc := f.call(t, "", "GET", "/api/v1/openapi.json", "")
	paths, _ := doc["paths"].(map[string]any)
	for _, rt := range api.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		ops, _ := paths[path].(map[string]any)
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in openapi.json", rt)
		}
	}
}

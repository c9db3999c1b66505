package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"leadflow/internal/sqldb"
)

// Webhooks are for admins alone: they send lead data out.
var webhookMatrix = map[string]allowed{
	"GET /api/v1/webhooks":                           {"admin", false},
	"POST /api/v1/webhooks":                          {"admin", false},
	"GET /api/v1/webhooks/{id}":                      {"admin", false},
	"PATCH /api/v1/webhooks/{id}":                    {"admin", false},
	"DELETE /api/v1/webhooks/{id}":                   {"admin", false},
	"GET /api/v1/webhooks/{id}/deliveries":           {"admin", false},
	"POST /api/v1/webhooks/{id}/test":                {"admin", false},
	"POST /api/v1/webhook-deliveries/{id}/redeliver": {"admin", false},
}

var webhookPages = map[string]pageRule{
	"GET /settings/webhooks":                  {who: "admin"},
	"POST /settings/webhooks":                 {who: "admin", form: url.Values{"url": {"https://hooks.example.invalid/{role}"}, "events": {"lead.created"}}},
	"GET /settings/webhooks/{id}":             {who: "admin", record: "webhook"},
	"POST /settings/webhooks/{id}":            {who: "admin", record: "webhook", form: url.Values{"url": {"https://hooks.example.invalid/renamed"}, "events": {"lead.sql"}, "active": {"1"}}},
	"POST /settings/webhooks/{id}/delete":     {who: "admin", record: "webhook", form: url.Values{}},
	"POST /settings/webhooks/{id}/test":       {who: "admin", record: "webhook", form: url.Values{}},
	"POST /webhook-deliveries/{id}/redeliver": {who: "admin", record: "webhook-delivery", form: url.Values{}},
}

func init() {
	for rt, who := range webhookMatrix {
		matrix[rt] = who
	}
	for rt, rule := range webhookPages {
		pageMatrix[rt] = rule
	}
}

// webhookRecord makes a subscription (to an address that resolves
// nowhere) with one delivered message, and returns their ids.
func webhookRecord(t *testing.T, f *fixture, db *sqldb.DB) (string, string) {
	t.Helper()
	status, hook := f.call(t, "admin", "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.invalid/matrix","events":["lead.created"]}`)
	if status != http.StatusCreated {
		t.Fatalf("webhook: %d %v", status, hook)
	}
	now := time.Now().UnixMilli()
	var delivery int64
	if err := db.W.QueryRow(context.Background(), `INSERT INTO webhook_deliveries (webhook_id, msg_id, event, payload, status, attempts, created_at, updated_at)
		VALUES (?, ?, 'lead.created', '{}', 'delivered', 1, ?, ?) RETURNING id`, hook["id"], fmt.Sprintf("msg_matrix%d", now), now, now).Scan(&delivery); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(hook["id"]), fmt.Sprint(delivery)
}

// webhookRecords gives the API matrix its webhook ids.
func webhookRecords(t *testing.T, f *fixture, ids map[string]string) {
	hook, delivery := webhookRecord(t, f, f.db)
	ids["/api/v1/webhooks/{id}"] = hook
	ids["/api/v1/webhooks/{id}/deliveries"] = hook
	ids["/api/v1/webhooks/{id}/test"] = hook
	ids["/api/v1/webhook-deliveries/{id}/redeliver"] = delivery
}

// webhookPageRecords gives the page matrix its webhook ids.
func webhookPageRecords(t *testing.T, f *fixture, db *sqldb.DB, recs records) {
	recs["webhook"], recs["webhook-delivery"] = webhookRecord(t, f, db)
}

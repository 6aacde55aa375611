package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

const apiToken = "api-test-token"

func apiCall(t *testing.T, a *testApp, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, b)
	}
	return resp.StatusCode, out
}

// Two identities of one person merged through the API: one timeline, the
// notes kept, the merge recorded; and split again.
func TestCustomerAPIMergeAndSplit(t *testing.T) {
	t.Parallel()
	env := baseEnv(t, nil)
	env["PLUSONE_API_TOKEN"] = apiToken
	app := startApp(t, env)
	app.send(genericEvent(`{"id":"a1","type":"ticket.created","occurred_at":"2026-11-01T09:00:00Z","customer":{"email":"jane@home.example","name":"Jane Doe"},
		"ticket":{"id":"H-1","subject":"Gift wrap"}}`))
	app.send(shopifyEvent("orders/create", "w1", `{"id":9901,"name":"#9901","email":"jane@work.example","created_at":"2026-11-02T10:00:00Z",
		"currency":"USD","total_price":"75.00","customer":{"id":88,"email":"jane@work.example","first_name":"Jane","last_name":"D."}}`))
	settled(t, inspectStore(t, app.dbPath))

	if status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=jane@home.example", "", ""); status != 401 {
		t.Errorf("no token: %d", status)
	}
	if status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=jane@home.example", "nope", ""); status != 401 {
		t.Errorf("wrong token: %d", status)
	}
	if status, out := apiCall(t, app, "GET", "/api/v1/customers?email=nobody@example.com", apiToken, ""); status != 404 || out["error"] == nil {
		t.Errorf("unknown customer: %d %v", status, out)
	}
	status, home := apiCall(t, app, "GET", "/api/v1/customers?email=jane@home.example", apiToken, "")
	if status != 200 || home["name"] != "Jane Doe" || home["tier"] != "new" {
		t.Fatalf("home customer: %d %v", status, home)
	}
	_, work := apiCall(t, app, "GET", "/api/v1/customers?email=jane@work.example", apiToken, "")
	if work["orders"] != float64(1) {
		t.Fatalf("work customer: %v", work)
	}
	// A note on the work record, then the merge.
	into, from := int64(home["id"].(float64)), int64(work["id"].(float64))
	must(t, inspectStore(t, app.dbPath).Update(t.Context(), func(tx plusone.Tx) error {
		return tx.AddNote(t.Context(), &plusone.Note{CustomerID: from, Author: "U0ANA", Text: "Prefers her work address for deliveries",
			Via: plusone.NoteViaCommand, CreatedAt: time.Now()})
	}))
	if status, out := apiCall(t, app, "POST", "/api/v1/customers/merge", apiToken, `{"into":1,"from":1}`); status != 400 {
		t.Errorf("self-merge: %d %v", status, out)
	}
	if status, out := apiCall(t, app, "POST", "/api/v1/customers/merge", apiToken, `{"into":1,"form":2}`); status != 400 || !strings.Contains(out["error"].(string), "form") {
		t.Errorf("a typo in the body: %d %v", status, out)
	}
	body := `{"into":` + itoa(into) + `,"from":` + itoa(from) + `,"reason":"same person, two emails"}`
	if status, out := apiCall(t, app, "POST", "/api/v1/customers/merge", apiToken, body); status != 200 {
		t.Fatalf("merge: %d %v", status, out)
	}
	_, merged := apiCall(t, app, "GET", "/api/v1/customers?email=jane@work.example", apiToken, "")
	if merged["id"] != home["id"] || merged["orders"] != float64(1) || merged["tier"] != "satisfied" {
		t.Errorf("after merge: %v", merged)
	}
	timeline := merged["timeline"].([]any)
	notes := merged["notes"].([]any)
	merges := merged["merges"].([]any)
	if len(timeline) != 2 || len(notes) != 1 || len(merges) != 1 || merges[0].(map[string]any)["reason"] != "same person, two emails" {
		t.Errorf("after merge: timeline %d, notes %v, merges %v", len(timeline), notes, merges)
	}
	// And split the Shopify identity back off.
	status, out := apiCall(t, app, "POST", "/api/v1/customers/"+itoa(into)+"/split", apiToken, `{"identity":{"kind":"shopify","value":"88"},"reason":"not her"}`)
	if status != 200 || out["new_customer_id"] == nil {
		t.Fatalf("split: %d %v", status, out)
	}
	_, after := apiCall(t, app, "GET", "/api/v1/customers?email=jane@home.example", apiToken, "")
	if after["orders"] != float64(0) || len(after["merges"].([]any)) != 2 {
		t.Errorf("after split: %v", after)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

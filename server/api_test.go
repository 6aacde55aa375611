package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// customer creates a customer with the emails given; the first is hers.
func (e *env) customer(name string, emails ...string) int64 {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now()
	c := &plusone.Customer{Name: name, Email: emails[0], CreatedAt: now}
	err := e.store.Update(ctx, func(tx plusone.Tx) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		for _, m := range emails {
			if err := tx.AddIdentity(ctx, c.ID, plusone.Identity{Kind: plusone.IdentityEmail, Value: m}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// grant appends a granted gesture of agent (team frontline) to the ledger.
func (e *env) grant(customer int64, agent string, charge plusone.Money, at time.Time) {
	e.t.Helper()
	ctx := context.Background()
	err := e.store.Update(ctx, func(tx plusone.Tx) error {
		_, _, err := tx.AppendLedger(ctx, &plusone.LedgerEntry{Gesture: "free_express_shipping", Title: "Free express shipping",
			Kind: "shipping", Value: charge, Currency: "USD", Charge: charge, CustomerID: customer, Agent: agent, Team: "frontline",
			Status: plusone.StatusGranted, Reason: "within your limits", By: agent, TicketKey: "generic:T-1", CreatedAt: at})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// /api/v1 needs the bearer token, and is off without one configured.
func TestAPIAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/api/v1/customers?email=a@example.com", "/api/v1/ledger", "/api/v1/budgets"} {
		t.Run(path, func(t *testing.T) {
			a := e.do(http.MethodGet, path, nil, nil)
			a.errorSays(t, http.StatusUnauthorized, "missing or wrong bearer token")
			if got := a.header.Get("WWW-Authenticate"); got != `Bearer realm="plusone"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			e.do(http.MethodGet, path, http.Header{"Authorization": {"Bearer wrong"}}, nil).
				errorSays(t, http.StatusUnauthorized, "missing or wrong bearer token")
			e.do(http.MethodGet, path, http.Header{"Authorization": {apiToken}}, nil).
				errorSays(t, http.StatusUnauthorized, "missing or wrong bearer token")
		})
	}
	off := newEnv(t)
	off.srv.APIToken = ""
	off.h = off.srv.Handler()
	off.api(http.MethodGet, "/api/v1/budgets", "").errorSays(t, http.StatusNotFound, "set PLUSONE_API_TOKEN")
}

func TestAPICustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.customer("Jane Doe", "jane@example.com", "jane.doe@example.com")

	a := e.api(http.MethodGet, "/api/v1/customers?email=Jane@Example.com", "")
	if a.status != http.StatusOK {
		t.Fatalf("answer %d %s", a.status, a.body)
	}
	got := a.json(t)
	if got["id"] != float64(id) || got["name"] != "Jane Doe" || got["email"] != "jane@example.com" {
		t.Errorf("customer %v, want Jane (%d)", got, id)
	}
	if ids, _ := got["identities"].([]any); len(ids) != 2 {
		t.Errorf("identities %v, want both emails", got["identities"])
	}
	for _, list := range []string{"preferences", "notes", "signals", "timeline", "tickets", "merges"} {
		if _, ok := got[list].([]any); !ok {
			t.Errorf("%s is %v, want a list (empty, not null)", list, got[list])
		}
	}

	e.api(http.MethodGet, "/api/v1/customers", "").errorSays(t, http.StatusBadRequest, "email is required")
	e.api(http.MethodGet, "/api/v1/customers?email=nobody@example.com", "").
		errorSays(t, http.StatusNotFound, "no customer with the email nobody@example.com")
	e.api(http.MethodGet, "/api/v1/customers?email=not-an-email", "").errorSays(t, http.StatusBadRequest, "not an email address")
}

func TestAPIMerge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jane := e.customer("Jane Doe", "jane@example.com")
	dup := e.customer("J. Doe", "jdoe@example.com")

	for _, tt := range []struct{ body, says string }{
		{`{"into": 1,`, "invalid JSON body"},
		{`{"into": 1, "from": 2, "why": "x"}`, `unknown field "why"`},
		{`{"into": 0, "from": 2}`, `"into" and "from" must be customer ids`},
	} {
		e.api(http.MethodPost, "/api/v1/customers/merge", tt.body).errorSays(t, http.StatusBadRequest, tt.says)
	}
	e.api(http.MethodPost, "/api/v1/customers/merge", fmt.Sprintf(`{"into": %d, "from": 999}`, jane)).
		errorSays(t, http.StatusNotFound, "no such customer")

	a := e.api(http.MethodPost, "/api/v1/customers/merge", fmt.Sprintf(`{"into": %d, "from": %d}`, jane, dup))
	if got := a.json(t); a.status != http.StatusOK || got["ok"] != true || got["customer_id"] != float64(jane) {
		t.Fatalf("merge: %d %s", a.status, a.body)
	}
	got := e.api(http.MethodGet, "/api/v1/customers?email=jdoe@example.com", "").json(t)
	if got["id"] != float64(jane) {
		t.Errorf("jdoe@ is customer %v after the merge, want %d", got["id"], jane)
	}
	merges, _ := got["merges"].([]any)
	if len(merges) != 1 || !strings.Contains(fmt.Sprint(merges[0]), "merged through the API") {
		t.Errorf("merges %v, want one with the default reason", merges)
	}
}

func TestAPISplit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jane := e.customer("Jane Doe", "jane@example.com", "shared@example.com")
	path := fmt.Sprintf("/api/v1/customers/%d/split", jane)

	e.api(http.MethodPost, "/api/v1/customers/x/split", `{}`).errorSays(t, http.StatusBadRequest, `"x" is not a customer id`)
	e.api(http.MethodPost, path, `{"identity": {"kind": "email"}}`).errorSays(t, http.StatusBadRequest, `"identity" needs "kind" and "value"`)
	e.api(http.MethodPost, path, `[]`).errorSays(t, http.StatusBadRequest, "invalid JSON body")
	e.api(http.MethodPost, path, `{"identity": {"kind": "email", "value": "nobody@example.com"}}`).
		errorSays(t, http.StatusNotFound, "no such customer or identity")
	e.api(http.MethodPost, "/api/v1/customers/999/split", `{"identity": {"kind": "email", "value": "shared@example.com"}}`).
		errorSays(t, http.StatusBadRequest, "belongs to customer")

	a := e.api(http.MethodPost, path, `{"identity": {"kind": "email", "value": "shared@example.com"}, "reason": "two people"}`)
	got := a.json(t)
	fresh, _ := got["new_customer_id"].(float64)
	if a.status != http.StatusOK || got["ok"] != true || got["customer_id"] != float64(jane) || fresh == 0 || fresh == float64(jane) {
		t.Fatalf("split: %d %s", a.status, a.body)
	}
	if got := e.api(http.MethodGet, "/api/v1/customers?email=shared@example.com", "").json(t); got["id"] != fresh {
		t.Errorf("shared@ is customer %v after the split, want the new one %v", got["id"], fresh)
	}
}

func TestAPILedger(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jane := e.customer("Jane Doe", "jane@example.com")
	bob := e.customer("Bob", "bob@example.com")
	now := time.Now()
	e.grant(jane, "U0ANA", 1500, now.Add(-48*time.Hour))
	e.grant(bob, "U0BEN", 1000, now)

	entries := func(query string) []map[string]any {
		t.Helper()
		a := e.api(http.MethodGet, "/api/v1/ledger"+query, "")
		if a.status != http.StatusOK {
			t.Fatalf("ledger%s: %d %s", query, a.status, a.body)
		}
		got := a.json(t)
		if got["truncated"] != false {
			t.Errorf("ledger%s: truncated %v", query, got["truncated"])
		}
		list, _ := got["entries"].([]any)
		out := make([]map[string]any, 0, len(list))
		for _, x := range list {
			out = append(out, x.(map[string]any))
		}
		return out
	}
	all := entries("")
	if len(all) != 2 || all[0]["agent"] != "U0BEN" || all[1]["agent"] != "U0ANA" {
		t.Fatalf("ledger %v, want both, newest first", all)
	}
	if e0 := all[1]; e0["charge"] != 15.0 || e0["status"] != "granted" || e0["ticket"] != "generic:T-1" ||
		e0["customer"] != float64(jane) || e0["request_id"] != e0["id"] || e0["gesture"] != "free_express_shipping" {
		t.Errorf("entry %v", e0)
	}
	for query, want := range map[string]string{
		"?agent=U0ANA":                                       "U0ANA",
		"?customer=bob@example.com":                          "U0BEN",
		fmt.Sprintf("?customer=%d", jane):                    "U0ANA",
		"?since=" + now.Add(-time.Hour).Format(time.RFC3339): "U0BEN",
	} {
		if got := entries(query); len(got) != 1 || got[0]["agent"] != want {
			t.Errorf("ledger%s: %v, want the entry of %s", query, got, want)
		}
	}
	if got := entries("?since=" + now.Add(-72*time.Hour).Format(time.DateOnly)); len(got) != 2 {
		t.Errorf("ledger since a date: %d entries, want 2", len(got))
	}
	e.api(http.MethodGet, "/api/v1/ledger?since=yesterday", "").errorSays(t, http.StatusBadRequest, `since="yesterday"`)
	e.api(http.MethodGet, "/api/v1/ledger?customer=nobody", "").errorSays(t, http.StatusBadRequest, "neither an id nor an email")
	e.api(http.MethodGet, "/api/v1/ledger?customer=nobody@example.com", "").errorSays(t, http.StatusNotFound, "no customer")
}

func TestAPIBudgets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jane := e.customer("Jane Doe", "jane@example.com")
	e.grant(jane, "U0ANA", 1500, time.Now())
	a := e.api(http.MethodGet, "/api/v1/budgets", "")
	if a.status != http.StatusOK {
		t.Fatalf("budgets: %d %s", a.status, a.body)
	}
	lines, _ := a.json(t)["budgets"].([]any)
	want := map[string]string{
		"agent U0ANA":    "amount=90 per=day spent=15 remaining=75",
		"team frontline": "amount=1000 per=week spent=15 remaining=985",
	}
	got := map[string]string{}
	for _, x := range lines {
		l := x.(map[string]any)
		got[fmt.Sprint(l["scope"], " ", l["key"])] = fmt.Sprintf("amount=%v per=%v spent=%v remaining=%v",
			l["amount"], l["per"], l["spent"], l["remaining"])
		if l["period"] == "" {
			t.Errorf("line %v without its period", l)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("budget %s: %q, want %q (all: %v)", k, got[k], w, got)
		}
	}
}

// The Bearer scheme's name is case-insensitive (RFC 9110, 11.1): a
// lowercase or uppercase "bearer" with the right token is let through.
func TestAPIBearerSchemeAnyCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		a := e.do(http.MethodGet, "/api/v1/budgets", http.Header{"Authorization": {scheme + " " + apiToken}}, nil)
		if a.status != http.StatusOK {
			t.Errorf("%s scheme: answer %d %s, want 200", scheme, a.status, a.body)
		}
	}
	e.do(http.MethodGet, "/api/v1/budgets", http.Header{"Authorization": {"Basic " + apiToken}}, nil).
		errorSays(t, http.StatusUnauthorized, "missing or wrong bearer token")
	e.do(http.MethodGet, "/api/v1/budgets", http.Header{"Authorization": {"bearer" + apiToken}}, nil).
		errorSays(t, http.StatusUnauthorized, "missing or wrong bearer token")
}

// A body over the limit (PLUSONE_MAX_BODY_BYTES, 4096 here) to /api/v1 is
// 413, whether it says its length or is sent without one; not 400.
func TestAPIBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := `{"into": 1, "from": 2, "reason": "` + strings.Repeat("x", 5000) + `"}`
	e.api(http.MethodPost, "/api/v1/customers/merge", big).
		errorSays(t, http.StatusRequestEntityTooLarge, "over the limit of 4096")

	req := httptest.NewRequest(http.MethodPost, "/api/v1/customers/merge", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1 // chunked: the limit is found while reading
	req.Header.Set("Authorization", "Bearer "+apiToken)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	answer{rec.Code, rec.Header(), rec.Body.String()}.errorSays(t, http.StatusRequestEntityTooLarge, "over the limit of 4096 bytes")

	// Within the limit, a malformed body is still 400 naming the problem.
	e.api(http.MethodPost, "/api/v1/customers/merge", `{"into": 1,`).
		errorSays(t, http.StatusBadRequest, "invalid JSON body")
}

// At debug every request is logged once: method, path without its query
// (which may hold an email), status. At info nothing is.
func TestAccessLogAtDebug(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		e := newEnv(t)
		var buf bytes.Buffer
		e.srv.Log = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
		e.h = e.srv.Handler()
		e.api(http.MethodGet, "/api/v1/customers?email=jane@example.com", "")
		out := buf.String()
		if strings.Contains(out, "jane@example.com") {
			t.Errorf("%s: the access log shows the query: %s", level, out)
		}
		logged := strings.Contains(out, `"msg":"http request","method":"GET","path":"/api/v1/customers","status":404`)
		if logged != (level == slog.LevelDebug) {
			t.Errorf("%s: access log line logged %v:\n%s", level, logged, out)
		}
	}
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/slackchat"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/server"
	"github.com/plusone-hq/plusone/store/sqlite"
)

const (
	webhookSecret = "generic-secret"
	slackSecret   = "slack-signing-secret"
	apiToken      = "api-token"
)

const policyYAML = `
currency: USD
gestures:
  - id: free_express_shipping
    title: Free express shipping on the next order
    kind: shipping
    value: 15
roles:
  agent: {max_per_gesture: 25, budget: {amount: 90, per: day}}
teams:
  - id: frontline
    members: [U0ANA]
    budget: {amount: 1000, per: week}
`

// env is a Server over a real SQLite store with the generic webhook
// source, Slack over HTTP, the API and its services.
type env struct {
	t      *testing.T
	store  plusone.Store
	srv    *server.Server
	h      http.Handler
	mu     sync.Mutex
	stored int          // Stored calls
	events chan string  // kinds handed to SlackEvent
	closed func() error // closes the store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := config.ParsePolicy("policy.yaml", []byte(policyYAML))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	live := config.NewLive("", p, log)
	e := &env{t: t, store: s, events: make(chan string, 10), closed: s.Close}
	e.srv = &server.Server{
		Store:   s,
		Sources: map[plusone.Source]plusone.Integration{plusone.SourceGeneric: generic.New(webhookSecret)},
		Known:   []plusone.Source{plusone.SourceZendesk, plusone.SourceGeneric},
		MaxBody: 4096, Clock: time.Now, Log: log, Metrics: metrics.New(nil, metrics.Labels{}),
		Stored: func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.stored++
		},
		APIToken:           apiToken,
		Customers:          &memory.Service{Store: s, Policy: live.Current, Clock: time.Now},
		Gestures:           &gestures.Service{Store: s, Policies: live, Clock: time.Now, Log: log},
		SlackApp:           fakeApp{events: e.events},
		SlackSigningSecret: slackSecret,
	}
	e.srv.Slack = &server.SlackIntake{Server: e.srv, Chat: slackchat.New(slackSecret, func(channel string) (string, bool) {
		return "jane@example.com", channel == "C0SHAREDACME"
	})}
	e.h = e.srv.Handler()
	return e
}

// fakeApp is a Slack app whose handlers answer with their name and the
// secret and size limit they were given, and whose events go to events.
type fakeApp struct{ events chan string }

func (fakeApp) CommandsHandler(secret string, maxBody int64) http.Handler {
	return named("commands", secret, maxBody)
}

func (fakeApp) InteractionsHandler(secret string, maxBody int64) http.Handler {
	return named("interactions", secret, maxBody)
}

func named(name, secret string, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %d", name, secret, maxBody)
	})
}

func (a fakeApp) EventLater(ctx context.Context, kind string, body []byte) { a.events <- kind }

// answer is a response: status, headers and body.
type answer struct {
	status int
	header http.Header
	body   string
}

// json decodes the body, failing the test when it is not JSON.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(a.body), &out); err != nil {
		t.Fatalf("answer %d is not JSON: %q", a.status, a.body)
	}
	return out
}

// errorSays checks an error answer: status and {"error": "...want..."}.
func (a answer) errorSays(t *testing.T, status int, want string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("answer %d %s, want %d", a.status, a.body, status)
	}
	if msg, _ := a.json(t)["error"].(string); !strings.Contains(msg, want) {
		t.Errorf("error %q, want it to say %q", msg, want)
	}
}

// do sends a request with h as its headers.
func (e *env) do(method, path string, h http.Header, body []byte) answer {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Header(), rec.Body.String()}
}

// api calls /api/v1 with the token.
func (e *env) api(method, path string, body string) answer {
	e.t.Helper()
	return e.do(method, path, http.Header{"Authorization": {"Bearer " + apiToken}}, []byte(body))
}

// signed returns the headers of a generic webhook signed with secret.
func signed(secret string, body []byte) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	generic.Sign(h, secret, body, time.Now())
	return h
}

func slackSigned(secret string, body []byte) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	slackchat.Sign(h, secret, body, time.Now())
	return h
}

func ticketBody(id, email string) []byte {
	return []byte(`{"id": "` + id + `", "type": "ticket.created", "occurred_at": "2026-11-20T15:04:05Z",
		"customer": {"email": "` + email + `", "name": "Jane Doe"},
		"ticket": {"id": "T-1", "subject": "Where is my order?"}}`)
}

// A signed webhook is stored (without its secret headers) and answered
// 202 with its id; the same delivery again is a duplicate answered 200
// with the same id.
func TestWebhookAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := ticketBody("evt_1", "jane@example.com")
	h := signed(webhookSecret, body)
	h.Set("Authorization", "Basic c2VjcmV0")
	first := e.do(http.MethodPost, "/webhooks/generic", h, body)
	if first.status != http.StatusAccepted {
		t.Fatalf("answer %d %s, want 202", first.status, first.body)
	}
	got := first.json(t)
	if got["ok"] != true || got["duplicate"] != false || got["id"] == nil {
		t.Errorf("answer %v, want ok, an id, not a duplicate", got)
	}
	again := e.do(http.MethodPost, "/webhooks/generic", signed(webhookSecret, body), body)
	if again.status != http.StatusOK {
		t.Fatalf("duplicate: answer %d %s, want 200", again.status, again.body)
	}
	if dup := again.json(t); dup["duplicate"] != true || dup["id"] != got["id"] {
		t.Errorf("duplicate answer %v, want duplicate with id %v", dup, got["id"])
	}
	e.mu.Lock()
	stored := e.stored
	e.mu.Unlock()
	if stored != 1 {
		t.Errorf("Stored called %d times, want once (not for the duplicate)", stored)
	}

	evs, err := e.store.ClaimEvents(context.Background(), plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: time.Now()})
	if err != nil || len(evs) != 1 {
		t.Fatalf("stored events %v, %v; want one", evs, err)
	}
	ev := evs[0]
	if ev.Source != plusone.SourceGeneric || !bytes.Equal(ev.Body, body) || float64(ev.ID) != got["id"] {
		t.Errorf("stored %s event %d %q, want the generic body as sent with id %v", ev.Source, ev.ID, ev.Body, got["id"])
	}
	if ev.Headers.Get("Authorization") != "" || ev.Headers.Get(generic.HeaderSignature) == "" {
		t.Errorf("stored headers %v: want the signature kept and Authorization dropped", ev.Headers)
	}
}

// Refused webhooks: each answered with its status and a JSON error that
// says what to do, and nothing stored.
func TestWebhookRefused(t *testing.T) {
	t.Parallel()
	body := ticketBody("evt_1", "jane@example.com")
	invalid := []byte(`{"id": "evt_2"}`)
	large := bytes.Repeat([]byte(" "), 5000)
	tests := []struct {
		name   string
		method string
		path   string
		header http.Header
		body   []byte
		status int
		says   string
	}{
		{"wrong signature", "POST", "/webhooks/generic", signed("other", body), body, 401, "signature does not match"},
		{"unsigned", "POST", "/webhooks/generic", nil, body, 401, "missing header"},
		{"invalid body", "POST", "/webhooks/generic", signed(webhookSecret, invalid), invalid, 400, "type"},
		{"not JSON", "POST", "/webhooks/generic", signed(webhookSecret, []byte("<xml/>")), []byte("<xml/>"), 400, ""},
		{"too large", "POST", "/webhooks/generic", signed(webhookSecret, large), large, 413, "over the limit of 4096"},
		{"unknown source", "POST", "/webhooks/nope", nil, body, 404, `unknown source "nope"`},
		{"source not configured", "POST", "/webhooks/zendesk", nil, body, 404, "set PLUSONE_ZENDESK_WEBHOOK_SECRET"},
		{"probe of an unknown source", "GET", "/webhooks/nope", nil, nil, 404, `unknown source "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.do(tt.method, tt.path, tt.header, tt.body).errorSays(t, tt.status, tt.says)
			evs, err := e.store.ClaimEvents(context.Background(), plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: time.Now()})
			if err != nil || len(evs) != 0 {
				t.Errorf("stored %d events (%v), want none", len(evs), err)
			}
		})
	}
}

// A body over the limit without a Content-Length (chunked) is cut off
// while it is read and answered 413 as well.
func TestWebhookTooLargeChunked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	large := bytes.Repeat([]byte(" "), 5000)
	req := httptest.NewRequest(http.MethodPost, "/webhooks/generic", io.MultiReader(bytes.NewReader(large)))
	req.ContentLength = -1
	for k, v := range signed(webhookSecret, large) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	answer{rec.Code, rec.Header(), rec.Body.String()}.errorSays(t, http.StatusRequestEntityTooLarge, "over the limit of 4096 bytes")
}

// A store that cannot take the event answers 503: the sender retries.
func TestWebhookStoreDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.closed(); err != nil {
		t.Fatal(err)
	}
	body := ticketBody("evt_1", "jane@example.com")
	e.do(http.MethodPost, "/webhooks/generic", signed(webhookSecret, body), body).
		errorSays(t, http.StatusServiceUnavailable, "retry later")
	e.do(http.MethodGet, "/readyz", nil, nil).errorSays(t, http.StatusServiceUnavailable, "store not ready")
}

// Vendors check the URL before saving it: HEAD and GET answer 200 for a
// configured source.
func TestWebhookProbe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if a := e.do(method, "/webhooks/generic", nil, nil); a.status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", method, a.status, a.body)
		}
	}
	if got := e.do(http.MethodGet, "/webhooks/generic", nil, nil).json(t); got["source"] != "generic" || got["ok"] != true {
		t.Errorf("probe answer %v", got)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if a := e.do(http.MethodGet, "/healthz", nil, nil); a.status != 200 || a.json(t)["status"] != "ok" {
		t.Errorf("/healthz: %d %s", a.status, a.body)
	}
	if a := e.do(http.MethodGet, "/readyz", nil, nil); a.status != 200 || a.json(t)["status"] != "ready" {
		t.Errorf("/readyz: %d %s", a.status, a.body)
	}
	// A webhook counted, and one refused.
	body := ticketBody("evt_1", "jane@example.com")
	e.do(http.MethodPost, "/webhooks/generic", signed(webhookSecret, body), body)
	e.do(http.MethodPost, "/webhooks/generic", nil, body)
	e.do(http.MethodPost, "/webhooks/nope", nil, body)
	a := e.do(http.MethodGet, "/metrics", nil, nil)
	if a.status != 200 {
		t.Fatalf("/metrics: %d", a.status)
	}
	for _, want := range []string{
		`plusone_events_total{outcome="accepted",source="generic"} 1`,
		`plusone_webhook_rejects_total{reason="unauthorized",source="generic"} 1`,
		`plusone_webhook_rejects_total{reason="unknown_source",source="unknown"} 1`,
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// /readyz answers 503 when the workers no longer work (Alive).
func TestReadyzWorkers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Alive = func() error { return errStuck }
	e.do(http.MethodGet, "/readyz", nil, nil).errorSays(t, http.StatusServiceUnavailable, "workers not alive: 1 of 7 workers stuck")
}

var errStuck = errors.New("1 of 7 workers stuck")

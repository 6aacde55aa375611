package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/metrics"
)

// stuckStore is a store whose appends never finish before their deadline
// and whose Ready answers ready; nothing else of it is used.
type stuckStore struct {
	plusone.Store
	ready error
}

func (s stuckStore) Ready(context.Context) error { return s.ready }

func (s stuckStore) AppendEvent(ctx context.Context, _ *plusone.RawEvent) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// source accepts every request as one event.
type source struct{}

func (source) Source() plusone.Source                      { return plusone.SourceGeneric }
func (source) Verify(http.Header, []byte, time.Time) error { return nil }
func (source) Parse(http.Header, []byte) (plusone.Delivery, error) {
	return plusone.Delivery{DedupeKey: "k"}, nil
}

func testServer(st plusone.Store) *Server {
	return &Server{Store: st, Sources: map[plusone.Source]plusone.Integration{plusone.SourceGeneric: source{}},
		MaxBody: 1 << 20, Clock: time.Now, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New(nil, metrics.Labels{}),
		IntakeTimeout: 50 * time.Millisecond}
}

func answer(t *testing.T, h http.Handler, method, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(`{}`)))
	body, _ := io.ReadAll(rec.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, path, body)
	}
	return rec.Code, out
}

// A webhook the store cannot take within IntakeTimeout is answered 503
// with an error body, not left waiting.
func TestWebhookStoreTooSlow(t *testing.T) {
	t.Parallel()
	status, body := answer(t, testServer(stuckStore{}).Handler(), http.MethodPost, "/webhooks/generic")
	if status != http.StatusServiceUnavailable || body["error"] == "" {
		t.Errorf("answer %d %v, want 503 with an error", status, body)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ready  error
		alive  func() error
		status int
		says   string
	}{
		{"all well", nil, func() error { return nil }, http.StatusOK, "ready"},
		{"no worker hook", nil, nil, http.StatusOK, "ready"},
		{"store cannot write", errors.New("a write failed 1s ago: disk full"), nil, http.StatusServiceUnavailable, "disk full"},
		{"workers stuck", nil, func() error { return errors.New("1 of 7 workers stuck") }, http.StatusServiceUnavailable, "workers stuck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testServer(stuckStore{ready: tt.ready})
			s.Alive = tt.alive
			status, body := answer(t, s.Handler(), http.MethodGet, "/readyz")
			got, _ := json.Marshal(body)
			if status != tt.status || !strings.Contains(string(got), tt.says) {
				t.Errorf("/readyz: %d %s, want %d saying %q", status, got, tt.status, tt.says)
			}
		})
	}
}

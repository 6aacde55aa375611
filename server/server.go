// Package server is plusone's HTTP face: webhook intake, Slack's Events
// API, /api/v1, health, readiness and metrics. Its routes are listed in
// routes.go; Slack's commands and interactions are mounted through Extra.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/metrics"
)

// Server holds what the handlers need.
type Server struct {
	Store plusone.Store
	// Sources are the configured webhook sources; others answer 404.
	Sources map[plusone.Source]plusone.Integration
	// Known lists every source name, to tell "unknown" from "not configured".
	Known   []plusone.Source
	MaxBody int64
	Clock   func() time.Time
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Stored is called after an event was stored (to wake the workers).
	Stored func()
	// Slack verifies and parses Events API requests on /slack/events; nil
	// when Slack is not reached over HTTP.
	Slack plusone.Integration
	// APIToken guards /api/v1; empty turns the API off.
	APIToken string
	// Customers serves /api/v1/customers.
	Customers CustomerAPI
	// Privacy serves erasure and export (/api/v1/customers DELETE and
	// /api/v1/customers/export).
	Privacy PrivacyAPI
	// Gestures serves /api/v1/ledger and /api/v1/budgets.
	Gestures GestureAPI
	// SlackEvent hands over the Slack events that are not timeline
	// material (kind is the inner event type). It must return at once: the
	// work is done after the answer by its owner (bot.App.EventLater),
	// which shutdown waits for.
	SlackEvent func(ctx context.Context, kind string, body []byte)
	// Extra mounts more routes (Slack's commands and interactions) on the
	// same mux.
	Extra func(mux *http.ServeMux)
	// IntakeTimeout is how long a delivery waits for the store to take it
	// before it is answered 503 (the sender retries); zero means
	// DefaultIntakeTimeout.
	IntakeTimeout time.Duration
	// Alive, if set, returns an error when the background workers no
	// longer work; /readyz then answers 503.
	Alive func() error
}

// DefaultIntakeTimeout is below the shortest time a helpdesk waits for a
// webhook's answer (Shopify: 5 s), so the sender hears 503 and retries
// rather than timing out itself.
const DefaultIntakeTimeout = 3 * time.Second

// Handler returns the service's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	if s.Extra != nil {
		s.Extra(mux)
	}
	return mux
}

// encode writes v as JSON with status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is every error answer: {"error": "<what is wrong>"}.
type errorBody struct {
	Error string `json:"error"`
}

func fail(w http.ResponseWriter, status int, msg string) {
	encode(w, status, errorBody{Error: msg})
}

// Package server is plusone's HTTP face: webhook intake, Slack's Events
// API and the Slack app's commands and interactions, /api/v1, health,
// readiness and metrics. Every route is listed in routes.go.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
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
	// Slack stores the chat messages of Slack's Events API on
	// /slack/events; nil when Slack is not reached over HTTP.
	Slack *SlackIntake
	// APIToken guards /api/v1; empty turns the API off.
	APIToken string
	// Customers serves /api/v1/customers.
	Customers CustomerAPI
	// Privacy serves erasure and export (/api/v1/customers DELETE and
	// /api/v1/customers/export).
	Privacy PrivacyAPI
	// Gestures serves /api/v1/ledger and /api/v1/budgets.
	Gestures GestureAPI
	// Outcomes serves /api/v1/outcomes; nil leaves it out.
	Outcomes OutcomesAPI
	// SlackApp answers Slack's commands and interactions and takes the
	// Events API events that are not timeline material; nil when there is
	// no Slack app over HTTP.
	SlackApp SlackApp
	// SlackSigningSecret checks the requests of the Slack app.
	SlackSigningSecret string
	// IntakeTimeout is how long a delivery waits for the store to take it
	// before it is answered 503 (the sender retries); zero means
	// DefaultIntakeTimeout.
	IntakeTimeout time.Duration
	// Console serves the web console under /console/; nil leaves it out.
	Console http.Handler
	// Alive, if set, returns an error when the background workers no
	// longer work; /readyz then answers 503.
	Alive func() error

	shared atomic.Pointer[intakeDeadline] // see deadline
}

// SlackApp is the Slack app over HTTP (bot.App).
type SlackApp interface {
	// CommandsHandler answers slash commands; InteractionsHandler
	// buttons, shortcuts and modals. Both check the request's signature
	// and size first.
	CommandsHandler(signingSecret string, maxBody int64) http.Handler
	InteractionsHandler(signingSecret string, maxBody int64) http.Handler
	// EventLater takes an Events API event that is not timeline material
	// (kind is the inner event type). It returns at once: the work is done
	// after the answer by the app, which shutdown waits for.
	EventLater(ctx context.Context, kind string, body []byte)
}

// DefaultIntakeTimeout is below the shortest time a helpdesk waits for a
// webhook's answer (Shopify: 5 s), so the sender hears 503 and retries
// rather than timing out itself.
const DefaultIntakeTimeout = 3 * time.Second

// Handler returns the service's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.accessLog(mux)
}

// accessLog logs each request at debug: method, path (never the query,
// which may hold an email), status and duration.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.Log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.Log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// encode writes v as JSON with status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if a, ok := v.(webhookAnswer); ok {
		// Every accepted delivery's answer, webhook or Slack event: the
		// same bytes, without json.Encoder's reflection.
		_, _ = w.Write(a.appendJSON(make([]byte, 0, 64)))
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is every error answer: {"error": "<what is wrong>"}.
type errorBody struct {
	Error string `json:"error"`
}

func fail(w http.ResponseWriter, status int, msg string) {
	encode(w, status, errorBody{Error: msg})
}

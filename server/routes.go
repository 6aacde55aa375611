package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the service.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("POST /webhooks/{source}", s.handleWebhook())
	// Vendors check a URL before saving it (Intercom sends HEAD).
	mux.Handle("HEAD /webhooks/{source}", s.handleWebhookProbe())
	mux.Handle("GET /webhooks/{source}", s.handleWebhookProbe())
	mux.Handle("POST /slack/events", s.handleSlackEvents())
	if s.SlackApp != nil {
		mux.Handle("POST /slack/commands", s.SlackApp.CommandsHandler(s.SlackSigningSecret, s.MaxBody))
		mux.Handle("POST /slack/interactions", s.SlackApp.InteractionsHandler(s.SlackSigningSecret, s.MaxBody))
	}
	s.apiRoutes(mux)
	s.gestureRoutes(mux)
	mux.Handle("GET /healthz", handleHealth())
	mux.Handle("GET /readyz", s.handleReady())
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
}

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
	// The API, behind the bearer token.
	mux.Handle("GET /api/v1/customers", s.authorized(s.handleCustomer()))
	mux.Handle("POST /api/v1/customers/merge", s.authorized(s.handleMerge()))
	mux.Handle("POST /api/v1/customers/{id}/split", s.authorized(s.handleSplit()))
	mux.Handle("GET /api/v1/ledger", s.authorized(s.handleLedger()))
	mux.Handle("GET /api/v1/budgets", s.authorized(s.handleBudgets()))
	if s.Outcomes != nil {
		mux.Handle("GET /api/v1/outcomes", s.authorized(s.handleOutcomes()))
	}
	if s.Privacy != nil {
		mux.Handle("DELETE /api/v1/customers", s.authorized(s.handleErase()))
		mux.Handle("GET /api/v1/customers/export", s.authorized(s.handleExport()))
	}
	// The web console (package console): its own routes under /console/.
	if s.Console != nil {
		mux.Handle("/console/", s.Console)
		mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	}
	mux.Handle("GET /healthz", handleHealth())
	mux.Handle("GET /readyz", s.handleReady())
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
}

package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("POST /webhooks/{source}", s.handleWebhook())
	mux.Handle("GET /healthz", handleHealth())
	mux.Handle("GET /readyz", s.handleReady())
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
}

package server

import (
	"context"
	"net/http"
	"time"
)

func handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func (s *Server) handleReady() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Store.Ready(ctx); err != nil {
			s.Log.Warn("not ready", "err", err)
			fail(w, http.StatusServiceUnavailable, "store not ready: "+err.Error())
			return
		}
		if s.Alive != nil {
			if err := s.Alive(); err != nil {
				s.Log.Warn("not ready", "err", err)
				fail(w, http.StatusServiceUnavailable, "workers not alive: "+err.Error())
				return
			}
		}
		encode(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

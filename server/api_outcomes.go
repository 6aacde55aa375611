package server

import (
	"context"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone"
)

// OutcomesAPI is what /api/v1/outcomes needs (outcomes.Service).
type OutcomesAPI interface {
	// Window resolves ?window= ("" is the first window); an unknown one is
	// an EINVALID error naming it.
	Window(name string) (time.Duration, error)
	Report(ctx context.Context, window time.Duration, now time.Time) (plusone.OutcomesReport, error)
}

// handleOutcomes answers GET /api/v1/outcomes?window=30d: per gesture,
// treatment against holdout in that window.
func (s *Server) handleOutcomes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		window, err := s.Outcomes.Window(r.URL.Query().Get("window"))
		if err != nil {
			s.apiError(w, err)
			return
		}
		rep, err := s.Outcomes.Report(r.Context(), window, s.Clock())
		if err != nil {
			s.apiError(w, err)
			return
		}
		encode(w, http.StatusOK, rep)
	})
}

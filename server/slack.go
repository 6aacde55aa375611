package server

import (
	"net/http"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/slackchat"
)

// handleSlackEvents takes Slack's Events API over HTTP. Every request is
// verified first. Messages (chat in customer channels) and
// url_verification go through intake like any webhook, so a retried event
// (X-Slack-Retry-Num) is a duplicate answered 2xx; the events that are for
// the Slack app rather than the timeline (App Home opened, links shared)
// are handed to SlackEvent and answered at once, within Slack's 3 seconds.
func (s *Server) handleSlackEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Slack == nil {
			s.reject(w, plusone.SourceSlack, "unknown_source", http.StatusNotFound,
				"Slack is not configured over HTTP: set PLUSONE_SLACK_SIGNING_SECRET")
			return
		}
		body, ok := s.readBody(w, r, plusone.SourceSlack)
		if !ok {
			return
		}
		switch kind := slackchat.Kind(body); kind {
		case "message", "url_verification", "":
			status, answer := s.Accept(r.Context(), s.Slack, r.Header, body, true)
			encode(w, status, answer)
		default:
			if err := s.Slack.Verify(r.Header, body, s.Clock()); err != nil {
				s.reject(w, plusone.SourceSlack, "unauthorized", http.StatusUnauthorized, plusone.ErrorMessage(err))
				return
			}
			if s.SlackEvent != nil {
				s.SlackEvent(r.Context(), kind, body)
			}
			encode(w, http.StatusOK, slackchat.Answer{OK: true})
		}
	})
}

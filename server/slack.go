package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/slackchat"
)

// handleSlackEvents takes Slack's Events API over HTTP. Every request is
// verified first. Messages (chat in customer channels) and
// url_verification go through intake like any webhook, so a retried event
// (X-Slack-Retry-Num) is a duplicate answered 2xx; the events that are for
// the Slack app rather than the timeline (App Home opened, links shared)
// are handed to the SlackApp and answered at once, within Slack's 3
// seconds.
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
			status, answer := s.Slack.Accept(r.Context(), r.Header, body)
			encode(w, status, answer)
		default:
			if err := s.Slack.Chat.Verify(r.Header, body, s.Clock()); err != nil {
				s.reject(w, plusone.SourceSlack, "unauthorized", http.StatusUnauthorized, plusone.ErrorMessage(err))
				return
			}
			if s.SlackApp != nil {
				s.SlackApp.EventLater(r.Context(), kind, body)
			}
			encode(w, http.StatusOK, slackchat.Answer{OK: true})
		}
	})
}

// SlackIntake stores Slack chat messages (messages in the policy's
// customer channels) durably through the server's intake, the same way
// whichever way they arrive: the Events API over HTTP (Accept, from
// /slack/events) or Socket Mode (StoreMessage, from bot.App).
type SlackIntake struct {
	Server *Server
	// Chat is Slack as a chat source (integrations/slackchat).
	Chat plusone.Integration
}

// Accept verifies an Events API request that came over HTTP and stores
// its message; it returns the answer's status and body (see
// Server.Accept).
func (i *SlackIntake) Accept(ctx context.Context, h http.Header, body []byte) (int, any) {
	return i.Server.Accept(ctx, i.Chat, h, body, true)
}

// StoreMessage stores the message of an Events API request that came over
// Socket Mode (authenticated by the socket). An error means it was not
// stored (Slack is to send it again); a malformed one is refused and
// logged like a webhook, with no error.
func (i *SlackIntake) StoreMessage(ctx context.Context, body []byte) error {
	if status, answer := i.Server.Accept(ctx, i.Chat, nil, body, false); status >= 500 {
		return fmt.Errorf("store slack message: %v", answer)
	}
	return nil
}

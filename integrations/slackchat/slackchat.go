// Package slackchat makes Slack a chat source: messages in the Slack
// channels that the policy shares with a customer (Slack Connect,
// `customer_channels`) become chat touchpoints on her timeline.
//
// Slack's Events API posts to /slack/events (or sends over Socket Mode);
// every request is signed with the app's signing secret (Verify). Parse
// answers url_verification with its challenge, turns a message in a
// customer channel into a message.received event whose dedupe key is the
// envelope's event_id — Slack's retries (X-Slack-Retry-Num) repeat it, so
// they are answered 2xx as duplicates without doing the work twice — and
// answers everything else without storing it: messages elsewhere, edits,
// joins, and messages of bots, plusone's own included.
//
// A channel mapped to an email address belongs to that customer; a message
// there from the other company (its user_team differs from ours) is hers,
// one from our side is an agent's answer. A channel mapped to an email
// domain belongs to that company: each message from their side belongs to
// its author, whose email the Enricher (users.info) looks up within the
// domain; our side's messages there name no single customer and are not
// recorded.
package slackchat

import (
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// MaxSkew is how far a request's timestamp may be from our clock (Slack
// documents five minutes).
const MaxSkew = 5 * time.Minute

// The request headers plusone reads.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
	HeaderRetryNum  = "X-Slack-Retry-Num"
)

// Channels says which customer (email) or company (email domain) a Slack
// channel is shared with; ok is false for other channels.
type Channels func(channel string) (customer string, ok bool)

// Source verifies and parses Slack Events API requests. It holds no mutable
// state and is safe for concurrent use.
type Source struct {
	secret   []byte
	mac      *webhook.Keyed // keyed with secret
	channels Channels
}

var _ plusone.Integration = (*Source)(nil)

// New returns the Slack chat source for the app's signing secret; channels
// is read on every message, so that policy reloads apply at once.
func New(signingSecret string, channels Channels) *Source {
	if channels == nil {
		channels = func(string) (string, bool) { return "", false }
	}
	return &Source{secret: []byte(signingSecret), mac: webhook.NewKeyed([]byte(signingSecret)), channels: channels}
}

// Source reports plusone.SourceSlack.
func (s *Source) Source() plusone.Source { return plusone.SourceSlack }

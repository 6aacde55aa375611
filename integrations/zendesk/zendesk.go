// Package zendesk receives Zendesk webhooks on POST /webhooks/zendesk and
// turns them into plusone events.
//
// Two kinds of Zendesk webhook arrive on the same endpoint, signed the same way
// (see Verify). Zendesk gives every webhook its own signing secret, so New
// takes several, separated by commas
// (PLUSONE_ZENDESK_WEBHOOK_SECRET=<event webhook's secret>,<trigger webhook's
// secret>), and a delivery signed with any of them is accepted.
//
//  1. Event-subscribed webhooks. Zendesk sends a fixed JSON payload per event:
//     "type" is "zen:event-type:<domain>.<event>", "subject" is
//     "zen:ticket:<id>" or "zen:user:<id>", with "detail", "event", "id" and
//     "time". Ticket events become ticket.created, message.received (a comment
//     was added) or ticket.updated (any other ticket change); the customer is
//     the ticket's requester, known only by her Zendesk user id. User events of
//     end users that carry an email become customer.updated, which links that
//     Zendesk user id to her email; other users (agents, admins) and every other
//     domain (organizations, articles, …) are accepted with no events.
//
//  2. Trigger webhooks. A trigger's "Notify webhook" action sends a body the
//     admin pastes in, built from Zendesk placeholders. Its layout is plusone's
//     own, marked with "plusone": "zendesk-trigger/1"; TriggerTemplate returns
//     it, ready to paste. "event" says what the trigger reacts to: "created",
//     "updated" (the default) or "comment", so that one trigger per situation
//     can say what happened. The requester's email and Zendesk id both identify
//     the customer, which links event-subscribed deliveries to her email. A
//     "good" or "bad" satisfaction rating adds a feedback.received event on the
//     CSAT scale (good = 5, bad = 1).
//
// Zendesk documents that placeholders sent to a webhook are rendered as
// unformatted text, and documents no JSON escaping, so a quote or a line break
// in a subject or a comment may break the JSON. Parse therefore repairs trigger bodies it cannot read as they
// are: raw control characters inside strings are escaped, and a quote inside a
// string that is not followed by what ends a JSON string (",", ":", "}" or
// "]") is taken as part of the text. The free-text placeholders are kept in the
// last objects of the template for the same reason.
//
// The dedupe key is the payload "id" of an event-subscribed webhook; for a
// trigger webhook it is the X-Zendesk-Webhook-Invocation-Id header, or the
// SHA-256 of the body when the header is absent.
package zendesk

import (
	_ "embed"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// MaxSkew is how far a request's signature timestamp may be from the
// receiver's clock, in either direction. Zendesk documents no value.
const MaxSkew = 5 * time.Minute

// The request headers plusone reads.
const (
	HeaderSignature          = "X-Zendesk-Webhook-Signature"
	HeaderSignatureTimestamp = "X-Zendesk-Webhook-Signature-Timestamp"
	HeaderInvocationID       = "X-Zendesk-Webhook-Invocation-Id"
)

// TriggerMarker is the value of "plusone" in a trigger body of the layout
// this package reads.
const TriggerMarker = "zendesk-trigger/1"

//go:embed trigger_template.json
var triggerTemplate string

// TriggerTemplate returns the JSON body to paste into a Zendesk trigger's
// "Notify webhook" action. Set "event" to "created", "updated" or "comment"
// to match the trigger's conditions.
func TriggerTemplate() string { return triggerTemplate }

// Source verifies and parses Zendesk webhooks. It holds no mutable state and
// is safe for concurrent use.
type Source struct {
	macs    []*webhook.Keyed // one per signing secret, in the order given
	baseURL string
	log     *slog.Logger
}

var _ plusone.Integration = (*Source)(nil)

// Option configures a Source.
type Option func(*Source)

// WithBaseURL sets the Zendesk account's address, such as
// "https://acme.zendesk.com", to link tickets of event-subscribed webhooks
// (whose payloads carry no link) as <base>/agent/tickets/<id>.
func WithBaseURL(u string) Option {
	return func(s *Source) { s.baseURL = strings.TrimRight(strings.TrimSpace(u), "/") }
}

// WithLogger sets the logger for debug messages (which signature layout
// matched). Without it, nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Source) {
		if l != nil {
			s.log = l
		}
	}
}

// New returns a Source that checks signatures made with secret: the signing
// secret of a webhook as Zendesk displays it, or several webhooks' secrets
// separated by commas ("secret1,secret2"), one per webhook that calls
// plusone. Spaces around each are ignored; Zendesk's secrets hold no
// commas. No secret at all rejects every request.
func New(secret string, opts ...Option) *Source {
	s := &Source{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, secret := range splitSecrets(secret) {
		s.macs = append(s.macs, webhook.NewKeyed(secret))
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// splitSecrets reads New's comma-separated secrets, leaving out empty ones.
func splitSecrets(list string) [][]byte {
	var secrets [][]byte
	for part := range strings.SplitSeq(list, ",") {
		if part = strings.TrimSpace(part); part != "" {
			secrets = append(secrets, []byte(part))
		}
	}
	return secrets
}

// Source returns plusone.SourceZendesk.
func (s *Source) Source() plusone.Source { return plusone.SourceZendesk }

// ticketURL links ticket id in the agent interface of the account at base:
// the link of the webhooks' tickets and of the history's alike. It is ""
// when either is unknown.
func ticketURL(base, id string) string {
	if base == "" || id == "" {
		return ""
	}
	return base + "/agent/tickets/" + id
}

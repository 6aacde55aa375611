// Package freshdesk receives Freshdesk webhooks on POST /webhooks/freshdesk
// and turns them into plusone events.
//
// Freshdesk has no event subscriptions that plusone could verify: an
// automation rule's "Trigger webhook" action posts a body the admin pastes
// in, built from Freshdesk placeholders, and signs nothing. The rule
// therefore sends the shared token (PLUSONE_FRESHDESK_WEBHOOK_SECRET) in the
// header X-Plusone-Token, which Verify compares in constant time.
//
// The body's layout is plusone's own, marked with "plusone": "freshdesk/1";
// BodyTemplate returns it, ready to paste. One rule per situation sets
// "event" to say what happened:
//   - "ticket_created": ticket.created, carrying the latest public comment,
//     else the description, as the customer's first message.
//   - "customer_replied": message.received from the customer (the latest
//     public comment).
//   - "agent_replied": message.received from the agent, which answers the
//     customer.
//   - "status_changed" and "ticket_updated" (also when "event" is empty):
//     ticket.updated.
//   - "satisfaction": feedback.received on the CSAT scale; the rule sets
//     "satisfaction.rating" to the rating it matches (1 to 5, Freshdesk's
//     rating codes 103 to -103, or words such as "Extremely happy").
//
// The requester's email and Freshdesk contact id identify the customer.
// Freshdesk renders placeholders as text without JSON escaping, so a quote
// or a line break in a subject, a description or a comment may break the
// JSON; comments are HTML. Parse therefore repairs bodies it cannot read as
// they are (raw control characters inside strings are escaped, and a quote
// not followed by what ends a JSON string is taken as text), and keeps the
// free-text placeholders last in the template.
//
// Freshdesk sends no delivery id. The dedupe key is made of fields of the
// body: "<event>:<ticket id>:<updated_at>", followed by a hash of the
// comment when there is one, so that two rules firing on the same update
// are two deliveries and a retry is one. When updated_at is missing, a hash
// of the body stands in for it.
package freshdesk

import (
	_ "embed"

	"github.com/plusone-hq/plusone"
)

// HeaderToken is the request header that carries the shared token.
const HeaderToken = "X-Plusone-Token"

// BodyMarker is the value of "plusone" in a body of the layout this package
// reads.
const BodyMarker = "freshdesk/1"

//go:embed body_template.json
var bodyTemplate string

// BodyTemplate returns the JSON body to paste into a Freshdesk automation
// rule's "Trigger webhook" action. Set "event" to "ticket_created",
// "customer_replied", "agent_replied", "status_changed", "ticket_updated" or
// "satisfaction" to match the rule, and for "satisfaction" set
// "satisfaction.rating" to the rating the rule matches.
func BodyTemplate() string { return bodyTemplate }

// Source verifies and parses Freshdesk webhooks. It holds no mutable state
// and is safe for concurrent use.
type Source struct {
	token []byte
}

var _ plusone.Integration = (*Source)(nil)

// New returns a Source that accepts requests whose X-Plusone-Token header
// is secret, the shared token pasted into the automation rules. An empty
// secret rejects every request.
func New(secret string) *Source {
	return &Source{token: []byte(secret)}
}

// Source returns plusone.SourceFreshdesk.
func (s *Source) Source() plusone.Source { return plusone.SourceFreshdesk }

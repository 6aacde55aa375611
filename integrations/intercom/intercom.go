// Package intercom receives Intercom webhook notifications on
// POST /webhooks/intercom and turns them into plusone events.
//
// Intercom signs the raw body: X-Hub-Signature is "sha1=" followed by the
// lowercase hex HMAC-SHA1 of it, keyed with the app's client secret (see
// Verify). There is no signed timestamp. Every notification is a JSON
// object of type "notification_event" whose "topic" says what happened and
// whose "data.item" holds the object it happened to; its "id" (notif_…) is
// the dedupe key, repeated by Intercom's redeliveries.
//
// An Intercom conversation is a plusone ticket: the ticket id is the
// conversation id, its subject the message's subject, else the
// conversation's title, else the start of the first message; its link is
// https://app.intercom.com/a/inbox/<app_id>/inbox/shared/all/conversation/<id>.
// Its customer is the author of the first message when that is a user, a
// lead or a contact, else the conversation's first contact; she is known by
// her Intercom contact id (and her email when the payload carries it).
// Message bodies are HTML and become plain text.
//
// Topics:
//   - conversation.user.created: ticket.created, carrying the first message
//     (from the customer).
//   - conversation.admin.single.created: ticket.created, carrying the
//     admin's first message (not from the customer).
//   - conversation.user.replied: message.received from the customer (the
//     newest conversation part).
//   - conversation.admin.replied: message.received from the agent, which
//     answers the customer.
//   - conversation.admin.noted: message.received marked private (an
//     internal note).
//   - conversation.admin.closed, .opened, .snoozed, .unsnoozed, .assigned,
//     .open.assigned, conversation.priority.updated: ticket.updated with the
//     conversation's state (closed, open, snoozed).
//   - conversation.rating.added: feedback.received on the CSAT scale (the
//     1-5 rating and its remark), on the conversation's ticket.
//   - contact.user.created, contact.user.updated, contact.lead.created,
//     contact.lead.updated, contact.lead.signed_up, contact.email.updated,
//     contact.lead.added_email, and user.created / user.email.updated of
//     older API versions: customer.updated with her email, name, phone and
//     Intercom contact id, which links her conversations to her email.
//   - ping: answered {"ok": true} with no events and not stored.
//
// Any other topic is accepted with no events: Intercom must get a 2xx.
package intercom

import (
	"github.com/plusone-hq/plusone"
)

// HeaderSignature is the request header that carries Intercom's signature.
const HeaderSignature = "X-Hub-Signature"

// Source verifies and parses Intercom webhooks. It holds no mutable state and
// is safe for concurrent use.
type Source struct {
	secret []byte
}

var _ plusone.Integration = (*Source)(nil)

// New returns a Source that checks signatures made with secret, the client
// secret of the Intercom app that owns the webhook subscription (Developer
// Hub → the app → Basic information). An empty secret rejects every request.
func New(secret string) *Source {
	return &Source{secret: []byte(secret)}
}

// Source returns plusone.SourceIntercom.
func (s *Source) Source() plusone.Source { return plusone.SourceIntercom }

// conversationURL links a conversation in the Intercom inbox of app appID.
// The layout is that of the conversation links in Intercom's own webhook
// documentation; Intercom does not document it as stable.
func conversationURL(appID, id string) string {
	if appID == "" || id == "" || !urlSafe(appID) || !urlSafe(id) {
		return ""
	}
	return "https://app.intercom.com/a/inbox/" + appID + "/inbox/shared/all/conversation/" + id
}

// urlSafe reports whether s can be put in a URL path as it is.
func urlSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Package helpscout receives Help Scout webhooks on POST /webhooks/helpscout
// and turns them into plusone events.
//
// Help Scout signs the raw body: X-HelpScout-Signature is the base64
// HMAC-SHA1 of it, keyed with the secret key entered in the webhook's
// settings (see Verify). There is no signed timestamp. X-HelpScout-Event
// names the event; the body is the object it happened to, in the v2 layout
// Help Scout sends by default (the deprecated v1 layout is read too).
//
// A Help Scout conversation is a plusone ticket: the ticket id is the
// conversation id, its link https://secure.helpscout.net/conversation/<id>/<number>,
// its status that of the conversation with "active" read as "open". Its
// customer is the conversation's primary customer, known by her Help Scout
// customer id and her email. Thread bodies are HTML and become plain text.
//
// Events:
//   - convo.created (and convo.ai-answers.created): ticket.created, carrying
//     the conversation's first thread (or its preview) as the first message.
//   - convo.customer.reply.created: message.received from the customer (the
//     newest customer thread).
//   - convo.agent.reply.created: message.received from the agent (the newest
//     reply thread), which answers the customer.
//   - convo.note.created: message.received marked private (an internal
//     note).
//   - convo.status, convo.assigned, convo.tags, convo.moved, convo.merged,
//     convo.custom-fields: ticket.updated.
//   - satisfaction.ratings: feedback.received on the CSAT scale: Great is 5,
//     Okay 3, Not Good (Bad) 1.
//   - customer.created, customer.updated: customer.updated with her email,
//     name, phone and Help Scout id.
//   - helpscout.test (the webhook settings' test button): answered
//     {"ok": true} with no events and not stored.
//
// convo.deleted, customer.deleted and any other event are accepted with no
// events: Help Scout must get a 2xx.
//
// Help Scout sends no delivery id, so the dedupe key is derived from what
// the body says changed: "<event>:<conversation id>:thread:<thread id>" for
// created threads, "convo.created:<id>", "<event>:<id>:<userUpdatedAt>:<state
// digest>" for other conversation changes (the digest of status, assignee,
// mailbox and tags tells apart changes made within the same second),
// "<event>:<customer id>:<updatedAt>" for customers and
// "satisfaction.ratings:<rating id>:<modifiedAt>" for ratings. Fields such as
// customerWaitingSince.friendly ("20 hours ago") change between two
// deliveries of the same event, so a hash of the body would not recognise a
// redelivery; it is only the fallback ("sha256:<hex of event and body>")
// when the body carries none of these.
package helpscout

import (
	"net/http"
	"strings"

	"github.com/plusone-hq/plusone"
)

// The request headers Help Scout sends.
const (
	HeaderSignature = "X-HelpScout-Signature"
	HeaderEvent     = "X-HelpScout-Event"
)

// TestEvent is the event of the test request sent from the webhook's
// settings.
const TestEvent = "helpscout.test"

// Source verifies and parses Help Scout webhooks. It holds no mutable state
// and is safe for concurrent use.
type Source struct {
	secret []byte
}

var _ plusone.Integration = (*Source)(nil)

// New returns a Source that checks signatures made with secret, the secret
// key entered in the Help Scout webhook's settings. An empty secret rejects
// every request.
func New(secret string) *Source {
	return &Source{secret: []byte(secret)}
}

// Source returns plusone.SourceHelpScout.
func (s *Source) Source() plusone.Source { return plusone.SourceHelpScout }

// eventName returns the event of a request, lower case.
func eventName(h http.Header) string {
	return strings.ToLower(strings.TrimSpace(h.Get(HeaderEvent)))
}

// conversationURL links a conversation in Help Scout, as Help Scout's
// documentation builds it from the id and the number.
func conversationURL(id, number string) string {
	if !digits(id) {
		return ""
	}
	u := "https://secure.helpscout.net/conversation/" + id
	if digits(number) {
		u += "/" + number
	}
	return u
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

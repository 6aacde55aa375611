package intercom

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// notification is the envelope of every Intercom webhook.
type notification struct {
	Type      string   `json:"type"`
	ID        text     `json:"id"`
	Topic     string   `json:"topic"`
	AppID     text     `json:"app_id"`
	CreatedAt unixTime `json:"created_at"`
	Data      struct {
		Item json.RawMessage `json:"item"`
	} `json:"data"`
}

// notificationType is the value of "type" of a notification.
const notificationType = "notification_event"

// Pong is the answer to Intercom's ping: a 2xx that is not stored.
type Pong struct {
	OK bool `json:"ok"`
}

// Parse turns an Intercom notification into events according to its topic
// (see the package documentation). A ping is answered with a Pong and no
// events. Its errors are EINVALID and name the field at fault.
func (s *Source) Parse(_ http.Header, body []byte) (plusone.Delivery, error) {
	var n notification
	if err := webhook.Decode(body, &n, ""); err != nil {
		return plusone.Delivery{}, err
	}
	if n.Type != "" && n.Type != notificationType {
		return plusone.Delivery{}, webhook.Invalid(`field "type": %q is not %q; send Intercom webhook notifications here`, webhook.Clip(n.Type), notificationType)
	}
	topic := lower(n.Topic)
	if topic == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "topic": required`)
	}
	if topic == "ping" {
		return plusone.Delivery{DedupeKey: "ping:" + string(n.ID), Reply: Pong{OK: true}}, nil
	}
	if n.ID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "id": required (the notification id, notif_…, repeated on redelivery)`)
	}
	d := plusone.Delivery{DedupeKey: string(n.ID)}
	handle, ok := topicHandler(topic)
	if !ok {
		return d, nil // a topic plusone does not use; Intercom still needs a 2xx
	}
	item := strings.TrimSpace(string(n.Data.Item))
	if item == "" || item == "null" {
		return plusone.Delivery{}, webhook.Invalid(`field "data.item": required for topic %q`, topic)
	}
	n.Topic = topic
	events, err := handle(n)
	if err != nil {
		return plusone.Delivery{}, err
	}
	d.Events = events
	return d, nil
}

// handler turns the data.item of a notification into events.
type handler func(n notification) ([]plusone.Event, error)

// topicHandler returns what handles topic, and false for topics plusone
// does not use.
func topicHandler(topic string) (handler, bool) {
	switch topic {
	case "conversation.user.created", "conversation.admin.single.created":
		return conversationEvent(created), true
	case "conversation.user.replied":
		return conversationEvent(customerReply), true
	case "conversation.admin.replied":
		return conversationEvent(agentReply), true
	case "conversation.admin.noted":
		return conversationEvent(note), true
	case "conversation.admin.closed", "conversation.admin.opened", "conversation.admin.snoozed",
		"conversation.admin.unsnoozed", "conversation.admin.assigned", "conversation.admin.open.assigned",
		"conversation.priority.updated":
		return conversationEvent(updated), true
	case "conversation.rating.added":
		return conversationEvent(rated), true
	case "contact.user.created", "contact.user.updated", "contact.lead.created", "contact.lead.updated",
		"contact.lead.signed_up", "contact.email.updated", "contact.lead.added_email",
		"contact.created", "contact.signed_up", "user.created", "user.email.updated":
		return contactEvent, true
	}
	return nil, false
}

// newEvent starts an event of notification n; the caller fills in the rest.
func newEvent(n notification, typ plusone.EventType, at time.Time) plusone.Event {
	return plusone.Event{Source: plusone.SourceIntercom, ID: string(n.ID), Type: typ, OccurredAt: firstTime(at, n.CreatedAt.Time())}
}

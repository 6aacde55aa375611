package helpscout

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Pong is the answer to Help Scout's test request: a 2xx that is not stored.
type Pong struct {
	OK bool `json:"ok"`
}

// Parse turns a Help Scout webhook into events according to its
// X-HelpScout-Event header (see the package documentation). The test event
// is answered with a Pong and no events. Its errors are EINVALID and name
// the header or the field at fault.
func (s *Source) Parse(h http.Header, body []byte) (plusone.Delivery, error) {
	event := eventName(h)
	switch event {
	case "":
		return plusone.Delivery{}, webhook.Invalid("missing header %s: Help Scout names the event in it", HeaderEvent)
	case TestEvent:
		return plusone.Delivery{DedupeKey: TestEvent, Reply: Pong{OK: true}}, nil
	}
	if k, ok := conversationKind(event); ok {
		return parseConversation(event, k, body)
	}
	switch event {
	case "customer.created", "customer.updated":
		return parseCustomer(event, body)
	case "satisfaction.ratings":
		return parseRating(event, body)
	case "convo.deleted", "customer.deleted":
		var p struct {
			ID text `json:"id"`
		}
		if err := webhook.Decode(body, &p, ""); err != nil {
			return plusone.Delivery{}, err
		}
		if p.ID == "" {
			return plusone.Delivery{DedupeKey: bodyKey(event, body)}, nil
		}
		return plusone.Delivery{DedupeKey: event + ":" + string(p.ID)}, nil
	}
	// Beacon chats, tags, surveys and events yet to come: not for plusone,
	// but Help Scout still needs a 2xx.
	return plusone.Delivery{DedupeKey: bodyKey(event, body)}, nil
}

// bodyKey is the dedupe key of last resort: a hash of the event and the
// body, which a byte-for-byte redelivery repeats.
func bodyKey(event string, body []byte) string {
	m := sha256.New()
	m.Write([]byte(event))
	m.Write([]byte{'\n'})
	m.Write(body)
	return "sha256:" + hex.EncodeToString(m.Sum(nil))
}

// newEvent starts an event with the given id; the caller fills in the rest.
func newEvent(id string, typ plusone.EventType) plusone.Event {
	return plusone.Event{Source: plusone.SourceHelpScout, ID: id, Type: typ}
}

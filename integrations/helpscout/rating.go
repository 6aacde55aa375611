package helpscout

import (
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// ratingObject is the body of satisfaction.ratings. Help Scout documents
// ticketId for the rated conversation; conversationId is read too.
type ratingObject struct {
	ID             text    `json:"id"`
	Customer       *person `json:"customer"`
	TicketID       text    `json:"ticketId"`
	ConversationID text    `json:"conversationId"`
	Rating         text    `json:"rating"`
	Comments       string  `json:"comments"`
	CreatedAt      string  `json:"createdAt"`
	ModifiedAt     string  `json:"modifiedAt"`
}

// parseRating turns a satisfaction rating into feedback.received on the
// CSAT scale. The event names no ticket: the rating carries only the
// conversation's id, and plusone would otherwise open an empty ticket for a
// conversation it has not seen.
func parseRating(event string, body []byte) (plusone.Delivery, error) {
	var r ratingObject
	if err := webhook.Decode(body, &r, ""); err != nil {
		return plusone.Delivery{}, err
	}
	word, score, ok := csat(string(r.Rating))
	if !ok {
		return plusone.Delivery{}, webhook.Invalid(`field "rating": %q is not Great, Okay or Not Good`, webhook.Clip(string(r.Rating)))
	}
	if !r.Customer.known() {
		return plusone.Delivery{}, webhook.Invalid(`field "customer": the rating names no customer (id or email)`)
	}
	stamp := firstOf(r.ModifiedAt, r.CreatedAt)
	at, err := timestamp("modifiedAt", stamp)
	if err != nil {
		return plusone.Delivery{}, err
	}
	key := bodyKey(event, body)
	if r.ID != "" && stamp != "" {
		key = event + ":" + string(r.ID) + ":" + stamp
	}
	// One feedback per rating and score, however often it is notified.
	id := "rating:" + string(r.ID) + ":" + word
	if r.ID == "" {
		id = "rating:conversation:" + firstOf(string(r.TicketID), string(r.ConversationID)) + ":" + word
	}
	e := newEvent(id, plusone.EventFeedbackReceived)
	e.OccurredAt = at
	e.Customer = r.Customer.ref()
	e.Feedback = &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: htmltext.FoldSpace(r.Comments)}
	return plusone.Delivery{DedupeKey: key, Events: []plusone.Event{e}}, nil
}

// csat maps Help Scout's three ratings onto the CSAT scale.
func csat(rating string) (word string, score int, ok bool) {
	switch strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(lower(rating))), " ") {
	case "great":
		return "great", 5, true
	case "okay", "ok":
		return "okay", 3, true
	case "bad", "not good", "notgood":
		return "not_good", 1, true
	}
	return "", 0, false
}

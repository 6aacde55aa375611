package helpscout

import (
	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// customerObject is the body of customer events.
type customerObject struct {
	person
	CreatedAt  string `json:"createdAt"`
	UpdatedAt  string `json:"updatedAt"`
	ModifiedAt string `json:"modifiedAt"`
}

// parseCustomer turns customer.created and customer.updated into
// customer.updated, known by her Help Scout id and her email.
func parseCustomer(event string, body []byte) (plusone.Delivery, error) {
	var c customerObject
	if err := webhook.Decode(body, &c, ""); err != nil {
		return plusone.Delivery{}, err
	}
	if c.ID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "id": required (the customer id)`)
	}
	since, err := timestamp("createdAt", c.CreatedAt)
	if err != nil {
		return plusone.Delivery{}, err
	}
	stamp := firstOf(c.UpdatedAt, c.ModifiedAt, c.CreatedAt)
	at, err := timestamp("updatedAt", stamp)
	if err != nil {
		return plusone.Delivery{}, err
	}
	key := event + ":" + string(c.ID) + ":" + stamp
	if stamp == "" {
		key = bodyKey(event, body)
	}
	e := newEvent(key, plusone.EventCustomerUpdated)
	e.OccurredAt = at
	e.Customer = c.ref()
	e.Customer.Since = since
	return plusone.Delivery{DedupeKey: key, Events: []plusone.Event{e}}, nil
}

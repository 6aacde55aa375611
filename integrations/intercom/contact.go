package intercom

import (
	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// contact is the data.item of contact topics: Intercom's Contact object, or
// the User object of older API versions.
type contact struct {
	ID        text     `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	CreatedAt unixTime `json:"created_at"`
	UpdatedAt unixTime `json:"updated_at"`
}

// contactEvent turns a created or updated contact into customer.updated,
// known by her Intercom contact id and, when she has one, her email.
func contactEvent(n notification) ([]plusone.Event, error) {
	var c contact
	if err := webhook.Decode(n.Data.Item, &c, "data.item"); err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, webhook.Invalid(`field "data.item.id": required (the contact id)`)
	}
	e := newEvent(n, plusone.EventCustomerUpdated, firstTime(c.UpdatedAt.Time(), c.CreatedAt.Time()))
	e.Customer = plusone.CustomerRef{
		Name:       c.Name,
		Phone:      c.Phone,
		ExternalID: string(c.ID),
		Since:      c.CreatedAt.Time(),
	}
	if plusone.NormalizeEmail(c.Email) != "" {
		e.Customer.Email = c.Email
	}
	return []plusone.Event{e}, nil
}

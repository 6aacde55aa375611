package shopify

import (
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// customerJSON is a Shopify customer, standing alone or inside an order or a
// checkout. Orders_count and total_spent are informational; plusone counts
// orders itself.
type customerJSON struct {
	ID        id     `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// ref builds the customer reference from the customer object c (possibly
// nil) at field ("" for the body itself) and the email and phone of the
// order or checkout around it, which come first.
func ref(field string, c *customerJSON, emails []string, phone string) (plusone.CustomerRef, error) {
	var r plusone.CustomerRef
	if c != nil {
		since, err := webhook.Timestamp(strings.TrimPrefix(field+".created_at", "."), c.CreatedAt)
		if err != nil {
			return r, err
		}
		r = plusone.CustomerRef{
			ExternalID: string(c.ID),
			Name:       strings.TrimSpace(strings.TrimSpace(c.FirstName) + " " + strings.TrimSpace(c.LastName)),
			Phone:      strings.TrimSpace(c.Phone),
			Since:      since,
		}
		emails = append(emails, c.Email)
	}
	for _, e := range emails {
		if plusone.NormalizeEmail(e) != "" {
			r.Email = strings.TrimSpace(e)
			break
		}
	}
	if p := strings.TrimSpace(phone); p != "" {
		r.Phone = p
	}
	return r, nil
}

// known reports whether r identifies anyone.
func known(r plusone.CustomerRef) bool {
	return len(r.Identities(plusone.SourceShopify)) > 0
}

func (b event) customer(body []byte) (*plusone.Event, error) {
	var c customerJSON
	if err := webhook.Decode(body, &c, ""); err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, webhook.Invalid(`field "id": required for a customer`)
	}
	r, err := ref("", &c, nil, "")
	if err != nil {
		return nil, err
	}
	at, err := webhook.Timestamp("updated_at", c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	e := b.new(plusone.EventCustomerUpdated)
	e.OccurredAt, e.Customer = at, r
	return e, nil
}

package shopify

import (
	"encoding/json"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// orderJSON is the REST order resource, as orders/* webhooks send it. Only
// the fields plusone uses are read.
type orderJSON struct {
	ID                id              `json:"id"`
	Name              string          `json:"name"`
	Email             string          `json:"email"`
	ContactEmail      string          `json:"contact_email"`
	Phone             string          `json:"phone"`
	CreatedAt         string          `json:"created_at"`
	UpdatedAt         string          `json:"updated_at"`
	CancelledAt       string          `json:"cancelled_at"`
	Currency          string          `json:"currency"`
	TotalPrice        json.RawMessage `json:"total_price"`
	FulfillmentStatus string          `json:"fulfillment_status"`
	CheckoutToken     string          `json:"checkout_token"`
	Customer          *customerJSON   `json:"customer"`
	LineItems         []lineItemJSON  `json:"line_items"`
	Refunds           []refundJSON    `json:"refunds"`
}

type lineItemJSON struct {
	Title    string          `json:"title"`
	SKU      string          `json:"sku"`
	Quantity int             `json:"quantity"`
	Price    json.RawMessage `json:"price"`
}

// order reads an orders/* body: the order's event, with nothing refunded,
// then one order.updated event per refund the order lists, each as
// refunds/create reports that refund (its amount and refund id). Every
// refund is thus counted once by its id, whether an order delivery or the
// refund's own comes first; the order's event carries no refunded total,
// which would count a refund again beside its id.
func (b event) order(body []byte, typ plusone.EventType) ([]plusone.Event, error) {
	var o orderJSON
	if err := webhook.Decode(body, &o, ""); err != nil {
		return nil, err
	}
	if o.ID == "" {
		return nil, webhook.Invalid(`field "id": required for an order`)
	}
	r, err := ref("customer", o.Customer, []string{o.Email, o.ContactEmail}, o.Phone)
	if err != nil {
		return nil, err
	}
	if !known(r) {
		return nil, nil // a walk-in sale: no one to remember it for
	}
	total, err := webhook.Amount("total_price", o.TotalPrice)
	if err != nil {
		return nil, err
	}
	items, err := lineItems("line_items", o.LineItems)
	if err != nil {
		return nil, err
	}
	created, err := webhook.Timestamp("created_at", o.CreatedAt)
	if err != nil {
		return nil, err
	}
	updated, err := webhook.Timestamp("updated_at", o.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if _, err := webhook.Timestamp("cancelled_at", o.CancelledAt); err != nil {
		return nil, err
	}
	e := b.new(typ)
	e.Customer = r
	e.OccurredAt = updated
	if typ == plusone.EventOrderCreated || updated.IsZero() {
		e.OccurredAt = created
	}
	e.Order = &plusone.Order{
		ID:            string(o.ID),
		Name:          strings.TrimSpace(o.Name),
		URL:           orderURL(b.shop, string(o.ID)),
		Total:         total,
		Currency:      currency(o.Currency),
		Status:        orderStatus(o.CancelledAt, o.FulfillmentStatus),
		Items:         items,
		CheckoutToken: strings.TrimSpace(o.CheckoutToken),
		CreatedAt:     created,
	}
	events := []plusone.Event{*e}
	for i, rf := range o.Refunds {
		r, err := b.orderRefund(rf, i, e)
		if err != nil {
			return nil, err
		}
		if r != nil {
			events = append(events, *r)
		}
	}
	return events, nil
}

// orderStatus says whether an order is cancelled, fulfilled or open, from
// its cancellation time and its fulfillment status: a webhook's
// cancelled_at and fulfillment_status ("fulfilled"), or the history's
// cancelledAt and displayFulfillmentStatus ("FULFILLED").
func orderStatus(cancelledAt, fulfillmentStatus string) string {
	switch {
	case strings.TrimSpace(cancelledAt) != "":
		return plusone.OrderCancelled
	case strings.EqualFold(strings.TrimSpace(fulfillmentStatus), "fulfilled"):
		return plusone.OrderFulfilled
	}
	return plusone.OrderOpen
}

func lineItems(field string, in []lineItemJSON) ([]plusone.LineItem, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]plusone.LineItem, 0, len(in))
	for i, it := range in {
		price, err := webhook.Amount(webhook.ItemField(field, i, "price"), it.Price)
		if err != nil {
			return nil, err
		}
		out = append(out, plusone.LineItem{Title: strings.TrimSpace(it.Title), SKU: strings.TrimSpace(it.SKU), Quantity: it.Quantity, Price: price})
	}
	return out, nil
}

func currency(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

package shopify

import (
	"encoding/json"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// checkoutJSON is the REST abandoned-checkout resource, as checkouts/*
// webhooks send it.
type checkoutJSON struct {
	ID                   id              `json:"id"`
	Token                string          `json:"token"`
	Email                string          `json:"email"`
	Phone                string          `json:"phone"`
	AbandonedCheckoutURL string          `json:"abandoned_checkout_url"`
	TotalPrice           json.RawMessage `json:"total_price"`
	Currency             string          `json:"currency"`
	CreatedAt            string          `json:"created_at"`
	UpdatedAt            string          `json:"updated_at"`
	CompletedAt          string          `json:"completed_at"`
	Customer             *customerJSON   `json:"customer"`
	LineItems            []lineItemJSON  `json:"line_items"`
}

// checkout reports an open or completed checkout. Its cart's ID is the
// checkout token, which the order that completes it names as checkout_token.
func (b event) checkout(body []byte) (*plusone.Event, error) {
	var c checkoutJSON
	if err := webhook.Decode(body, &c, ""); err != nil {
		return nil, err
	}
	cartID := strings.TrimSpace(c.Token)
	if cartID == "" {
		cartID = string(c.ID)
	}
	if cartID == "" {
		return nil, webhook.Invalid(`field "token": required for a checkout (or "id")`)
	}
	r, err := ref("customer", c.Customer, []string{c.Email}, c.Phone)
	if err != nil {
		return nil, err
	}
	if !known(r) {
		return nil, nil // no contact details yet: not abandonable, no one to remember
	}
	total, err := webhook.Amount("total_price", c.TotalPrice)
	if err != nil {
		return nil, err
	}
	items, err := lineItems("line_items", c.LineItems)
	if err != nil {
		return nil, err
	}
	updated, err := webhook.Timestamp("updated_at", c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	created, err := webhook.Timestamp("created_at", c.CreatedAt)
	if err != nil {
		return nil, err
	}
	completed, err := webhook.Timestamp("completed_at", c.CompletedAt)
	if err != nil {
		return nil, err
	}
	if updated.IsZero() {
		updated = created
	}
	e := b.new(plusone.EventCheckoutUpdated)
	e.OccurredAt, e.Customer = updated, r
	e.Cart = &plusone.Cart{
		ID:          cartID,
		URL:         strings.TrimSpace(c.AbandonedCheckoutURL),
		Total:       total,
		Currency:    currency(c.Currency),
		Items:       items,
		UpdatedAt:   updated,
		CompletedAt: completed,
	}
	return e, nil
}

package shopify

import (
	"encoding/json"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// refundJSON is the REST refund resource: the refunds/create body, and each
// of an order's refunds.
type refundJSON struct {
	ID           id     `json:"id"`
	OrderID      id     `json:"order_id"`
	CreatedAt    string `json:"created_at"`
	ProcessedAt  string `json:"processed_at"`
	Transactions []struct {
		Kind     string          `json:"kind"`
		Status   string          `json:"status"`
		Amount   json.RawMessage `json:"amount"`
		Currency string          `json:"currency"`
	} `json:"transactions"`
	RefundLineItems []struct {
		Subtotal json.RawMessage `json:"subtotal"`
	} `json:"refund_line_items"`
}

// amount is the money this refund returned: its successful refund
// transactions or, when it lists no transactions, the subtotals of its
// refunded line items. field names the refund in errors ("" for the body).
func (r refundJSON) amount(field string) (plusone.Money, string, error) {
	prefix := strings.TrimSuffix(field, ".")
	if prefix != "" {
		prefix += "."
	}
	var sum plusone.Money
	var cur string
	for i, t := range r.Transactions {
		if !strings.EqualFold(t.Kind, "refund") {
			continue
		}
		if s := strings.ToLower(strings.TrimSpace(t.Status)); s != "" && s != "success" {
			continue
		}
		m, err := webhook.Amount(webhook.ItemField(prefix+"transactions", i, "amount"), t.Amount)
		if err != nil {
			return 0, "", err
		}
		sum += m
		if cur == "" {
			cur = currency(t.Currency)
		}
	}
	if len(r.Transactions) > 0 {
		return sum, cur, nil
	}
	for i, li := range r.RefundLineItems {
		m, err := webhook.Amount(webhook.ItemField(prefix+"refund_line_items", i, "subtotal"), li.Subtotal)
		if err != nil {
			return 0, "", err
		}
		sum += m
	}
	return sum, cur, nil
}

// refund reports a refund as an update of its order. The payload names no
// customer; the order, known from its earlier events, does.
func (b event) refund(body []byte) (*plusone.Event, error) {
	var r refundJSON
	if err := webhook.Decode(body, &r, ""); err != nil {
		return nil, err
	}
	if r.OrderID == "" {
		return nil, webhook.Invalid(`field "order_id": required for a refund`)
	}
	refunded, cur, err := r.amount("")
	if err != nil {
		return nil, err
	}
	at, err := webhook.Timestamp("processed_at", r.ProcessedAt)
	if err != nil {
		return nil, err
	}
	created, err := webhook.Timestamp("created_at", r.CreatedAt)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = created
	}
	e := b.new(plusone.EventOrderUpdated)
	e.OccurredAt = at
	e.Order = &plusone.Order{
		ID:       string(r.OrderID),
		URL:      b.orderURL(string(r.OrderID)),
		Refunded: refunded,
		RefundID: string(r.ID),
		Currency: cur,
	}
	return e, nil
}

package shopify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
	refunded, cur, at, err := r.read("")
	if err != nil {
		return nil, err
	}
	e := b.new(plusone.EventOrderUpdated)
	e.OccurredAt = at
	e.Order = &plusone.Order{
		ID:       string(r.OrderID),
		URL:      orderURL(b.shop, string(r.OrderID)),
		Refunded: refunded,
		RefundID: string(r.ID),
		Currency: cur,
	}
	return e, nil
}

// orderRefund reports one refund that an orders/* body lists, as refunds/create
// reports it (the same amount, refund id and time), for the customer of the
// order's event; i is its place in the order's refunds. A refund
// of nothing changes nothing and gives no event; one without an id (only
// hand-made payloads lack it) reports the amount as the order's refunded
// total, which counts no refund twice.
func (b event) orderRefund(r refundJSON, i int, order *plusone.Event) (*plusone.Event, error) {
	refunded, cur, at, err := r.read(webhook.ItemField("refunds", i, ""))
	if err != nil || refunded == 0 {
		return nil, err
	}
	if at.IsZero() {
		at = order.OccurredAt
	}
	e := b.new(plusone.EventOrderUpdated)
	e.ID = b.id + ":refund:" + string(r.ID)
	if r.ID == "" {
		e.ID = fmt.Sprintf("%s:refunds[%d]", b.id, i)
	}
	e.OccurredAt = at
	e.Customer = order.Customer
	e.Order = &plusone.Order{
		ID:       order.Order.ID,
		URL:      order.Order.URL,
		Refunded: refunded,
		RefundID: string(r.ID),
		Currency: cur,
	}
	if cur == "" {
		e.Order.Currency = order.Order.Currency
	}
	return e, nil
}

// read returns what a refund returned (see amount), its currency, and when
// it was processed (else created; zero when it does not say). field
// prefixes the names of its fields in errors.
func (r refundJSON) read(field string) (plusone.Money, string, time.Time, error) {
	prefix := strings.TrimSuffix(field, ".")
	if prefix != "" {
		prefix += "."
	}
	refunded, cur, err := r.amount(field)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	at, err := webhook.Timestamp(prefix+"processed_at", r.ProcessedAt)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	created, err := webhook.Timestamp(prefix+"created_at", r.CreatedAt)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	if at.IsZero() {
		at = created
	}
	return refunded, cur, at, nil
}

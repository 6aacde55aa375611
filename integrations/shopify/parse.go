package shopify

import (
	"net/http"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Parse turns a Shopify webhook into events according to its topic (see the
// package documentation). Its errors are EINVALID and name the header or the
// field at fault.
func (s *Source) Parse(h http.Header, body []byte) (plusone.Delivery, error) {
	topic := header(h, HeaderTopic)
	if topic == "" {
		return plusone.Delivery{}, webhook.Invalid("missing header %s", HeaderTopic)
	}
	key := header(h, HeaderEventID)
	if key == "" {
		key = header(h, HeaderWebhookID)
	}
	if key == "" {
		return plusone.Delivery{}, webhook.Invalid("missing headers %s and %s: one of them must identify the delivery", HeaderEventID, HeaderWebhookID)
	}
	d := plusone.Delivery{DedupeKey: key}
	base := event{id: key, shop: shopDomain(header(h, HeaderShopDomain))}
	var (
		events []plusone.Event
		err    error
	)
	switch topic {
	case "orders/create":
		events, err = base.order(body, plusone.EventOrderCreated)
	case "orders/updated", "orders/fulfilled", "orders/cancelled", "orders/paid":
		events, err = base.order(body, plusone.EventOrderUpdated)
	case "refunds/create":
		events, err = one(base.refund(body))
	case "checkouts/create", "checkouts/update":
		events, err = one(base.checkout(body))
	case "customers/create", "customers/update":
		events, err = one(base.customer(body))
	case "customers/data_request":
		events, err = one(base.compliance(body, plusone.EventDataRequest))
	case "customers/redact":
		events, err = one(base.compliance(body, plusone.EventCustomerRedact))
	case "shop/redact":
		events, err = one(base.compliance(body, plusone.EventShopRedact))
	default:
		return d, nil // not a topic plusone uses; Shopify still needs a 2xx
	}
	if err != nil {
		return plusone.Delivery{}, err
	}
	d.Events = events
	return d, nil
}

// one turns a parser's single event, if any, into a delivery's events.
func one(e *plusone.Event, err error) ([]plusone.Event, error) {
	if err != nil || e == nil {
		return nil, err
	}
	return []plusone.Event{*e}, nil
}

// event holds what every event of a delivery shares.
type event struct {
	id   string
	shop string // the shop's domain, if it is one
}

func (b event) new(typ plusone.EventType) *plusone.Event {
	return &plusone.Event{Source: plusone.SourceShopify, ID: b.id, Type: typ}
}

// orderURL links order orderID in the admin of shop, a domain: the link of
// the webhooks' orders and of the history's alike. It is "" when either is
// unknown.
func orderURL(shop, orderID string) string {
	if shop == "" || orderID == "" {
		return ""
	}
	return "https://" + shop + "/admin/orders/" + orderID
}

// shopDomain returns the header's domain if it looks like one. The header is
// not signed, so nothing else makes it into a link.
func shopDomain(s string) string {
	s = strings.ToLower(s)
	if s == "" || len(s) > 253 || !strings.Contains(s, ".") {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return ""
		}
	}
	return s
}

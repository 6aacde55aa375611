// Package shopify receives Shopify webhooks on POST /webhooks/shopify and
// turns orders, refunds, checkouts and customers into plusone events.
//
// Shopify signs the raw body: X-Shopify-Hmac-Sha256 is the base64
// HMAC-SHA256 of it, keyed with the app's client secret. There is no signed
// timestamp. The topic comes from X-Shopify-Topic and the dedupe key from
// X-Shopify-Event-Id, or X-Shopify-Webhook-Id when that is absent. The
// unprefixed names of Shopify's newer event deliveries (Shopify-Topic, …) are
// read too.
//
// Topics:
//   - orders/create: order.created.
//   - orders/updated, orders/fulfilled, orders/cancelled, orders/paid:
//     order.updated, with the status cancelled (cancelled_at is set),
//     fulfilled (fulfillment_status is "fulfilled") or open and nothing
//     refunded; then an order.updated per refund the order lists, as
//     refunds/create reports that refund (its amount and refund id), so that
//     each refund is counted once by its id whichever delivery comes first.
//   - refunds/create: order.updated of the refunded order with this refund's
//     amount and id. A refund payload names no customer, only the order.
//   - checkouts/create, checkouts/update: checkout.updated, whose cart the
//     policy's delay may later deem abandoned unless an order completes it.
//   - customers/create, customers/update: customer.updated.
//   - the mandatory compliance topics customers/data_request,
//     customers/redact and shop/redact: customer.data_request,
//     customer.redact (her Shopify id and email) and shop.redact, with the
//     shop and the request's id (compliance.go).
//
// Any other topic is accepted with no events, as are orders and checkouts
// that name no customer (no email and no customer id): Shopify must get a
// 2xx, and there is no one to remember them for.
package shopify

import (
	"net/http"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// The request headers plusone reads. Each is also read without its "X-"
// prefix.
const (
	HeaderHmac       = "X-Shopify-Hmac-Sha256"
	HeaderTopic      = "X-Shopify-Topic"
	HeaderEventID    = "X-Shopify-Event-Id"
	HeaderWebhookID  = "X-Shopify-Webhook-Id"
	HeaderShopDomain = "X-Shopify-Shop-Domain"
	HeaderTriggered  = "X-Shopify-Triggered-At"
)

// Source verifies and parses Shopify webhooks. It holds no mutable state and
// is safe for concurrent use.
type Source struct {
	secret []byte
	mac    *webhook.Keyed // keyed with secret
}

var _ plusone.Integration = (*Source)(nil)

// New returns a Source that checks signatures made with secret, the app's
// client secret (API secret key). An empty secret rejects every request.
func New(secret string) *Source {
	return &Source{secret: []byte(secret), mac: webhook.NewKeyed([]byte(secret))}
}

// Source returns plusone.SourceShopify.
func (s *Source) Source() plusone.Source { return plusone.SourceShopify }

// header returns the value of name, or of name without "X-", as Shopify's
// newer deliveries name their headers.
func header(h http.Header, name string) string {
	if v := strings.TrimSpace(h.Get(name)); v != "" {
		return v
	}
	return strings.TrimSpace(h.Get(strings.TrimPrefix(name, "X-")))
}

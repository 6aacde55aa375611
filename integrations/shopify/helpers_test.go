package shopify_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

const (
	secret = "shpss_0123456789abcdef0123456789abcdef"
	shop   = "tires-co.myshopify.com"
)

var now = time.Date(2024, 11, 28, 12, 0, 0, 0, time.UTC)

// topicOf derives the topic from a testdata file name:
// "orders_create--guest.json" holds an orders/create body.
func topicOf(name string) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	base, _, _ = strings.Cut(base, "--")
	return strings.Replace(base, "_", "/", 1)
}

// deliver signs body, verifies and parses it as the intake does, with the
// headers Shopify sends.
func deliver(t *testing.T, topic, eventID string, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := shopify.New(secret)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, shop)
	h.Set(shopify.HeaderWebhookID, "b54557e4-8a5f-4bf7-9d70-bcd043000000")
	h.Set(shopify.HeaderEventID, eventID)
	h.Set("X-Shopify-API-Version", "2025-01")
	shopify.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

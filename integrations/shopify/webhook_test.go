package shopify_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

// vendor describes Shopify to the webhook suite. It signs no timestamp: a
// delivery verifies long after it was sent. Each testdata file is
// delivered with the topic its name gives.
func vendor() webhooktest.Vendor {
	body := []byte(`{"id":5940139491234,"email":"jane@example.com"}`)
	signed := func() http.Header {
		h := http.Header{}
		shopify.Sign(h, secret, body, now)
		return h
	}
	signedEmpty := http.Header{}
	shopify.Sign(signedEmpty, secret, nil, now)
	return webhooktest.Vendor{
		Source:      plusone.SourceShopify,
		New:         func(secret string) plusone.Integration { return shopify.New(secret) },
		Sign:        shopify.Sign,
		Secret:      secret,
		Now:         now,
		Body:        body,
		EmptySecret: "no webhook secret",
		// The send time is not signed: Shopify signs the body alone. It
		// bounds the age of a delivery, retries and late ones included.
		Informational: []string{shopify.HeaderTriggered},
		MaxAge:        shopify.MaxAge,
		Cases: []webhooktest.Case{
			{Name: "unprefixed header", Header: rename(signed(), shopify.HeaderHmac, "Shopify-Hmac-Sha256")},
			{Name: "missing signature", Header: http.Header{}, Want: "missing header X-Shopify-Hmac-Sha256"},
			{Name: "empty body", Header: signedEmpty, Body: []byte{}, Want: "empty body"},
			{Name: "not base64", Header: set(signed(), shopify.HeaderHmac, "not base64!"), Want: "not base64"},
			// A retry 4 hours on, or a delivery a day late, keeps its original send time.
			{Name: "retried 4h later", Header: set(signed(), shopify.HeaderTriggered, now.Add(-4*time.Hour).Format(time.RFC3339))},
			{Name: "a day late", Header: set(signed(), shopify.HeaderTriggered, now.Add(-24*time.Hour).Format(time.RFC3339))},
			{Name: "replayed 3 days later", Header: set(signed(), shopify.HeaderTriggered, now.Add(-72*time.Hour).Format(time.RFC3339)),
				Want: "stale delivery"},
			{Name: "unreadable send time", Header: set(signed(), shopify.HeaderTriggered, "yesterday"), Want: "is not a time"},
			{Name: "no send time", Header: rename(signed(), shopify.HeaderTriggered, "X-Other")},
		},
		Hints: func(name string) []string { return []string{topicOf(name)} },
		Header: func(topic string) http.Header {
			h := http.Header{}
			h.Set(shopify.HeaderTopic, topic)
			h.Set(shopify.HeaderEventID, "evt-1")
			h.Set(shopify.HeaderShopDomain, shop)
			return h
		},
		// Refunds name only their order, shop/redact only the shop; everything
		// else names a customer.
		Anonymous: func(e plusone.Event) bool { return e.Order != nil || e.Type == plusone.EventShopRedact },
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

// TestSignKnownAnswer pins the signature to a value computed elsewhere:
// printf '%s' '{"id":1}' | openssl dgst -sha256 -hmac "$secret" -binary | base64
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	shopify.Sign(h, secret, []byte(`{"id":1}`), now)
	if got := h.Get(shopify.HeaderHmac); got != wantSign {
		t.Errorf("signature = %q, want %q", got, wantSign)
	}
}

const wantSign = "4GHarqKT6Ii21bNJz9F4jAwZD+ZP23np8M9NQRhQqZI="

func rename(h http.Header, from, to string) http.Header {
	h.Set(to, h.Get(from))
	h.Del(from)
	return h
}

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

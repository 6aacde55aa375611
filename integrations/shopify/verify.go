package shopify

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Verify checks X-Shopify-Hmac-Sha256 against the base64 HMAC-SHA256 of the
// raw body. Shopify signs no timestamp, so now is not used. It returns an
// EUNAUTHORIZED *plusone.Error for an empty body or a missing or wrong
// signature.
func (s *Source) Verify(h http.Header, body []byte, _ time.Time) error {
	if len(s.secret) == 0 {
		return webhook.Unauthorized("no webhook secret is configured for Shopify")
	}
	sig := header(h, HeaderHmac)
	if sig == "" {
		return webhook.Unauthorized("missing header %s", HeaderHmac)
	}
	if len(body) == 0 {
		return webhook.Unauthorized("empty body: Shopify signs the body, there is nothing to verify")
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return webhook.Unauthorized("header %s: the signature is not base64", HeaderHmac)
	}
	if !hmac.Equal(got, webhook.MAC(s.secret, body)) {
		return webhook.Unauthorized("signature does not match; check the app's client secret (webhooks made in the store admin are signed with another key)")
	}
	return nil
}

// Sign sets X-Shopify-Hmac-Sha256 for body as Shopify does, and
// X-Shopify-Triggered-At to now. Tests, the demo and load scripts use it; they
// set the topic and ids themselves.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	h.Set(HeaderHmac, base64.StdEncoding.EncodeToString(webhook.MAC([]byte(secret), body)))
	h.Set(HeaderTriggered, now.UTC().Format(time.RFC3339Nano))
}

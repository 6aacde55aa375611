package shopify

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// MaxAge is how old a delivery may be by its X-Shopify-Triggered-At. Shopify
// retries a failed delivery 8 times over 4 hours with the original payload
// and headers, and warns that deliveries can arrive up to a day late
// (shopify.dev: changelog "Updates to webhook retry mechanism", 2024-09-10;
// "Best practices for webhooks"). A refusal is retried and, 8 in a row,
// removes the subscription: so the window is two days, not the 5 minutes
// of a signed timestamp. The header is not signed either (Shopify signs
// the body alone): the check stops a captured delivery replayed as it was,
// not one whose headers were rewritten.
const MaxAge = 48 * time.Hour

// Verify checks X-Shopify-Hmac-Sha256 against the base64 HMAC-SHA256 of the
// raw body, and that X-Shopify-Triggered-At, when sent, is at most MaxAge
// before now. It returns an EUNAUTHORIZED *plusone.Error for an empty body,
// a missing or wrong signature, or a stale or unreadable send time.
func (s *Source) Verify(h http.Header, body []byte, now time.Time) error {
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
	if !s.mac.Equal(got, body) {
		return webhook.Unauthorized("signature does not match; check the app's client secret (webhooks made in the store admin are signed with another key)")
	}
	if sent := header(h, HeaderTriggered); sent != "" {
		at, err := time.Parse(time.RFC3339Nano, sent)
		if err != nil {
			return webhook.Unauthorized("header %s: %q is not a time", HeaderTriggered, sent)
		}
		if age := now.Sub(at); age > MaxAge {
			return webhook.Unauthorized("stale delivery: %s is %s old, more than %s (a replay?)",
				HeaderTriggered, age.Round(time.Minute), MaxAge)
		}
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

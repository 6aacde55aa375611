package zendesk

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Verify checks the X-Zendesk-Webhook-Signature header: the base64
// HMAC-SHA256, keyed with a signing secret, of the
// X-Zendesk-Webhook-Signature-Timestamp header followed by the raw body, as
// Zendesk documents it today. It also accepts the body followed by the
// timestamp, the order an older copy of the same page gives with a test
// vector. Each of the Source's secrets is tried in turn, each signature
// compared in constant time; the debug log says which secret (by its place
// in the list) and which order matched. Timestamps more than MaxSkew from
// now are rejected. It returns an EUNAUTHORIZED *plusone.Error.
func (s *Source) Verify(h http.Header, body []byte, now time.Time) error {
	if len(s.macs) == 0 {
		return webhook.Unauthorized("no webhook signing secret is configured for Zendesk")
	}
	sig := h.Get(HeaderSignature)
	if sig == "" {
		return webhook.Unauthorized("missing header %s", HeaderSignature)
	}
	ts := h.Get(HeaderSignatureTimestamp)
	if ts == "" {
		return webhook.Unauthorized("missing header %s", HeaderSignatureTimestamp)
	}
	signed, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return webhook.Unauthorized("header %s: %q is not an ISO 8601 time", HeaderSignatureTimestamp, webhook.Clip(ts))
	}
	if err := webhook.CheckSkew(signed, now, MaxSkew); err != nil {
		return err
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return webhook.Unauthorized("header %s: the signature is not base64", HeaderSignature)
	}
	for i, mac := range s.macs {
		if mac.Equal(got, []byte(ts), body) {
			s.log.Debug("zendesk signature verified", "secret_position", i+1, "order", "timestamp+body")
			return nil
		}
		if mac.Equal(got, body, []byte(ts)) {
			s.log.Debug("zendesk signature verified", "secret_position", i+1, "order", "body+timestamp")
			return nil
		}
	}
	if len(s.macs) > 1 {
		return webhook.Unauthorized("signature does not match any of the %d signing secrets; check that every webhook's signing secret is listed", len(s.macs))
	}
	return webhook.Unauthorized("signature does not match; check the webhook's signing secret")
}

// Sign sets the signature headers for body as Zendesk does (timestamp, then
// body), with now as the timestamp, keyed with secret as it is (one secret,
// not a list). Tests, the demo and load scripts use it.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	ts := now.UTC().Format(time.RFC3339)
	h.Set(HeaderSignatureTimestamp, ts)
	h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(webhook.MAC([]byte(secret), []byte(ts), body)))
}

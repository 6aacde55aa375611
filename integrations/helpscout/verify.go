package helpscout

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Verify checks X-HelpScout-Signature: the base64 HMAC-SHA1 of the raw body,
// keyed with the webhook's secret key. Help Scout signs no timestamp, so now
// is not used. It returns an EUNAUTHORIZED *plusone.Error for a missing,
// malformed or wrong signature.
func (s *Source) Verify(h http.Header, body []byte, _ time.Time) error {
	if len(s.secret) == 0 {
		return webhook.Unauthorized("no webhook secret is configured for Help Scout; set PLUSONE_HELPSCOUT_WEBHOOK_SECRET to the webhook's secret key")
	}
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	if sig == "" {
		return webhook.Unauthorized("missing header %s", HeaderSignature)
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return webhook.Unauthorized("header %s: the signature is not base64", HeaderSignature)
	}
	if !hmac.Equal(got, mac(s.secret, body)) {
		return webhook.Unauthorized("signature does not match; check that the secret is the webhook's secret key (Manage → Apps → Webhooks)")
	}
	return nil
}

// Sign sets X-HelpScout-Signature for body as Help Scout does. Help Scout
// signs no timestamp, so now is not used. Tests, the demo and load scripts
// use it; they set X-HelpScout-Event themselves.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(mac([]byte(secret), body)))
}

func mac(secret, body []byte) []byte {
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

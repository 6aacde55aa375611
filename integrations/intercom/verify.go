package intercom

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// signaturePrefix starts the value of X-Hub-Signature.
const signaturePrefix = "sha1="

// Verify checks X-Hub-Signature: "sha1=" followed by the hex HMAC-SHA1 of
// the raw body, keyed with the app's client secret. Intercom signs no
// timestamp, so now is not used. It returns an EUNAUTHORIZED
// *plusone.Error for a missing, malformed or wrong signature.
func (s *Source) Verify(h http.Header, body []byte, _ time.Time) error {
	if len(s.secret) == 0 {
		return webhook.Unauthorized("no webhook secret is configured for Intercom; set PLUSONE_INTERCOM_WEBHOOK_SECRET to the app's client secret")
	}
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	if sig == "" {
		return webhook.Unauthorized("missing header %s", HeaderSignature)
	}
	if len(sig) < len(signaturePrefix) || !strings.EqualFold(sig[:len(signaturePrefix)], signaturePrefix) {
		return webhook.Unauthorized("header %s: %q does not start with %q", HeaderSignature, webhook.Clip(sig), signaturePrefix)
	}
	got, err := hex.DecodeString(sig[len(signaturePrefix):])
	if err != nil {
		return webhook.Unauthorized("header %s: the signature is not hex", HeaderSignature)
	}
	if !hmac.Equal(got, mac(s.secret, body)) {
		return webhook.Unauthorized("signature does not match; check that the secret is the client secret of the app that owns the webhook (Developer Hub → Basic information)")
	}
	return nil
}

// Sign sets X-Hub-Signature for body as Intercom does. Intercom signs no
// timestamp, so now is not used. Tests, the demo and load scripts use it.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	h.Set(HeaderSignature, signaturePrefix+hex.EncodeToString(mac([]byte(secret), body)))
}

func mac(secret, body []byte) []byte {
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

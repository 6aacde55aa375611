package generic

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

const signaturePrefix = "sha256="

// Verify checks the request's timestamp and its HMAC over the raw body. It
// returns an EUNAUTHORIZED *plusone.Error for a missing, malformed, stale or
// wrong signature. It does not look at the body's content.
func (s *Source) Verify(h http.Header, body []byte, now time.Time) error {
	if len(s.secret) == 0 {
		return webhook.Unauthorized("no webhook secret is configured for the generic source")
	}
	ts := h.Get(HeaderTimestamp)
	if ts == "" {
		return webhook.Unauthorized("missing header %s", HeaderTimestamp)
	}
	sig := h.Get(HeaderSignature)
	if sig == "" {
		return webhook.Unauthorized("missing header %s", HeaderSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return webhook.Unauthorized("header %s: %q is not a Unix time in seconds", HeaderTimestamp, webhook.Clip(ts))
	}
	if err := webhook.CheckSkew(time.Unix(secs, 0), now, MaxSkew); err != nil {
		return err
	}
	hexSig, ok := strings.CutPrefix(sig, signaturePrefix)
	if !ok {
		return webhook.Unauthorized("header %s: expected %q followed by the hex HMAC-SHA256", HeaderSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return webhook.Unauthorized("header %s: the signature is not hexadecimal", HeaderSignature)
	}
	if !s.mac.Equal(got, signed(ts, body)...) {
		return webhook.Unauthorized("signature does not match: sign timestamp + \".\" + the raw body with the shared secret")
	}
	return nil
}

// Sign sets the timestamp and signature headers for body as a sender must,
// with now as the timestamp. Tests, the demo and load scripts use it.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, signaturePrefix+hex.EncodeToString(webhook.MAC([]byte(secret), signed(ts, body)...)))
}

// signed is what a sender signs: the timestamp, a dot and the raw body.
func signed(ts string, body []byte) [][]byte {
	return [][]byte{[]byte(ts), {'.'}, body}
}

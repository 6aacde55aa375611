package slackchat

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Verify checks Slack's v0 signature: "v0=" + hex HMAC-SHA256 of
// "v0:<timestamp>:<body>" with the signing secret, and a timestamp within
// MaxSkew of now.
func (s *Source) Verify(h http.Header, body []byte, now time.Time) error {
	if len(s.secret) == 0 {
		return webhook.Unauthorized("no Slack signing secret is configured")
	}
	sig, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return webhook.Unauthorized("missing %s or %s header", HeaderSignature, HeaderTimestamp)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return webhook.Unauthorized("%s is not a Unix time", HeaderTimestamp)
	}
	if err := webhook.CheckSkew(time.Unix(secs, 0), now, MaxSkew); err != nil {
		return err
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return webhook.Unauthorized("%s must be v0=<hex>", HeaderSignature)
	}
	if !s.mac.Equal(got, signed(ts, body)...) {
		return webhook.Unauthorized("invalid signature")
	}
	return nil
}

// Sign sets the headers Slack would send for body.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, "v0="+hex.EncodeToString(webhook.MAC([]byte(secret), signed(ts, body)...)))
}

// signed is what Slack signs: "v0:", the timestamp, ":" and the raw body.
func signed(ts string, body []byte) [][]byte {
	return [][]byte{[]byte("v0:" + ts + ":"), body}
}

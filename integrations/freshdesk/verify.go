package freshdesk

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Verify checks that X-Plusone-Token is the shared token. Freshdesk signs
// neither the body nor a time, so body and now are not used. The tokens are
// compared in constant time, through their SHA-256 so that not even their
// length leaks. It returns an EUNAUTHORIZED *plusone.Error for a missing or
// wrong token.
func (s *Source) Verify(h http.Header, _ []byte, _ time.Time) error {
	if len(s.token) == 0 {
		return webhook.Unauthorized("no webhook token is configured for Freshdesk; set PLUSONE_FRESHDESK_WEBHOOK_SECRET")
	}
	values := h.Values(HeaderToken)
	if len(values) == 0 || values[0] == "" {
		return webhook.Unauthorized("missing header %s; add it to the automation rule's webhook with the token as its value", HeaderToken)
	}
	got := sha256.Sum256([]byte(values[0]))
	want := sha256.Sum256(s.token)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return webhook.Unauthorized("header %s does not match PLUSONE_FRESHDESK_WEBHOOK_SECRET; check the value in the automation rule", HeaderToken)
	}
	return nil
}

// Sign sets X-Plusone-Token to secret, as the automation rule does. Freshdesk
// signs nothing, so body and now are not used. Tests, the demo and load
// scripts use it.
func Sign(h http.Header, secret string, body []byte, now time.Time) {
	h.Set(HeaderToken, secret)
}

package zendesk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/jsonrepair"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Parse reads an event-subscribed payload or a trigger body (see the package
// documentation) into events. Its errors are EINVALID and name the problem.
func (s *Source) Parse(h http.Header, body []byte) (plusone.Delivery, error) {
	var probe struct {
		Plusone json.RawMessage `json:"plusone"`
		Type    json.RawMessage `json:"type"`
	}
	// A repair is kept only if it reads as a trigger body.
	data, err := jsonrepair.Decode(body, &probe, looksLikeTrigger, func() bool { return probe.Plusone != nil })
	if err != nil {
		return plusone.Delivery{}, err
	}
	switch {
	case probe.Plusone != nil:
		return s.parseTrigger(h, body, data)
	case probe.Type != nil:
		return s.parseEvent(h, body)
	}
	return plusone.Delivery{}, webhook.Invalid(`body is neither a Zendesk event (it has no "type") nor a plusone trigger body (it has no "plusone": %q); paste zendesk.TriggerTemplate into the trigger`, TriggerMarker)
}

// looksLikeTrigger reports whether body carries the trigger marker, so that
// broken JSON is only repaired where Zendesk placeholders may have broken it.
func looksLikeTrigger(body []byte) bool {
	return bytes.Contains(body, []byte(`"plusone"`)) && bytes.Contains(body, []byte(`zendesk-trigger/`))
}

// dedupeKey prefers the id Zendesk gives the delivery, then a hash of the
// body, which a redelivery repeats byte for byte.
func dedupeKey(payloadID string, h http.Header, body []byte) string {
	if payloadID != "" {
		return payloadID
	}
	if inv := strings.TrimSpace(h.Get(HeaderInvocationID)); inv != "" {
		return "invocation:" + inv
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

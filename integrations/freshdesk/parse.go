package freshdesk

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/jsonrepair"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// Parse reads a body of the layout of BodyTemplate into events (see the
// package documentation), repairing JSON that unescaped placeholders broke.
// Its errors are EINVALID and name the problem.
func (s *Source) Parse(_ http.Header, body []byte) (plusone.Delivery, error) {
	var probe struct {
		Plusone json.RawMessage `json:"plusone"`
	}
	data, err := jsonrepair.Decode(body, &probe, looksLikeRuleBody, nil)
	if err != nil {
		return plusone.Delivery{}, err
	}
	if probe.Plusone == nil {
		return plusone.Delivery{}, webhook.Invalid(`field "plusone": required; paste freshdesk.BodyTemplate (it starts with "plusone": %q) into the rule's webhook`, BodyMarker)
	}
	var b ruleBody
	if err := webhook.Decode(data, &b, ""); err != nil {
		return plusone.Delivery{}, err
	}
	return b.delivery(body)
}

// looksLikeRuleBody reports whether body carries the marker, so that broken
// JSON is only repaired where Freshdesk placeholders may have broken it.
func looksLikeRuleBody(body []byte) bool {
	return bytes.Contains(body, []byte(`"plusone"`)) && bytes.Contains(body, []byte(`freshdesk/`))
}

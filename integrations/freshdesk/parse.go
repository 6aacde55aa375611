package freshdesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/plusone-hq/plusone"
)

// Parse reads a body of the layout of BodyTemplate into events (see the
// package documentation), repairing JSON that unescaped placeholders broke.
// Its errors are EINVALID and name the problem.
func (s *Source) Parse(_ http.Header, body []byte) (plusone.Delivery, error) {
	var probe struct {
		Plusone json.RawMessage `json:"plusone"`
	}
	data := body
	if err := json.Unmarshal(body, &probe); err != nil {
		if _, isSyntax := errors.AsType[*json.SyntaxError](err); !isSyntax || !looksLikeRuleBody(body) {
			return plusone.Delivery{}, jsonError(err)
		}
		// Placeholders are not JSON-escaped; try to read the text as meant.
		data = repairJSON(body)
		if json.Unmarshal(data, &probe) != nil {
			return plusone.Delivery{}, jsonError(err)
		}
	}
	if probe.Plusone == nil {
		return plusone.Delivery{}, invalid(`field "plusone": required; paste freshdesk.BodyTemplate (it starts with "plusone": %q) into the rule's webhook`, BodyMarker)
	}
	var b ruleBody
	if err := decode(data, &b); err != nil {
		return plusone.Delivery{}, err
	}
	return b.delivery(body)
}

// looksLikeRuleBody reports whether body carries the marker, so that broken
// JSON is only repaired where Freshdesk placeholders may have broken it.
func looksLikeRuleBody(body []byte) bool {
	return bytes.Contains(body, []byte(`"plusone"`)) && bytes.Contains(body, []byte(`freshdesk/`))
}

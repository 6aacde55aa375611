package zendesk

import (
	"encoding/json"
	"strings"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// vendor is what errors say about the Zendesk API.
func vendor() vendorapi.Vendor {
	return vendorapi.Vendor{
		Name:    "Zendesk",
		Refused: "Zendesk refused the API credentials (HTTP %d); check PLUSONE_ZENDESK_EMAIL and PLUSONE_ZENDESK_API_TOKEN",
		Detail:  vendorMessage,
	}
}

// vendorMessage picks Zendesk's own explanation out of an error body:
// {"error": "...", "description": "..."}.
func vendorMessage(body []byte) string {
	var e struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var name string
	_ = json.Unmarshal(e.Error, &name)
	return webhook.Clip(strings.TrimSpace(strings.Trim(name+": "+e.Description, ": ")))
}

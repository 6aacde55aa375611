package freshdesk

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// rateLimitDelay is the pause before the next request that a response's
// headers ask for: Freshdesk counts API credits per minute, account-wide,
// in X-RateLimit-Total and X-RateLimit-Remaining, and says nothing of when
// the minute ends. A 429 comes with Retry-After, which the retry policy
// waits out.
func rateLimitDelay(h http.Header, _ time.Time) time.Duration {
	remaining, ok := vendorapi.HeaderInt(h, "X-RateLimit-Remaining")
	if !ok {
		return 0
	}
	total, _ := vendorapi.HeaderInt(h, "X-RateLimit-Total")
	return vendorapi.PaceDelay(total, remaining, time.Minute)
}

// vendor is what errors say about the Freshdesk API.
func vendor() vendorapi.Vendor {
	return vendorapi.Vendor{
		Name:    "Freshdesk",
		Refused: "Freshdesk refused the API key (HTTP %d); check PLUSONE_FRESHDESK_API_KEY and that its agent may view contacts and tickets",
		Detail:  errorDetail,
	}
}

// errorDetail picks Freshdesk's own explanation out of an error body:
// {"description": "Validation failed", "errors": [{"field", "message",
// "code"}]} or {"code", "message"}.
func errorDetail(body []byte) string {
	var e struct {
		Description string `json:"description"`
		Message     string `json:"message"`
		Errors      []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	parts := []string{strings.TrimSpace(e.Description), strings.TrimSpace(e.Message)}
	if len(e.Errors) > 0 {
		parts = append(parts, strings.TrimSpace(strings.Trim(e.Errors[0].Field+" "+e.Errors[0].Message, " ")))
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return webhook.Clip(strings.Join(out, ": "))
}

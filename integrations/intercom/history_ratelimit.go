package intercom

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// windowLength is how long Intercom's rate-limit windows last when a
// response does not say: it spreads the per-minute limit over 10-second
// windows.
const windowLength = 10 * time.Second

// rateLimitDelay is the pause before the next request that a response's
// headers ask for: X-RateLimit-Limit (per minute), X-RateLimit-Remaining
// (in the current window) and X-RateLimit-Reset (when the window resets,
// in Unix seconds). Requests slow down once few remain.
func rateLimitDelay(h http.Header, now time.Time) time.Duration {
	remaining, ok := vendorapi.HeaderInt(h, "X-RateLimit-Remaining")
	if !ok {
		return 0
	}
	limit, _ := vendorapi.HeaderInt(h, "X-RateLimit-Limit")
	window := windowLength
	if reset, ok := vendorapi.HeaderInt(h, "X-RateLimit-Reset"); ok {
		window = time.Unix(int64(reset), 0).Sub(now)
	}
	return vendorapi.PaceDelay(limit, remaining, window)
}

// retryWait reads the wait of a 429 without Retry-After: until
// X-RateLimit-Reset, when the window reopens.
func retryWait(now func() time.Time) func(*resty.Response, time.Duration, bool) (time.Duration, bool) {
	return func(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool) {
		if ok || resp.StatusCode() != http.StatusTooManyRequests {
			return wait, ok
		}
		if reset, has := vendorapi.HeaderInt(resp.Header(), "X-RateLimit-Reset"); has {
			if d := time.Unix(int64(reset), 0).Sub(now()); d > 0 {
				return d, true
			}
		}
		return wait, ok
	}
}

// vendor is what errors say about the Intercom API.
func vendor() vendorapi.Vendor {
	return vendorapi.Vendor{
		Name:    "Intercom",
		Refused: "Intercom refused the access token (HTTP %d); check PLUSONE_INTERCOM_ACCESS_TOKEN and that the app may read contacts and conversations",
		Detail:  errorList,
	}
}

// errorList picks Intercom's own explanation out of an error body:
// {"type": "error.list", "errors": [{"code": "...", "message": "..."}]}.
func errorList(body []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	first := e.Errors[0]
	return webhook.Clip(strings.TrimSpace(strings.Trim(first.Code+": "+first.Message, ": ")))
}

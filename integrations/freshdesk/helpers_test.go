package freshdesk_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
)

// secret stands for the shared token pasted into the automation rules.
const secret = "fd_7QeW2rT9yU4iO1pA6sD3fG8hJ5kL0zX"

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// deliver sends body with the token, verifies and parses it as the intake
// does.
func deliver(t *testing.T, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := freshdesk.New(secret)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	freshdesk.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

package intercom_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
)

// secret stands for an Intercom app's client secret.
const secret = "3f1c0a6e9d3b4c5a8e7f6d5c4b3a2910aa11bb22"

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// deliver signs body, verifies and parses it as the intake does.
func deliver(t *testing.T, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := intercom.New(secret)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "intercom-parrot-service-client/1.0")
	intercom.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

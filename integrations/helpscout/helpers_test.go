package helpscout_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
)

// secret stands for the secret key of a Help Scout webhook (40 characters
// at most).
const secret = "wHx3pJ9kQ2vL7sT4nB8mC1dF6gR0yZ5a"

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// eventOf derives the event from a testdata file name:
// "convo.created--v1.json" holds a convo.created body.
func eventOf(name string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "--")
	return base
}

// deliver signs body, verifies and parses it as the intake does, with
// event in X-HelpScout-Event.
func deliver(t *testing.T, event string, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := helpscout.New(secret)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(helpscout.HeaderEvent, event)
	helpscout.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

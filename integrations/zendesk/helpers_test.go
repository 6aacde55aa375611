package zendesk_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

const secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

func newSource() *zendesk.Source {
	return zendesk.New(secret, zendesk.WithBaseURL("https://tires.zendesk.com/"))
}

// deliver signs body, verifies and parses it as the intake does, with the
// extra headers given as name, value pairs.
func deliver(t *testing.T, body []byte, kv ...string) (plusone.Delivery, error) {
	t.Helper()
	src := newSource()
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	zendesk.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

func newSourceWithout() *zendesk.Source { return zendesk.New(secret) }

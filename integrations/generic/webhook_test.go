package generic_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
)

// vendor describes the generic source to the webhook suite.
func vendor() webhooktest.Vendor {
	body := []byte(`{"id":"evt_1","type":"customer.updated","customer":{"email":"jane@example.com"}}`)
	signed := func() http.Header {
		h := http.Header{}
		generic.Sign(h, secret, body, now)
		return h
	}
	return webhooktest.Vendor{
		Source:      plusone.SourceGeneric,
		New:         func(secret string) plusone.Integration { return generic.New(secret) },
		Sign:        generic.Sign,
		Secret:      secret,
		Now:         now,
		Body:        body,
		MaxSkew:     generic.MaxSkew,
		EmptySecret: "no webhook secret",
		Cases: []webhooktest.Case{
			{Name: "stale by a second", Header: signedAt(body, now.Add(-generic.MaxSkew-time.Second)), Want: "stale signature: timestamp is 5m1s old"},
			{Name: "six minutes ahead", Header: signedAt(body, now.Add(6*time.Minute)), Want: "6m0s in the future"},
			{Name: "missing timestamp", Header: del(signed(), generic.HeaderTimestamp), Want: "missing header X-Plusone-Timestamp"},
			{Name: "missing signature", Header: del(signed(), generic.HeaderSignature), Want: "missing header X-Plusone-Signature"},
			{Name: "timestamp not a number", Header: set(signed(), generic.HeaderTimestamp, "2026-11-25T12:00:00Z"), Want: "is not a Unix time in seconds"},
			{Name: "timestamp changed", Header: set(signed(), generic.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10)), Want: "signature does not match"},
			{Name: "no prefix", Header: set(signed(), generic.HeaderSignature, strings.TrimPrefix(signed().Get(generic.HeaderSignature), "sha256=")), Want: `expected "sha256="`},
			{Name: "not hex", Header: set(signed(), generic.HeaderSignature, "sha256=zz"), Want: "not hexadecimal"},
		},
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

// TestSignMatchesContract recomputes the contract's recipe by hand.
func TestSignMatchesContract(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	generic.Sign(h, "s3cret", []byte(`{}`), time.Unix(1700000000, 0))
	if got := h.Get(generic.HeaderTimestamp); got != "1700000000" {
		t.Errorf("timestamp = %q", got)
	}
	// printf '1700000000.{}' | openssl dgst -sha256 -hmac s3cret
	const want = "sha256=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
	if got := h.Get(generic.HeaderSignature); got != want {
		t.Errorf("signature = %q, want %q", got, want)
	}
}

func signedAt(body []byte, at time.Time) http.Header {
	h := http.Header{}
	generic.Sign(h, secret, body, at)
	return h
}

func del(h http.Header, k string) http.Header { h.Del(k); return h }

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

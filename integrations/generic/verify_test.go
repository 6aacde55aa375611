package generic_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_1","type":"customer.updated","customer":{"email":"jane@example.com"}}`)
	signed := func(secret string, at time.Time) http.Header {
		h := http.Header{}
		generic.Sign(h, secret, body, at)
		return h
	}
	tests := []struct {
		name   string
		src    *generic.Source
		header http.Header
		body   []byte
		want   string // "" = accepted; else part of the message
	}{
		{"valid", generic.New(secret), signed(secret, now), body, ""},
		{"valid at the edge of the window", generic.New(secret), signed(secret, now.Add(-generic.MaxSkew)), body, ""},
		{"wrong secret", generic.New(secret), signed("other", now), body, "signature does not match"},
		{"tampered body", generic.New(secret), signed(secret, now), append([]byte(nil), strings.Replace(string(body), "jane", "john", 1)...), "signature does not match"},
		{"stale", generic.New(secret), signed(secret, now.Add(-generic.MaxSkew-time.Second)), body, "stale signature: timestamp is 5m1s old"},
		{"future", generic.New(secret), signed(secret, now.Add(6*time.Minute)), body, "6m0s in the future"},
		{"missing timestamp", generic.New(secret), del(signed(secret, now), generic.HeaderTimestamp), body, "missing header X-Plusone-Timestamp"},
		{"missing signature", generic.New(secret), del(signed(secret, now), generic.HeaderSignature), body, "missing header X-Plusone-Signature"},
		{"no headers", generic.New(secret), nil, body, "missing header"},
		{"timestamp not a number", generic.New(secret), set(signed(secret, now), generic.HeaderTimestamp, "2026-11-25T12:00:00Z"), body, "is not a Unix time in seconds"},
		{"timestamp changed", generic.New(secret), set(signed(secret, now), generic.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10)), body, "signature does not match"},
		{"no prefix", generic.New(secret), set(signed(secret, now), generic.HeaderSignature, strings.TrimPrefix(signed(secret, now).Get(generic.HeaderSignature), "sha256=")), body, `expected "sha256="`},
		{"not hex", generic.New(secret), set(signed(secret, now), generic.HeaderSignature, "sha256=zz"), body, "not hexadecimal"},
		{"empty secret", generic.New(""), signed("", now), body, "no webhook secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.src.Verify(tt.header, tt.body, now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted the request, want %q", tt.want)
			}
			if code := plusone.ErrorCode(err); code != plusone.EUNAUTHORIZED {
				t.Errorf("code = %q, want %q", code, plusone.EUNAUTHORIZED)
			}
			if msg := plusone.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

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

func del(h http.Header, k string) http.Header { h.Del(k); return h }

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

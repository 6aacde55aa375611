package intercom_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"notification_event","topic":"ping","id":"notif_1"}`)
	signed := func(key string) http.Header {
		h := http.Header{}
		intercom.Sign(h, key, body, now)
		return h
	}
	tests := []struct {
		name   string
		src    *intercom.Source
		header http.Header
		body   []byte
		want   string // "" = accepted
	}{
		{"valid", intercom.New(secret), signed(secret), body, ""},
		{"upper-case hex and prefix", intercom.New(secret), set(signed(secret), intercom.HeaderSignature, strings.ToUpper(signed(secret).Get(intercom.HeaderSignature))), body, ""},
		{"wrong secret", intercom.New(secret), signed("another-client-secret"), body, "signature does not match"},
		{"tampered body", intercom.New(secret), signed(secret), []byte(strings.Replace(string(body), "ping", "pong", 1)), "signature does not match"},
		{"missing header", intercom.New(secret), http.Header{}, body, "missing header X-Hub-Signature"},
		{"no prefix", intercom.New(secret), set(signed(secret), intercom.HeaderSignature, strings.TrimPrefix(signed(secret).Get(intercom.HeaderSignature), "sha1=")), body, `does not start with "sha1="`},
		{"sha256 prefix", intercom.New(secret), set(signed(secret), intercom.HeaderSignature, "sha256=00"), body, `does not start with "sha1="`},
		{"not hex", intercom.New(secret), set(signed(secret), intercom.HeaderSignature, "sha1=zz"), body, "not hex"},
		{"empty secret", intercom.New(""), signed(""), body, "PLUSONE_INTERCOM_WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Intercom signs no timestamp: an old delivery is as good as a new one.
			err := tt.src.Verify(tt.header, tt.body, now.Add(72*time.Hour))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			eventtest.AssertError(t, err, plusone.EUNAUTHORIZED, tt.want)
		})
	}
}

// TestSignKnownAnswer pins the signature to a value computed elsewhere:
// printf '%s' '{"id":1}' | openssl dgst -sha1 -hmac "$secret"
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	intercom.Sign(h, secret, []byte(`{"id":1}`), now)
	if got := h.Get(intercom.HeaderSignature); got != wantSign {
		t.Errorf("signature = %q, want %q", got, wantSign)
	}
}

const wantSign = "sha1=458ab6dbc8f9b11e56e0e5d8a3b4b5df725ec3f0"

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

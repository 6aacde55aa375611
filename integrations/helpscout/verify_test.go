package helpscout_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":2391938111,"number":349}`)
	signed := func(key string) http.Header {
		h := http.Header{}
		h.Set(helpscout.HeaderEvent, "convo.status")
		helpscout.Sign(h, key, body, now)
		return h
	}
	tests := []struct {
		name   string
		src    *helpscout.Source
		header http.Header
		body   []byte
		want   string // "" = accepted
	}{
		{"valid", helpscout.New(secret), signed(secret), body, ""},
		{"wrong secret", helpscout.New(secret), signed("another-secret-key"), body, "signature does not match"},
		{"tampered body", helpscout.New(secret), signed(secret), []byte(strings.Replace(string(body), "349", "350", 1)), "signature does not match"},
		{"missing header", helpscout.New(secret), http.Header{}, body, "missing header X-HelpScout-Signature"},
		{"not base64", helpscout.New(secret), set(signed(secret), helpscout.HeaderSignature, "%%%"), body, "not base64"},
		{"hex instead of base64", helpscout.New(secret), set(signed(secret), helpscout.HeaderSignature, "2b2d1b0c0a2f1c"), body, "not base64"},
		{"empty secret", helpscout.New(""), signed(""), body, "PLUSONE_HELPSCOUT_WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Help Scout signs no timestamp: an old delivery is as good as a new one.
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

// TestSignKnownAnswer pins the signature to the value of the example in
// Help Scout's PHP SDK tests, computed elsewhere:
// printf '%s' '{"id":123}' | openssl dgst -sha1 -hmac asdffdsa -binary | base64
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	helpscout.Sign(h, "asdffdsa", []byte(`{"id":123}`), now)
	if got := h.Get(helpscout.HeaderSignature); got != wantSign {
		t.Errorf("signature = %q, want %q", got, wantSign)
	}
}

const wantSign = "YhXKie6t+YQPJLRzdKWwTPsJN2w="

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

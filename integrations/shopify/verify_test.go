package shopify_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":5940139491234,"email":"jane@example.com"}`)
	signed := func(key string) http.Header {
		h := http.Header{}
		shopify.Sign(h, key, body, now)
		return h
	}
	tests := []struct {
		name   string
		src    *shopify.Source
		header http.Header
		body   []byte
		want   string // "" = accepted
	}{
		{"valid", shopify.New(secret), signed(secret), body, ""},
		{"valid long after it was sent", shopify.New(secret), signed(secret), body, ""},
		{"unprefixed header", shopify.New(secret), rename(signed(secret), shopify.HeaderHmac, "Shopify-Hmac-Sha256"), body, ""},
		{"wrong secret", shopify.New(secret), signed("shpss_other"), body, "signature does not match"},
		{"tampered body", shopify.New(secret), signed(secret), []byte(strings.Replace(string(body), "jane", "john", 1)), "signature does not match"},
		{"missing signature", shopify.New(secret), http.Header{}, body, "missing header X-Shopify-Hmac-Sha256"},
		{"empty body", shopify.New(secret), signedEmpty(), nil, "empty body"},
		{"not base64", shopify.New(secret), set(signed(secret), shopify.HeaderHmac, "not base64!"), body, "not base64"},
		{"empty secret", shopify.New(""), signed(""), body, "no webhook secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.src.Verify(tt.header, tt.body, now.Add(48*time.Hour))
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
// printf '%s' '{"id":1}' | openssl dgst -sha256 -hmac "$secret" -binary | base64
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	shopify.Sign(h, secret, []byte(`{"id":1}`), now)
	if got := h.Get(shopify.HeaderHmac); got != wantSign {
		t.Errorf("signature = %q, want %q", got, wantSign)
	}
}

const wantSign = "4GHarqKT6Ii21bNJz9F4jAwZD+ZP23np8M9NQRhQqZI="

func signedEmpty() http.Header {
	h := http.Header{}
	shopify.Sign(h, secret, nil, now)
	return h
}

func rename(h http.Header, from, to string) http.Header {
	h.Set(to, h.Get(from))
	h.Del(from)
	return h
}

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

package freshdesk_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"plusone":"freshdesk/1"}`)
	withToken := func(token string) http.Header {
		h := http.Header{}
		freshdesk.Sign(h, token, body, now)
		return h
	}
	tests := []struct {
		name   string
		src    *freshdesk.Source
		header http.Header
		body   []byte
		want   string // "" = accepted
	}{
		{"valid", freshdesk.New(secret), withToken(secret), body, ""},
		// Freshdesk signs nothing: the token vouches for any body.
		{"any body", freshdesk.New(secret), withToken(secret), []byte(`{"changed":true}`), ""},
		{"wrong token", freshdesk.New(secret), withToken("not-the-token"), body, "does not match PLUSONE_FRESHDESK_WEBHOOK_SECRET"},
		{"token prefix", freshdesk.New(secret), withToken(secret[:10]), body, "does not match"},
		{"token with more", freshdesk.New(secret), withToken(secret + "x"), body, "does not match"},
		{"missing header", freshdesk.New(secret), http.Header{}, body, "missing header X-Plusone-Token"},
		{"empty header", freshdesk.New(secret), withToken(""), body, "missing header X-Plusone-Token"},
		{"empty secret", freshdesk.New(""), withToken(""), body, "PLUSONE_FRESHDESK_WEBHOOK_SECRET"},
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
			eventtest.AssertError(t, err, plusone.EUNAUTHORIZED, tt.want)
		})
	}
}

func TestSign(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	freshdesk.Sign(h, secret, nil, now)
	if got := h.Get(freshdesk.HeaderToken); got != secret {
		t.Errorf("%s = %q, want the token", freshdesk.HeaderToken, got)
	}
}

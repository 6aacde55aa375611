package helpscout_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
)

// vendor describes Help Scout to the webhook suite. It signs no timestamp:
// an old delivery is as good as a new one.
func vendor() webhooktest.Vendor {
	signed := func() http.Header {
		h := http.Header{}
		helpscout.Sign(h, secret, []byte(`{"id":2391938111,"number":349}`), now)
		return h
	}
	return webhooktest.Vendor{
		Source:      plusone.SourceHelpScout,
		New:         func(secret string) plusone.Integration { return helpscout.New(secret) },
		Sign:        helpscout.Sign,
		Secret:      secret,
		Now:         now,
		Body:        []byte(`{"id":2391938111,"number":349}`),
		EmptySecret: "PLUSONE_HELPSCOUT_WEBHOOK_SECRET",
		Cases: []webhooktest.Case{
			{Name: "missing header", Header: http.Header{}, Want: "missing header X-HelpScout-Signature"},
			{Name: "not base64", Header: set(signed(), helpscout.HeaderSignature, "%%%"), Want: "not base64"},
			{Name: "hex instead of base64", Header: set(signed(), helpscout.HeaderSignature, "2b2d1b0c0a2f1c"), Want: "not base64"},
		},
		Hints: func(name string) []string { return []string{eventOf(name)} },
		Header: func(event string) http.Header {
			h := http.Header{}
			h.Set(helpscout.HeaderEvent, event)
			return h
		},
		Replies: true, // the test event
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

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

package intercom_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
)

// vendor describes Intercom to the webhook suite. It signs no timestamp:
// an old delivery is as good as a new one.
func vendor() webhooktest.Vendor {
	body := []byte(`{"type":"notification_event","topic":"ping","id":"notif_1"}`)
	signed := func() http.Header {
		h := http.Header{}
		intercom.Sign(h, secret, body, now)
		return h
	}
	sig := signed().Get(intercom.HeaderSignature)
	return webhooktest.Vendor{
		Source:      plusone.SourceIntercom,
		New:         func(secret string) plusone.Integration { return intercom.New(secret) },
		Sign:        intercom.Sign,
		Secret:      secret,
		Now:         now,
		Body:        body,
		EmptySecret: "PLUSONE_INTERCOM_WEBHOOK_SECRET",
		Cases: []webhooktest.Case{
			{Name: "upper-case hex and prefix", Header: set(signed(), intercom.HeaderSignature, strings.ToUpper(sig))},
			{Name: "missing header", Header: http.Header{}, Want: "missing header X-Hub-Signature"},
			{Name: "no prefix", Header: set(signed(), intercom.HeaderSignature, strings.TrimPrefix(sig, "sha1=")), Want: `does not start with "sha1="`},
			{Name: "sha256 prefix", Header: set(signed(), intercom.HeaderSignature, "sha256=00"), Want: `does not start with "sha1="`},
			{Name: "not hex", Header: set(signed(), intercom.HeaderSignature, "sha1=zz"), Want: "not hex"},
		},
		Replies: true, // ping
		Check: func(t *testing.T, e plusone.Event) {
			if e.Feedback != nil && (e.Feedback.Score < 1 || e.Feedback.Score > 5) {
				t.Fatalf("CSAT score %d out of range", e.Feedback.Score)
			}
		},
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

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

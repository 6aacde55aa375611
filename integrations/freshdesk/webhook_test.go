package freshdesk_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
)

// vendor describes Freshdesk to the webhook suite. Freshdesk signs
// nothing: the shared token vouches for any body, at any age.
func vendor() webhooktest.Vendor {
	withToken := func(token string) http.Header {
		h := http.Header{}
		freshdesk.Sign(h, token, nil, now)
		return h
	}
	return webhooktest.Vendor{
		Source:      plusone.SourceFreshdesk,
		New:         func(secret string) plusone.Integration { return freshdesk.New(secret) },
		Sign:        freshdesk.Sign,
		Secret:      secret,
		Now:         now,
		Body:        []byte(`{"plusone":"freshdesk/1"}`),
		TokenOnly:   true,
		EmptySecret: "PLUSONE_FRESHDESK_WEBHOOK_SECRET",
		Cases: []webhooktest.Case{
			{Name: "wrong token", Header: withToken("not-the-token"), Want: "does not match PLUSONE_FRESHDESK_WEBHOOK_SECRET"},
			{Name: "token prefix", Header: withToken(secret[:10]), Want: "does not match"},
			{Name: "token with more", Header: withToken(secret + "x"), Want: "does not match"},
			{Name: "missing header", Header: http.Header{}, Want: "missing header X-Plusone-Token"},
			{Name: "empty header", Header: withToken(""), Want: "missing header X-Plusone-Token"},
		},
		Seeds: [][]byte{[]byte(freshdesk.BodyTemplate())},
		Check: func(t *testing.T, e plusone.Event) {
			if e.Feedback != nil && (e.Feedback.Score < 1 || e.Feedback.Score > 5) {
				t.Fatalf("CSAT score %d out of range", e.Feedback.Score)
			}
		},
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

func TestSign(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	freshdesk.Sign(h, secret, nil, now)
	if got := h.Get(freshdesk.HeaderToken); got != secret {
		t.Errorf("%s = %q, want the token", freshdesk.HeaderToken, got)
	}
}

package zendesk_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/webhooktest"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// vendor describes Zendesk to the webhook suite. Each testdata file is
// fuzzed with and without an invocation id.
func vendor() webhooktest.Vendor {
	body := []byte(`{"type":"zen:event-type:ticket.created","id":"x"}`)
	signed := func(at time.Time) http.Header {
		h := http.Header{}
		zendesk.Sign(h, secret, body, at)
		return h
	}
	ts := now.Format(time.RFC3339)
	bodyFirst := func() http.Header {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		m.Write([]byte(ts))
		h := http.Header{}
		h.Set(zendesk.HeaderSignatureTimestamp, ts)
		h.Set(zendesk.HeaderSignature, base64.StdEncoding.EncodeToString(m.Sum(nil)))
		return h
	}
	return webhooktest.Vendor{
		Source: plusone.SourceZendesk,
		New: func(secret string) plusone.Integration {
			return zendesk.New(secret, zendesk.WithBaseURL("https://tires.zendesk.com"))
		},
		Sign:        zendesk.Sign,
		Secret:      secret,
		Now:         now,
		Body:        body,
		MaxSkew:     zendesk.MaxSkew,
		EmptySecret: "no webhook signing secret",
		Cases: []webhooktest.Case{
			{Name: "body then timestamp", Header: bodyFirst()},
			{Name: "edge of the window ahead", Header: signed(now.Add(zendesk.MaxSkew))},
			{Name: "timestamp changed", Header: set(signed(now), zendesk.HeaderSignatureTimestamp, now.Add(time.Second).Format(time.RFC3339)), Want: "signature does not match"},
			{Name: "ten minutes old", Header: signed(now.Add(-10 * time.Minute)), Want: "stale signature: timestamp is 10m0s old"},
			{Name: "future", Header: signed(now.Add(5*time.Minute + time.Second)), Want: "5m1s in the future"},
			{Name: "missing signature", Header: del(signed(now), zendesk.HeaderSignature), Want: "missing header X-Zendesk-Webhook-Signature"},
			{Name: "missing timestamp", Header: del(signed(now), zendesk.HeaderSignatureTimestamp), Want: "missing header X-Zendesk-Webhook-Signature-Timestamp"},
			{Name: "timestamp not ISO", Header: set(signed(now), zendesk.HeaderSignatureTimestamp, "1736510400"), Want: "is not an ISO 8601 time"},
			{Name: "signature not base64", Header: set(signed(now), zendesk.HeaderSignature, "%%%"), Want: "not base64"},
		},
		Hints: func(string) []string { return []string{"8350205582", ""} },
		Header: func(invocation string) http.Header {
			h := http.Header{}
			if invocation != "" {
				h.Set(zendesk.HeaderInvocationID, invocation)
			}
			return h
		},
		Seeds: [][]byte{[]byte(zendesk.TriggerTemplate())},
	}
}

func TestWebhook(t *testing.T) { webhooktest.Run(t, vendor()) }

func FuzzParse(f *testing.F) { webhooktest.Fuzz(f, vendor()) }

// The vector from the older copy of Zendesk's "Verifying webhook
// authenticity" page (see VENDORS.md): it is signed body + timestamp.
const (
	docSecret    = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
	docBody      = `{"say": "hello"}`
	docTimestamp = "2021-07-25T10:00:00Z"
	docSignature = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
)

func TestVerifyDocumentationVector(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	src := zendesk.New(docSecret, zendesk.WithLogger(debugLogger(&logs)))
	h := http.Header{}
	h.Set(zendesk.HeaderSignature, docSignature)
	h.Set(zendesk.HeaderSignatureTimestamp, docTimestamp)
	if err := src.Verify(h, []byte(docBody), eventtest.At(docTimestamp).Add(time.Minute)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !strings.Contains(logs.String(), "order=body+timestamp") {
		t.Errorf("debug log does not say which order matched: %q", logs.String())
	}
}

func TestVerifyLogsCurrentOrder(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	src := zendesk.New(secret, zendesk.WithLogger(debugLogger(&logs)))
	h := http.Header{}
	zendesk.Sign(h, secret, []byte(docBody), now)
	if err := src.Verify(h, []byte(docBody), now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !strings.Contains(logs.String(), "order=timestamp+body") {
		t.Errorf("debug log does not say which order matched: %q", logs.String())
	}
}

// TestVerifySeveralSecrets: one secret per webhook, comma-separated; a
// delivery signed with any of them verifies, one signed with another does
// not.
func TestVerifySeveralSecrets(t *testing.T) {
	t.Parallel()
	const event, trigger, other = "event-webhook-secret", "trigger-webhook-secret", "third-webhook-secret"
	body := []byte(`{"type":"zen:event-type:ticket.created","id":"x"}`)
	var logs bytes.Buffer
	src := zendesk.New(" "+event+" , "+trigger+",", zendesk.WithLogger(debugLogger(&logs)))
	for i, key := range []string{event, trigger} {
		h := http.Header{}
		zendesk.Sign(h, key, body, now)
		if err := src.Verify(h, body, now); err != nil {
			t.Errorf("signed with secret %d: %v", i+1, err)
		}
		if want := fmt.Sprintf("secret_position=%d order=timestamp+body", i+1); !strings.Contains(logs.String(), want) {
			t.Errorf("debug log does not say %q: %q", want, logs.String())
		}
	}
	h := http.Header{}
	zendesk.Sign(h, other, body, now)
	err := src.Verify(h, body, now)
	eventtest.AssertError(t, err, plusone.EUNAUTHORIZED, "does not match any of the 2 signing secrets")
	if strings.Contains(err.Error(), event) || strings.Contains(err.Error(), trigger) || strings.Contains(logs.String(), event) {
		t.Errorf("a secret shows in the error or the log: %v", err)
	}
	for _, list := range []string{"", " , ,"} {
		h := http.Header{}
		zendesk.Sign(h, "", body, now)
		eventtest.AssertError(t, zendesk.New(list).Verify(h, body, now), plusone.EUNAUTHORIZED, "no webhook signing secret")
	}
}

func TestSign(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	zendesk.Sign(h, docSecret, []byte(docBody), time.Date(2021, 7, 25, 10, 0, 0, 0, time.FixedZone("CEST", 7200)))
	if got := h.Get(zendesk.HeaderSignatureTimestamp); got != "2021-07-25T08:00:00Z" {
		t.Errorf("timestamp = %q, want UTC", got)
	}
	// printf '%s' '2021-07-25T08:00:00Z{"say": "hello"}' | openssl dgst -sha256 -hmac "$secret" -binary | base64
	if got := h.Get(zendesk.HeaderSignature); got != wantSign {
		t.Errorf("signature = %q, want %q", got, wantSign)
	}
}

const wantSign = "1z0RY1WaRB4P0+jeI1G6+KbWpwUshkbBn9Qk0UkxWdY="

func debugLogger(w *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func del(h http.Header, k string) http.Header { h.Del(k); return h }

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

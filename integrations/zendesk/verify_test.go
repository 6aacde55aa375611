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
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

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
	src := zendesk.New(docSecret, zendesk.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
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
	src := zendesk.New(secret, zendesk.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	h := http.Header{}
	zendesk.Sign(h, secret, []byte(docBody), now)
	if err := src.Verify(h, []byte(docBody), now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !strings.Contains(logs.String(), "order=timestamp+body") {
		t.Errorf("debug log does not say which order matched: %q", logs.String())
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"zen:event-type:ticket.created","id":"x"}`)
	ts := now.Format(time.RFC3339)
	signed := func(key string, signedAt time.Time) http.Header {
		h := http.Header{}
		zendesk.Sign(h, key, body, signedAt)
		return h
	}
	bodyFirst := func() http.Header {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		m.Write([]byte(ts))
		h := http.Header{}
		h.Set(zendesk.HeaderSignatureTimestamp, ts)
		h.Set(zendesk.HeaderSignature, base64.StdEncoding.EncodeToString(m.Sum(nil)))
		return h
	}
	tests := []struct {
		name   string
		src    *zendesk.Source
		header http.Header
		body   []byte
		want   string // "" = accepted
	}{
		{"timestamp then body", zendesk.New(secret), signed(secret, now), body, ""},
		{"body then timestamp", zendesk.New(secret), bodyFirst(), body, ""},
		{"edge of the window", zendesk.New(secret), signed(secret, now.Add(zendesk.MaxSkew)), body, ""},
		{"wrong secret", zendesk.New(secret), signed("another-secret", now), body, "signature does not match"},
		{"tampered body", zendesk.New(secret), signed(secret, now), []byte(strings.Replace(string(body), "created", "deleted", 1)), "signature does not match"},
		{"timestamp changed", zendesk.New(secret), set(signed(secret, now), zendesk.HeaderSignatureTimestamp, now.Add(time.Second).Format(time.RFC3339)), body, "signature does not match"},
		{"stale", zendesk.New(secret), signed(secret, now.Add(-10*time.Minute)), body, "stale signature: timestamp is 10m0s old"},
		{"future", zendesk.New(secret), signed(secret, now.Add(5*time.Minute+time.Second)), body, "5m1s in the future"},
		{"missing signature", zendesk.New(secret), del(signed(secret, now), zendesk.HeaderSignature), body, "missing header X-Zendesk-Webhook-Signature"},
		{"missing timestamp", zendesk.New(secret), del(signed(secret, now), zendesk.HeaderSignatureTimestamp), body, "missing header X-Zendesk-Webhook-Signature-Timestamp"},
		{"no headers", zendesk.New(secret), nil, body, "missing header"},
		{"timestamp not ISO", zendesk.New(secret), set(signed(secret, now), zendesk.HeaderSignatureTimestamp, "1736510400"), body, "is not an ISO 8601 time"},
		{"signature not base64", zendesk.New(secret), set(signed(secret, now), zendesk.HeaderSignature, "%%%"), body, "not base64"},
		{"empty secret", zendesk.New(""), signed("", now), body, "no webhook signing secret"},
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

// TestVerifySeveralSecrets: one secret per webhook, comma-separated; a
// delivery signed with any of them verifies, one signed with another does
// not.
func TestVerifySeveralSecrets(t *testing.T) {
	t.Parallel()
	const event, trigger, other = "event-webhook-secret", "trigger-webhook-secret", "third-webhook-secret"
	body := []byte(`{"type":"zen:event-type:ticket.created","id":"x"}`)
	var logs bytes.Buffer
	src := zendesk.New(" "+event+" , "+trigger+",", zendesk.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
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

func del(h http.Header, k string) http.Header { h.Del(k); return h }

func set(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

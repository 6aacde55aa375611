package shopify_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

const (
	secret = "shpss_0123456789abcdef0123456789abcdef"
	shop   = "tires-co.myshopify.com"
)

var now = time.Date(2024, 11, 28, 12, 0, 0, 0, time.UTC)

// topicOf derives the topic from a testdata file name:
// "orders_create--guest.json" holds an orders/create body.
func topicOf(name string) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	base, _, _ = strings.Cut(base, "--")
	return strings.Replace(base, "_", "/", 1)
}

// deliver signs body, verifies and parses it as the intake does, with the
// headers Shopify sends.
func deliver(t *testing.T, topic, eventID string, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := shopify.New(secret)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderShopDomain, shop)
	h.Set(shopify.HeaderWebhookID, "b54557e4-8a5f-4bf7-9d70-bcd043000000")
	h.Set(shopify.HeaderEventID, eventID)
	h.Set("X-Shopify-API-Version", "2025-01")
	shopify.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// assertEvents compares events field by field through their JSON form.
func assertEvents(t *testing.T, got, want []plusone.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:\n got: %s", len(got), len(want), toJSON(t, got))
	}
	for i := range want {
		want[i].Source = plusone.SourceShopify
		if g, w := toJSON(t, got[i]), toJSON(t, want[i]); g != w {
			t.Errorf("event %d mismatch\n got: %s\nwant: %s", i, g, w)
		}
		if !got[i].OccurredAt.IsZero() && got[i].OccurredAt.Location() != time.UTC {
			t.Errorf("event %d: OccurredAt %v is not in UTC", i, got[i].OccurredAt)
		}
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertError(t *testing.T, err error, code, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if got := plusone.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (%v)", got, code, err)
	}
	if msg := plusone.ErrorMessage(err); !strings.Contains(msg, want) {
		t.Errorf("message = %q, want it to contain %q", msg, want)
	}
}

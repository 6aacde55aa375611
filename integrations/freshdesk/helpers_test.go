package freshdesk_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
)

// secret stands for the shared token pasted into the automation rules.
const secret = "fd_7QeW2rT9yU4iO1pA6sD3fG8hJ5kL0zX"

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// deliver sends body with the token, verifies and parses it as the intake
// does.
func deliver(t *testing.T, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := freshdesk.New(secret)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	freshdesk.Sign(h, secret, body, now)
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
		want[i].Source = plusone.SourceFreshdesk
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

// assertError checks that err has code and a message that contains want.
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

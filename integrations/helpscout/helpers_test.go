package helpscout_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
)

// secret stands for the secret key of a Help Scout webhook (40 characters
// at most).
const secret = "wHx3pJ9kQ2vL7sT4nB8mC1dF6gR0yZ5a"

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// eventOf derives the event from a testdata file name:
// "convo.created--v1.json" holds a convo.created body.
func eventOf(name string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "--")
	return base
}

// deliver signs body, verifies and parses it as the intake does, with
// event in X-HelpScout-Event.
func deliver(t *testing.T, event string, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := helpscout.New(secret)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(helpscout.HeaderEvent, event)
	helpscout.Sign(h, secret, body, now)
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
		want[i].Source = plusone.SourceHelpScout
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

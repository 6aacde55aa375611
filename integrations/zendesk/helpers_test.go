package zendesk_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

const secret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="

var now = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

func newSource() *zendesk.Source {
	return zendesk.New(secret, zendesk.WithBaseURL("https://tires.zendesk.com/"))
}

// deliver signs body, verifies and parses it as the intake does, with the
// extra headers given as name, value pairs.
func deliver(t *testing.T, body []byte, kv ...string) (plusone.Delivery, error) {
	t.Helper()
	src := newSource()
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	zendesk.Sign(h, secret, body, now)
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
		want[i].Source = plusone.SourceZendesk
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

// assertInvalid checks that err is EINVALID and its message contains want.
func assertInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if code := plusone.ErrorCode(err); code != plusone.EINVALID {
		t.Errorf("code = %q, want %q (%v)", code, plusone.EINVALID, err)
	}
	if msg := plusone.ErrorMessage(err); !strings.Contains(msg, want) {
		t.Errorf("message = %q, want it to contain %q", msg, want)
	}
}

func newSourceWithout() *zendesk.Source { return zendesk.New(secret) }

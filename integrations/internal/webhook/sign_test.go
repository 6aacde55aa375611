package webhook

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestCheckSkew(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		signed time.Time
		want   string // "" = accepted
	}{
		{"now", now, ""},
		{"at the limit in the past", now.Add(-5 * time.Minute), ""},
		{"at the limit in the future", now.Add(5 * time.Minute), ""},
		{"stale", now.Add(-5*time.Minute - time.Second), "stale signature: timestamp is 5m1s old"},
		{"future", now.Add(time.Hour), "1h0m0s in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSkew(tt.signed, now, 5*time.Minute)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckSkew = %v, want nil", err)
				}
				return
			}
			if plusone.ErrorCode(err) != plusone.EUNAUTHORIZED || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckSkew = %v, want EUNAUTHORIZED containing %q", err, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"sha256=abc", "sha256=abc"},
		{strings.Repeat("a", 40), strings.Repeat("a", 40)},
		{strings.Repeat("a", 41), strings.Repeat("a", 40) + "…"},
		{strings.Repeat("é", 45), strings.Repeat("é", 40) + "…"},
	}
	for _, tt := range tests {
		if got := Clip(tt.in); got != tt.want {
			t.Errorf("Clip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMAC(t *testing.T) {
	// RFC 4231, test case 2.
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	key := []byte("Jefe")
	for _, parts := range [][][]byte{
		{[]byte("what do ya want for nothing?")},
		{[]byte("what do ya "), []byte("want for nothing?")},
		{[]byte("what do ya want"), nil, []byte(" for nothing?")},
	} {
		if got := hex.EncodeToString(MAC(key, parts...)); got != want {
			t.Errorf("MAC(%q) = %s, want %s", parts, got, want)
		}
	}
}

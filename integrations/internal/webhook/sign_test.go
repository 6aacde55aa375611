package webhook

import (
	"crypto/hmac"
	"encoding/hex"
	"strings"
	"sync"
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

// Keyed agrees with MAC, for any split of the signed string, when reused
// and when used from many goroutines at once; a wrong MAC, a wrong secret
// or a changed part does not pass.
func TestKeyedAgreesWithMAC(t *testing.T) {
	secret := []byte("whsec_test")
	k := NewKeyed(secret)
	other := NewKeyed([]byte("whsec_other"))
	cases := [][][]byte{
		{[]byte("1700000000"), []byte("."), []byte(`{"id":"evt_1"}`)},
		{[]byte("1700000000." + `{"id":"evt_1"}`)},
		{},
		{[]byte("v0:1700000000:"), []byte(strings.Repeat("x", 10_000))},
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				for i, parts := range cases {
					want := MAC(secret, parts...)
					if !k.Equal(want, parts...) {
						t.Errorf("case %d: Keyed disagrees with MAC", i)
					}
					if other.Equal(want, parts...) {
						t.Errorf("case %d: another secret's Keyed accepts the MAC", i)
					}
					bad := append([]byte(nil), want...)
					bad[0] ^= 1
					if k.Equal(bad, parts...) || k.Equal(want[:len(want)-1], parts...) {
						t.Errorf("case %d: a wrong or short MAC passes", i)
					}
					if len(parts) > 0 && k.Equal(want, append(parts[:len(parts):len(parts)], []byte("x"))...) {
						t.Errorf("case %d: a changed message passes", i)
					}
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkMAC(b *testing.B) {
	secret := []byte("whsec_test")
	body := []byte(strings.Repeat(`{"k":"v"},`, 80))
	want := MAC(secret, []byte("1700000000"), []byte("."), body)
	b.Run("MAC", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !hmac.Equal(want, MAC(secret, []byte("1700000000"), []byte("."), body)) {
				b.Fatal("mismatch")
			}
		}
	})
	b.Run("Keyed", func(b *testing.B) {
		k := NewKeyed(secret)
		b.ReportAllocs()
		for b.Loop() {
			if !k.Equal(want, []byte("1700000000"), []byte("."), body) {
				b.Fatal("mismatch")
			}
		}
	})
}

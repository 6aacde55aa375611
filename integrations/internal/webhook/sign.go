package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
)

// Unauthorized is the error of a request whose signature does not hold:
// an EUNAUTHORIZED error, answered 401 with its message.
func Unauthorized(format string, args ...any) error {
	return plusone.Errorf(plusone.EUNAUTHORIZED, format, args...)
}

// MAC returns the HMAC-SHA256, keyed with secret, of parts written one
// after the other: what a sender that signs with HMAC-SHA256 computes over
// its signed string (a timestamp and the body, with any separator a part
// of its own).
func MAC(secret []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// Keyed computes MAC with one secret, keeping its hash states for reuse: a
// source that checks every webhook's signature then neither sets up the
// key (two hash blocks) nor allocates for it. Safe for concurrent use.
type Keyed struct{ pool sync.Pool }

// NewKeyed returns a Keyed for secret (copied).
func NewKeyed(secret []byte) *Keyed {
	key := bytes.Clone(secret)
	k := &Keyed{}
	k.pool.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

// Equal reports, in constant time, whether mac is MAC(secret, parts...).
func (k *Keyed) Equal(mac []byte, parts ...[]byte) bool {
	h := k.pool.Get().(hash.Hash)
	defer k.pool.Put(h)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [sha256.Size]byte
	return hmac.Equal(mac, h.Sum(sum[:0]))
}

// CheckSkew rejects a signed time more than maxSkew away from now, saying
// which way: a stale one (a replay, or a retry signed long ago) or one in
// the future (the sender's clock).
func CheckSkew(signed, now time.Time, maxSkew time.Duration) error {
	d := now.Sub(signed)
	switch {
	case d > maxSkew:
		return Unauthorized("stale signature: timestamp is %s old, more than the %s allowed", d.Round(time.Second), maxSkew)
	case d < -maxSkew:
		return Unauthorized("signature timestamp is %s in the future, more than the %s allowed; check the sender's clock",
			(-d).Round(time.Second), maxSkew)
	}
	return nil
}

// Clip shortens a value quoted in an error message to 40 characters,
// never cutting one in two.
func Clip(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

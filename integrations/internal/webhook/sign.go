package webhook

import (
	"time"

	"github.com/plusone-hq/plusone"
)

// Unauthorized is the error of a request whose signature does not hold:
// an EUNAUTHORIZED error, answered 401 with its message.
func Unauthorized(format string, args ...any) error {
	return plusone.Errorf(plusone.EUNAUTHORIZED, format, args...)
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

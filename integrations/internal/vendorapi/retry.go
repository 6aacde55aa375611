package vendorapi

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// RetryPolicy times retries: exactly the wait the vendor asks for
// (Retry-After, or what Hint reads), otherwise exponential backoff with
// jitter.
type RetryPolicy struct {
	Base          time.Duration // first backoff, and the shortest wait
	MaxBackoff    time.Duration // longest backoff when the vendor asks for no wait
	MaxRetryAfter time.Duration // longest wait the vendor may ask for
	// Hint, when set, reads a wait the vendor asks for in its own way, given
	// what Retry-After said (wait, and ok when it was there): a rate-limit
	// reset time, or the refill time of a query-cost bucket.
	Hint func(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool)
}

// RetryAfterError ends retries when the vendor asks for a longer wait than
// the client is allowed; retrying earlier is never an option.
type RetryAfterError struct{ Wait time.Duration }

// Error says how long the wait asked for was.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("a wait of %s exceeds the longest allowed", e.Wait)
}

// Retryable is resty's retry condition for every vendor. resty consults it
// in place of its own check, so it covers transport errors itself
// (LIBRARIES.md §3): they are retried unless the request's context is done,
// a hook refused the request before it was sent (no response) or the body
// was too large. Of answers, 429 and 5xx other than 501 are retried.
func Retryable(resp *resty.Response, err error) bool {
	if err != nil {
		if resp == nil || resp.Request == nil || resp.Request.Context().Err() != nil {
			return false
		}
		return !errors.Is(err, resty.ErrResponseBodyTooLarge)
	}
	s := resp.StatusCode()
	return s == http.StatusTooManyRequests || s >= 500 && s != http.StatusNotImplemented
}

// Delay is resty's RetryAfterFunc: how long to wait before the next
// attempt. resty never waits less than the returned duration (it only
// raises it to Base), so a vendor's wait is honoured to the full second.
func (p RetryPolicy) Delay(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	attempt := 1
	if resp != nil && resp.Request != nil {
		attempt = max(resp.Request.Attempt, 1)
	}
	return p.After(resp, attempt)
}

// After is the wait after attempt (1 for the first) got resp, nil or
// without an answer for a network error: the wait the vendor asks for,
// else backoff. A wait longer than MaxRetryAfter is a *RetryAfterError. It
// serves callers that count their own attempts, such as a write that must
// check whether the last attempt went through before it tries again.
func (p RetryPolicy) After(resp *resty.Response, attempt int) (time.Duration, error) {
	if resp != nil && resp.RawResponse != nil {
		wait, ok := ParseRetryAfter(resp.Header().Get("Retry-After"), time.Now())
		if p.Hint != nil {
			wait, ok = p.Hint(resp, wait, ok)
		}
		if ok && wait > 0 {
			if wait > p.MaxRetryAfter {
				return 0, &RetryAfterError{Wait: wait}
			}
			return wait, nil
		}
	}
	return p.Backoff(max(attempt, 1)), nil
}

// Backoff is the wait after the given attempt (1 for the first): Base
// doubling each time up to MaxBackoff, of which a random half is kept.
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	d := p.MaxBackoff
	if shift := attempt - 1; shift < 30 {
		d = min(p.Base<<shift, p.MaxBackoff)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// ParseRetryAfter reads a Retry-After value: delay seconds (fractions
// rounded up to the nanosecond) or an HTTP date, which is compared with now.
// ok is false when there is no value or it cannot be read.
func ParseRetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) {
			return 0, false
		}
		secs = min(secs, 1e6) // beyond any wait allowed; avoids overflow
		return time.Duration(math.Ceil(secs * float64(time.Second))), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

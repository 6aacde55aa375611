package zendesk

import (
	"context"
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

// retryPolicy times retries: Retry-After exactly when Zendesk sends it,
// otherwise exponential backoff with jitter.
type retryPolicy struct {
	base          time.Duration // first backoff, and the shortest wait
	maxBackoff    time.Duration // longest backoff without Retry-After
	maxRetryAfter time.Duration // longest Retry-After waited out
}

// retryAfterError ends retries when Zendesk asks for a longer wait than the
// client is allowed; retrying earlier is never an option.
type retryAfterError struct{ wait time.Duration }

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("Retry-After %s exceeds the longest wait allowed", e.wait)
}

// retryable is resty's retry condition. resty consults it in place of its
// own check, so it must cover transport errors itself (LIBRARIES.md §11):
// they are retried unless the request's context is done, a hook refused the
// request before it was sent (no response) or the body was too large.
func retryable(resp *resty.Response, err error) bool {
	if err != nil {
		if resp == nil || resp.Request == nil || resp.Request.Context().Err() != nil {
			return false
		}
		return !errors.Is(err, resty.ErrResponseBodyTooLarge)
	}
	s := resp.StatusCode()
	return s == http.StatusTooManyRequests || s >= 500 && s != http.StatusNotImplemented
}

// delay is resty's RetryAfterFunc: how long to wait before the next attempt.
// resty never waits less than the returned duration (it only raises it to
// base), so a Retry-After is honoured to the full second.
func (p retryPolicy) delay(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	h := resp.Header()
	wait, ok := parseRetryAfter(h.Get("Retry-After"), time.Now())
	if !ok && resp.StatusCode() == http.StatusTooManyRequests {
		// Zendesk does not always send Retry-After; its reset header says
		// when the window reopens.
		if s, has := headerInt(h, "Ratelimit-Reset"); has && s > 0 {
			wait, ok = time.Duration(s)*time.Second, true
		}
	}
	if ok && wait > 0 {
		if wait > p.maxRetryAfter {
			return 0, &retryAfterError{wait: wait}
		}
		return wait, nil
	}
	attempt := 1
	if resp.Request != nil {
		attempt = max(resp.Request.Attempt, 1)
	}
	return p.backoff(attempt), nil
}

// backoff is the wait after the given attempt (1 for the first): base
// doubling each time up to maxBackoff, of which a random half is kept.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.maxBackoff
	if shift := attempt - 1; shift < 30 {
		d = min(p.base<<shift, p.maxBackoff)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
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

// headerInt reads the first of names that holds a whole number.
func headerInt(h http.Header, names ...string) (int, bool) {
	for _, name := range names {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(name))); err == nil {
			return n, true
		}
	}
	return 0, false
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package shopify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// retryPolicy times retries: Retry-After exactly when Shopify sends it, the
// time the cost bucket needs to refill for a throttled query, otherwise
// exponential backoff with jitter.
type retryPolicy struct {
	base          time.Duration // first backoff, and the shortest wait
	maxBackoff    time.Duration // longest backoff without Retry-After
	maxRetryAfter time.Duration // longest Retry-After or refill waited out
}

// retryAfterError ends retries when Shopify asks for a longer wait than the
// client is allowed; retrying earlier is never an option.
type retryAfterError struct{ wait time.Duration }

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("a wait of %s exceeds the longest allowed", e.wait)
}

// retryable is resty's retry condition. resty consults it in place of its
// own check, so it must cover transport errors itself (LIBRARIES.md §11):
// they are retried unless the request's context is done, a hook refused the
// request before it was sent (no response) or the body was too large.
// GraphQL answers a throttled query with HTTP 200 and a THROTTLED error.
func retryable(resp *resty.Response, err error) bool {
	if err != nil {
		if resp == nil || resp.Request == nil || resp.Request.Context().Err() != nil {
			return false
		}
		return !errors.Is(err, resty.ErrResponseBodyTooLarge)
	}
	s := resp.StatusCode()
	if s == http.StatusTooManyRequests || s >= 500 && s != http.StatusNotImplemented {
		return true
	}
	throttled, _ := throttledAnswer(resp.Body())
	return throttled
}

// delay is resty's RetryAfterFunc: how long to wait before the next attempt.
// resty never waits less than the returned duration (it only raises it to
// base), so neither a Retry-After nor a refill is cut short.
func (p retryPolicy) delay(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	wait, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now())
	if throttled, cost := throttledAnswer(resp.Body()); throttled {
		refill := time.Second // the cost is not always reported
		if cost != nil {
			refill = cost.refillTime()
		}
		wait, ok = max(wait, refill), true
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

// queryCost is Shopify's extensions.cost of a GraphQL answer.
type queryCost struct {
	RequestedQueryCost float64  `json:"requestedQueryCost"`
	ActualQueryCost    *float64 `json:"actualQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// refillTime is how long the bucket takes to hold the requested cost again;
// at least the time one point takes.
func (c *queryCost) refillTime() time.Duration {
	s := c.ThrottleStatus
	if s.RestoreRate <= 0 {
		return time.Second
	}
	need := max(c.RequestedQueryCost-s.CurrentlyAvailable, 1)
	return time.Duration(math.Ceil(need / s.RestoreRate * float64(time.Second)))
}

// maxPace bounds one proactive wait.
const maxPace = time.Minute

// budget paces queries by Shopify's leaky bucket: after each answer it
// knows how many points were left and how fast they come back, and holds
// the next query until the bucket again holds what the last one asked for.
type budget struct {
	mu        sync.Mutex
	known     bool
	available float64 // points left when observed
	maximum   float64
	rate      float64 // points restored per second
	cost      float64 // requested cost of the latest query
	at        time.Time

	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	log   *slog.Logger
}

func newBudget(log *slog.Logger) *budget {
	return &budget{now: time.Now, sleep: sleepCtx, log: log}
}

// observe records the cost extension of an answer.
func (b *budget) observe(c *queryCost) {
	if c == nil || c.ThrottleStatus.RestoreRate <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.known = true
	b.available = c.ThrottleStatus.CurrentlyAvailable
	b.maximum = c.ThrottleStatus.MaximumAvailable
	b.rate = c.ThrottleStatus.RestoreRate
	b.cost = c.RequestedQueryCost
	b.at = b.now()
}

// wait blocks until the bucket should hold the next query's cost, or ctx is
// done.
func (b *budget) wait(ctx context.Context) error {
	d := b.delay()
	if d <= 0 {
		return nil
	}
	b.log.Debug("shopify query cost: waiting for the bucket to refill", "wait", d)
	return b.sleep(ctx, d)
}

func (b *budget) delay() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.known {
		return 0
	}
	now := b.available + b.rate*b.now().Sub(b.at).Seconds()
	if b.maximum > 0 {
		now = min(now, b.maximum)
	}
	need := b.cost - now
	if need <= 0 {
		return 0
	}
	return min(time.Duration(math.Ceil(need/b.rate*float64(time.Second))), maxPace)
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

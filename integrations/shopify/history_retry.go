package shopify

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// throttleWait is the wait a THROTTLED answer asks for: the time the cost
// bucket needs to refill for the query (a second when Shopify does not say
// the cost), or Retry-After if that is longer.
func throttleWait(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool) {
	throttled, cost := throttledAnswer(resp.Body())
	if !throttled {
		return wait, ok
	}
	refill := time.Second
	if cost != nil {
		refill = cost.refillTime()
	}
	return max(wait, refill), true
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
	return &budget{now: time.Now, sleep: vendorapi.Sleep, log: log}
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
	return min(time.Duration(math.Ceil(need/b.rate*float64(time.Second))), vendorapi.MaxPace)
}

package zendesk

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxPace bounds one proactive wait; Zendesk's windows are a minute long.
const maxPace = time.Minute

// pacer slows requests down before Zendesk's rate limit is reached, from
// the headers of the latest responses: when few requests remain in the
// window, the rest are spread over what is left of it.
type pacer struct {
	mu        sync.Mutex
	notBefore time.Time // no request starts earlier

	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	log   *slog.Logger
}

func newPacer(log *slog.Logger) *pacer {
	return &pacer{now: time.Now, sleep: sleepCtx, log: log}
}

// wait blocks until the next request may start, or ctx is done.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := p.notBefore.Sub(p.now())
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	p.log.Debug("zendesk rate limit: slowing down", "wait", d)
	return p.sleep(ctx, d)
}

// observe reads the rate-limit headers of a response. A response with
// Retry-After is left to the retry policy, which waits exactly that long.
func (p *pacer) observe(h http.Header) {
	if h.Get("Retry-After") != "" {
		return
	}
	d := min(rateLimitDelay(h), maxPace)
	if d <= 0 {
		return
	}
	t := p.now().Add(d)
	p.mu.Lock()
	if t.After(p.notBefore) {
		p.notBefore = t
	}
	p.mu.Unlock()
}

// rateLimitDelay is the pause before the next request that the headers ask
// for. Zendesk sends the account's limit as X-Rate-Limit and
// X-Rate-Limit-Remaining (list endpoints also ratelimit-limit,
// ratelimit-remaining and ratelimit-reset, in seconds) and an endpoint's own
// limit as "Zendesk-Ratelimit-<name>: total=100; remaining=99; resets=41".
// The strictest wins.
func rateLimitDelay(h http.Header) time.Duration {
	var d time.Duration
	if remaining, ok := headerInt(h, "Ratelimit-Remaining", "X-Rate-Limit-Remaining"); ok {
		limit, _ := headerInt(h, "Ratelimit-Limit", "X-Rate-Limit")
		reset, hasReset := headerInt(h, "Ratelimit-Reset")
		d = max(d, paceDelay(limit, remaining, reset, hasReset))
	}
	for name, values := range h {
		if len(values) == 0 || !strings.HasPrefix(strings.ToLower(name), "zendesk-ratelimit-") {
			continue
		}
		if f := limitFields(values[0]); f.hasRemaining {
			d = max(d, paceDelay(f.total, f.remaining, f.resets, f.hasResets))
		}
	}
	return d
}

// paceDelay spreads the remaining requests over the rest of the window once
// a tenth or less of the limit (5 requests if it is unknown) is left. With
// no reset time the window is taken to be a minute.
func paceDelay(limit, remaining, resetSeconds int, hasReset bool) time.Duration {
	low := 5
	if limit > 0 {
		low = max(1, limit/10)
	}
	if remaining > low {
		return 0
	}
	window := time.Minute
	if hasReset {
		window = time.Duration(max(resetSeconds, 0)) * time.Second
	}
	return window / time.Duration(max(remaining, 0)+1)
}

type limitHeader struct {
	total, remaining, resets int
	hasRemaining, hasResets  bool
}

// limitFields reads "total=100; remaining=99; resets=41".
func limitFields(v string) limitHeader {
	var f limitHeader
	for part := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "total":
			f.total = n
		case "remaining":
			f.remaining, f.hasRemaining = n, true
		case "resets":
			f.resets, f.hasResets = n, true
		}
	}
	return f
}

package vendorapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// MaxPace bounds one proactive wait of a Pacer; vendors' rate-limit windows
// are a minute long at most.
const MaxPace = time.Minute

// Pacer slows requests down before a vendor's rate limit is reached, from
// the rate-limit headers of the latest responses. It is safe for
// concurrent use.
type Pacer struct {
	mu        sync.Mutex
	notBefore time.Time // no request starts earlier

	name  string
	delay func(h http.Header, now time.Time) time.Duration
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	log   *slog.Logger
}

// PacerConfig is what a vendor tells its Pacer.
type PacerConfig struct {
	// Name names the vendor in log messages ("zendesk").
	Name string
	// Delay reads a response's rate-limit headers: how long to pause before
	// the next request (PaceDelay helps), 0 for no pause.
	Delay func(h http.Header, now time.Time) time.Duration
	// Log receives the waits, at debug level; nil logs nothing.
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Sleep waits; Sleep when nil. Tests record waits instead.
	Sleep func(context.Context, time.Duration) error
}

// NewPacer returns a Pacer that lets every request through until a
// response's headers ask for a pause.
func NewPacer(c PacerConfig) *Pacer {
	p := &Pacer{name: c.Name, delay: c.Delay, now: c.Now, sleep: c.Sleep, log: c.Log}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = Sleep
	}
	if p.log == nil {
		p.log = DiscardLogger()
	}
	return p
}

// Wait blocks until the next request may start, or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	d := p.notBefore.Sub(p.now())
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	p.log.Debug(p.name+" rate limit: slowing down", "wait", d)
	return p.sleep(ctx, d)
}

// Observe reads the rate-limit headers of a response. A response with
// Retry-After is left to the retry policy, which waits exactly that long.
func (p *Pacer) Observe(h http.Header) {
	if h.Get("Retry-After") != "" || p.delay == nil {
		return
	}
	now := p.now()
	d := min(p.delay(h, now), MaxPace)
	if d <= 0 {
		return
	}
	t := now.Add(d)
	p.mu.Lock()
	if t.After(p.notBefore) {
		p.notBefore = t
	}
	p.mu.Unlock()
}

// Hooks returns the client hooks that pace requests with p.
func (p *Pacer) Hooks() Hooks {
	return Hooks{Before: p.Wait, After: func(r *resty.Response) { p.Observe(r.Header()) }}
}

// PaceDelay spreads the remaining requests over what is left of the
// window (until the limit resets; pass a minute when the vendor does not
// say) once a tenth or less of the limit (5 requests if it is unknown, 0)
// is left.
func PaceDelay(limit, remaining int, window time.Duration) time.Duration {
	low := 5
	if limit > 0 {
		low = max(1, limit/10)
	}
	if remaining > low {
		return 0
	}
	return max(window, 0) / time.Duration(max(remaining, 0)+1)
}

// HeaderInt reads the first of names that holds a whole number.
func HeaderInt(h http.Header, names ...string) (int, bool) {
	for _, name := range names {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get(name))); err == nil {
			return n, true
		}
	}
	return 0, false
}

// Sleep waits for d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

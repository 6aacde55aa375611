package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Pulse watches the loops that Run with it in their context (WithPulse),
// so that a health check can tell a loop stuck in one round: every call a
// round makes has a deadline, so a round far longer than those deadlines
// means the loop no longer works. The zero value is ready to use.
type Pulse struct {
	mu    sync.Mutex
	loops map[*beat]struct{}
}

type pulseKey struct{}

// WithPulse returns ctx carrying p: the loops run with it report to p.
func WithPulse(ctx context.Context, p *Pulse) context.Context {
	return context.WithValue(ctx, pulseKey{}, p)
}

func pulseOf(ctx context.Context) *Pulse {
	p, _ := ctx.Value(pulseKey{}).(*Pulse)
	return p
}

// Check returns an error naming how many loops have been in their current
// round for longer than limit at now, and the longest; nil if none.
func (p *Pulse) Check(now time.Time, limit time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	stuck, longest := 0, time.Duration(0)
	for b := range p.loops {
		if b.since.IsZero() {
			continue
		}
		if d := now.Sub(b.since); d > limit {
			stuck++
			longest = max(longest, d)
		}
	}
	if stuck > 0 {
		return fmt.Errorf("%d of %d workers stuck in one round (the longest for %s, over %s)",
			stuck, len(p.loops), longest.Round(time.Second), limit)
	}
	return nil
}

// Loops returns how many loops report to p.
func (p *Pulse) Loops() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.loops)
}

// beat is one loop's entry in a Pulse; a nil beat (no Pulse) does nothing.
type beat struct {
	p     *Pulse
	since time.Time // when the round in progress started; zero between rounds
}

func (p *Pulse) join() *beat {
	if p == nil {
		return nil
	}
	b := &beat{p: p}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loops == nil {
		p.loops = map[*beat]struct{}{}
	}
	p.loops[b] = struct{}{}
	return b
}

func (b *beat) start(at time.Time) {
	if b == nil {
		return
	}
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	b.since = at
}

func (b *beat) leave() {
	if b == nil {
		return
	}
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	delete(b.p.loops, b)
}

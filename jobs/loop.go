package jobs

import (
	"cmp"
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// ReleaseTimeout bounds the release of claimed work on the way out.
const ReleaseTimeout = 5 * time.Second

// Waker cuts a Loop's wait short. The zero value is ready to use; one
// Waker may serve several loops (one of them wakes).
type Waker struct {
	once sync.Once
	c    chan struct{}
}

func (w *Waker) ch() chan struct{} {
	w.once.Do(func() { w.c = make(chan struct{}, 1) })
	return w.c
}

// Wake tells a waiting loop that work may be there. It never blocks.
func (w *Waker) Wake() {
	select {
	case w.ch() <- struct{}{}:
	default:
	}
}

// C is the channel a loop waits on.
func (w *Waker) C() <-chan struct{} { return w.ch() }

// run calls round until ctx ends. round gets ctx, to stop between items,
// and bg, ctx without its cancellation, so that the item in hand is
// finished; it returns how long to wait before the next round (0 or less:
// at once), a wait that wake (nil: never) cuts short. On the way out,
// release gives back what was claimed, within ReleaseTimeout.
//
// When ctx carries a Pulse (WithPulse), the loop reports each round to it.
func run(ctx context.Context, wake <-chan struct{}, release func(context.Context),
	round func(ctx, bg context.Context) time.Duration) {
	beat := pulseOf(ctx).join()
	defer beat.leave()
	bg := context.WithoutCancel(ctx)
	defer func() {
		rctx, cancel := context.WithTimeout(bg, ReleaseTimeout)
		defer cancel()
		release(rctx)
	}()
	for ctx.Err() == nil {
		beat.start(time.Now())
		wait := round(ctx, bg)
		beat.start(time.Time{})
		if wait <= 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(wait):
		}
	}
}

// Backoff is the delay before the attempt after attempt (1 for the first):
// Base doubled per attempt, capped at Max, with ±20 % jitter so that
// retries of many items spread out. The zero value waits 1 s to 5 min.
type Backoff struct {
	Base, Max time.Duration
}

// After returns the delay before the attempt after attempt.
func (b Backoff) After(attempt int) time.Duration {
	base, max := cmp.Or(b.Base, time.Second), cmp.Or(b.Max, 5*time.Minute)
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	jitter := time.Duration(float64(d) * 0.2 * (2*rand.Float64() - 1))
	return d + jitter
}

// Yield waits while busy says that more urgent work is under way (a burst of
// webhooks to acknowledge), checking every step, for at most limit in all,
// so that work that can wait gives it the CPU and the database without
// ever stopping for good. It returns at once when busy is nil or false, and
// when ctx ends.
func Yield(ctx context.Context, busy func() bool, step, limit time.Duration) {
	if busy == nil {
		return
	}
	for waited := time.Duration(0); waited < limit && busy(); waited += step {
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// BurstYield is how long a round of background work waits, at most, for a
// burst of webhooks to pass (looking every 10 ms): long enough to leave
// intake the CPU, short enough that the work is never starved.
const BurstYield = time.Second

// YieldToBurst is Yield with the waits every background worker uses while
// webhooks arrive in a burst.
func YieldToBurst(ctx context.Context, busy func() bool) {
	Yield(ctx, busy, 10*time.Millisecond, BurstYield)
}

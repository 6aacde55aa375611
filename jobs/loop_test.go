package jobs

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 800 * time.Millisecond, 1200 * time.Millisecond},
		{2, 1600 * time.Millisecond, 2400 * time.Millisecond},
		{4, 6400 * time.Millisecond, 9600 * time.Millisecond},
		{30, 48 * time.Second, 72 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := (Backoff{Base: time.Second, Max: time.Minute}).After(tt.attempt); d < tt.min || d > tt.max {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

// A loop goes again at once after work, waits when idle until woken, and
// releases once, with a live context, after ctx ends.
func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		w        Waker
		rounds   atomic.Int32
		released atomic.Int32
		bgAlive  atomic.Bool
		done     = make(chan struct{})
		idle     = make(chan struct{}, 10)
	)
	go func() {
		defer close(done)
		run(ctx, w.C(), func(rctx context.Context) {
			released.Add(1)
			bgAlive.Store(rctx.Err() == nil)
		}, func(ctx, bg context.Context) time.Duration {
			n := rounds.Add(1)
			if bg.Err() != nil {
				t.Error("bg is cancelled")
			}
			if n < 3 {
				return 0 // work was done: again at once
			}
			idle <- struct{}{}
			return time.Hour // idle: only a wake-up or the end comes first
		})
	}()
	<-idle
	if n := rounds.Load(); n != 3 {
		t.Fatalf("rounds before the first wait = %d, want 3", n)
	}
	w.Wake()
	w.Wake() // never blocks, even with nobody waiting
	<-idle
	cancel()
	<-done
	if released.Load() != 1 || !bgAlive.Load() {
		t.Errorf("released %d times, with a live context: %v", released.Load(), bgAlive.Load())
	}
}

// A loop run with a Pulse reports its rounds: one blocked in a round is
// stuck once the limit has passed, one waiting between rounds never is,
// and a loop that ended leaves the Pulse.
func TestPulse(t *testing.T) {
	t.Parallel()
	var p Pulse
	ctx, cancel := context.WithCancel(WithPulse(context.Background(), &p))
	inRound, unblock := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // stuck in its first round until unblocked
		run(ctx, nil, func(context.Context) {}, func(ctx, bg context.Context) time.Duration {
			select {
			case inRound <- struct{}{}:
				<-unblock
			default:
			}
			return time.Hour
		})
	})
	idle := make(chan struct{}, 1)
	wg.Go(func() { // idle between rounds
		run(ctx, nil, func(context.Context) {}, func(ctx, bg context.Context) time.Duration {
			select {
			case idle <- struct{}{}:
			default:
			}
			return time.Hour
		})
	})
	<-inRound
	<-idle
	if n := p.Loops(); n != 2 {
		t.Fatalf("%d loops report, want 2", n)
	}
	if err := p.Check(time.Now(), time.Minute); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	err := p.Check(time.Now().Add(2*time.Minute), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 workers stuck") {
		t.Errorf("past the limit: %v, want 1 of 2 stuck", err)
	}
	close(unblock)
	cancel()
	wg.Wait()
	if n := p.Loops(); n != 0 {
		t.Errorf("%d loops still report after they ended", n)
	}
	// Without a Pulse a loop runs as before.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	run(ctx2, nil, func(context.Context) {}, func(ctx, bg context.Context) time.Duration { return 0 })
}

// Yield returns at once when nothing is busy, waits while it is, gives up
// after its limit, and ends with ctx.
func TestYield(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	Yield(ctx, nil, time.Hour, time.Hour) // nil: never waits

	var calls atomic.Int32
	Yield(ctx, func() bool { calls.Add(1); return false }, time.Hour, time.Hour)
	if calls.Load() != 1 {
		t.Fatalf("not busy: busy asked %d times, want 1", calls.Load())
	}

	calls.Store(0)
	Yield(ctx, func() bool { return calls.Add(1) < 3 }, time.Millisecond, time.Hour)
	if calls.Load() != 3 {
		t.Fatalf("busy twice: asked %d times, want 3 (it waits while busy, then goes on)", calls.Load())
	}

	calls.Store(0)
	Yield(ctx, func() bool { calls.Add(1); return true }, time.Millisecond, 5*time.Millisecond)
	if n := calls.Load(); n != 5 {
		t.Fatalf("busy for ever: asked %d times, want 5 (limit / step): it must give up", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	Yield(cctx, func() bool { return true }, time.Hour, time.Hour) // returns: ctx ended
}

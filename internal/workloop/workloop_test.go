package workloop

import (
	"context"
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
			if d := Backoff(tt.attempt, time.Second, time.Minute); d < tt.min || d > tt.max {
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
		Run(ctx, w.C(), func(rctx context.Context) {
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

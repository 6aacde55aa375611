package vendorapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestPaceDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, remaining int
		window, want     time.Duration
	}{
		{700, 699, time.Minute, 0},
		{700, 70, 10 * time.Second, 10 * time.Second / 71},
		{100, 0, 7 * time.Second, 7 * time.Second},
		{0, 6, time.Minute, 0}, // unknown limit: 5 is low
		{0, 5, time.Minute, 10 * time.Second},
		{3, 1, time.Minute, 30 * time.Second}, // a tenth of a small limit is 1
		{100, 0, -time.Second, 0},             // a reset in the past
	}
	for _, tt := range tests {
		if got := PaceDelay(tt.limit, tt.remaining, tt.window); got != tt.want {
			t.Errorf("PaceDelay(%d, %d, %v) = %v, want %v", tt.limit, tt.remaining, tt.window, got, tt.want)
		}
	}
}

func TestHeaderInt(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("A", "x")
	h.Set("B", " 12 ")
	if n, ok := HeaderInt(h, "Missing", "A", "B"); n != 12 || !ok {
		t.Errorf("HeaderInt = %d, %v; want 12 from the first readable header", n, ok)
	}
	if _, ok := HeaderInt(h, "A"); ok {
		t.Error("HeaderInt read a word")
	}
}

// waits records what a Pacer asked to sleep, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func TestPacer(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	var rec waits
	p := NewPacer(PacerConfig{
		Name: "test",
		Delay: func(h http.Header, at time.Time) time.Duration {
			if !at.Equal(now) {
				t.Errorf("Delay got the time %v, want the pacer's clock %v", at, now)
			}
			n, _ := HeaderInt(h, "Pause")
			return time.Duration(n) * time.Second
		},
		Now:   func() time.Time { return now },
		Sleep: rec.sleep,
	})
	ctx := t.Context()
	if err := p.Wait(ctx); err != nil || len(rec.all()) != 0 {
		t.Fatalf("a fresh pacer waited: %v, %v", rec.all(), err)
	}
	pause := func(secs string, more ...string) http.Header {
		h := http.Header{}
		h.Set("Pause", secs)
		for i := 0; i+1 < len(more); i += 2 {
			h.Set(more[i], more[i+1])
		}
		return h
	}
	p.Observe(pause("7"))
	p.Observe(pause("3"))                       // an earlier end does not shorten the pause
	p.Observe(pause("60", "Retry-After", "60")) // left to the retry policy
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	p.Observe(pause("3600")) // bounded by MaxPace
	_ = p.Wait(ctx)
	if got := rec.all(); len(got) != 2 || got[0] != 7*time.Second || got[1] != MaxPace {
		t.Errorf("waits = %v, want [7s %v]", got, MaxPace)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(cancelled); err == nil {
		t.Error("Wait with a cancelled context returned no error")
	}
}

func TestSleepStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(10*time.Millisecond, cancel)
	start := time.Now()
	if err := Sleep(ctx, time.Minute); err != context.Canceled {
		t.Errorf("Sleep = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Sleep returned after %v", d)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}

package historytest

import (
	"context"
	"sync"
	"time"
)

// Stamp is a time a fake's handler records and the test reads.
type Stamp struct {
	mu sync.Mutex
	t  time.Time
}

// Set records now.
func (s *Stamp) Set() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = time.Now()
}

// Get returns the time recorded.
func (s *Stamp) Get() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

// SleepRecorder stands in for a pacer's sleep and records what it was
// asked to wait, without waiting.
type SleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns at once (ctx's error, if it is done).
func (s *SleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// Recorded returns the waits asked for, in order.
func (s *SleepRecorder) Recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

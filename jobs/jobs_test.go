package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// queue is a Queue of named items kept in memory: what is due is claimed,
// and every retry, park and release is recorded.
type queue struct {
	mu        sync.Mutex
	due       []*Job[string] // claimable, in order
	claimErr  error
	retries   []retried
	parks     map[string]string // item -> reason
	released  []string          // workers
	claimedBy map[string]string // item -> worker
}

type retried struct {
	item   string
	at     time.Time
	reason string
}

func newQueue(items ...string) *queue {
	q := &queue{parks: map[string]string{}, claimedBy: map[string]string{}}
	for _, it := range items {
		q.due = append(q.due, &Job[string]{Item: it, Log: slog.New(slog.DiscardHandler)})
	}
	return q
}

func (q *queue) Claim(_ context.Context, c plusone.Claim, log *slog.Logger) ([]*Job[string], error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.claimErr != nil {
		return nil, q.claimErr
	}
	n := min(c.Limit, len(q.due))
	batch := q.due[:n]
	q.due = q.due[n:]
	for _, j := range batch {
		j.Worker, j.Log = c.Worker, log
		j.Attempt++
		q.claimedBy[j.Item] = c.Worker
	}
	return batch, nil
}

func (q *queue) Retry(_ context.Context, j *Job[string], at time.Time, cause error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.retries = append(q.retries, retried{j.Item, at, Reason(cause)})
	delete(q.claimedBy, j.Item)
	return nil
}

func (q *queue) Park(_ context.Context, j *Job[string], reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.parks[j.Item] = reason
	delete(q.claimedBy, j.Item)
	return nil
}

func (q *queue) Release(_ context.Context, worker string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.released = append(q.released, worker)
	for it, w := range q.claimedBy {
		if w == worker {
			delete(q.claimedBy, it)
		}
	}
	return nil
}

// What the runner does with the outcome of one attempt, by what the
// handler returned, at which attempt, with which MaxAttempts: retried with
// backoff (doubling from 1 s, capped at 4 s, ±20 %), parked, rescheduled
// or left alone.
func TestAttemptOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	later := now.Add(42 * time.Second)
	boom := errors.New("boom")
	tests := []struct {
		name        string
		work        func(ctx context.Context) error
		attempt     int
		lastError   string
		maxAttempts int
		cancelled   bool // the service stops during the attempt

		want       Outcome
		notCalled  bool          // the handler must not run
		retryIn    time.Duration // for a retry: the delay before jitter
		retryAt    time.Time     // for a retry at a given time
		reason     string        // the reason recorded (retry or park), "" for none
		reasonHave []string      // or the parts it must contain
	}{
		{name: "done", work: func(context.Context) error { return nil }, attempt: 1, maxAttempts: 3, want: Done},
		{name: "first failure", work: fail(boom), attempt: 1, maxAttempts: 3, want: Retried, retryIn: time.Second, reason: "boom"},
		{name: "second failure doubles", work: fail(boom), attempt: 2, maxAttempts: 5, want: Retried, retryIn: 2 * time.Second, reason: "boom"},
		{name: "backoff capped", work: fail(boom), attempt: 4, maxAttempts: 9, want: Retried, retryIn: 4 * time.Second, reason: "boom"},
		{name: "last attempt parks", work: fail(boom), attempt: 3, maxAttempts: 3, want: Parked, reason: "gave up after 3 attempts: boom"},
		{name: "no max never parks", work: fail(boom), attempt: 100, maxAttempts: 0, want: Retried, retryIn: 4 * time.Second, reason: "boom"},
		{name: "claimed past max without finishing", work: fail(boom), attempt: 4, maxAttempts: 3, lastError: "timeout",
			want: Parked, notCalled: true, reason: "gave up after 3 attempts: timeout"},
		{name: "crashed every time", work: fail(boom), attempt: 4, maxAttempts: 3,
			want: Parked, notCalled: true, reason: "gave up after 3 attempts: worker stopped mid-way"},
		{name: "park asked", work: fail(Park(fmt.Errorf("payload: %w", boom))), attempt: 1, maxAttempts: 3, want: Parked, reason: "payload: boom"},
		{name: "retry at a time", work: fail(RetryAt(later, boom)), attempt: 3, maxAttempts: 3, want: Rescheduled, retryAt: later, reason: "boom"},
		{name: "retry at without cause", work: fail(RetryAt(later, nil)), attempt: 1, maxAttempts: 3, want: Rescheduled, retryAt: later},
		{name: "lease lost", work: fail(fmt.Errorf("complete: %w", plusone.ErrLeaseLost)), attempt: 3, maxAttempts: 3, want: LeaseLost},
		{name: "panic is retried", work: func(context.Context) error { panic("poison") }, attempt: 1, maxAttempts: 3,
			want: Retried, retryIn: time.Second, reason: "panic: poison"},
		{name: "panic at the last attempt parks", work: func(context.Context) error { panic("poison") }, attempt: 3, maxAttempts: 3,
			want: Parked, reason: "gave up after 3 attempts: panic: poison"},
		{name: "shutdown interrupts", work: func(ctx context.Context) error { return ctx.Err() }, attempt: 3, maxAttempts: 3,
			cancelled: true, want: Interrupted, retryAt: now, reasonHave: []string{"interrupted by shutdown", "context canceled"}},
		{name: "shutdown after success", work: func(context.Context) error { return nil }, attempt: 1, maxAttempts: 3,
			cancelled: true, want: Done},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue()
			var (
				called   bool
				outcomes []Outcome
				parkedBy error
			)
			k := &Kind[string]{
				Name: "thing", Queue: q, MaxAttempts: tt.maxAttempts,
				Backoff: Backoff{Base: time.Second, Max: 4 * time.Second},
				Handler: WorkFunc[string](func(ctx context.Context, j *Job[string]) error {
					called = true
					return tt.work(ctx)
				}),
				Observe: func(j *Job[string], o Outcome) { outcomes = append(outcomes, o) },
				OnPark:  func(ctx context.Context, j *Job[string], err error) { parkedBy = err },
			}
			l := &Loop{Clock: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			j := &Job[string]{Item: "x", Worker: "w", Attempt: tt.attempt, LastError: tt.lastError, Log: l.Log}
			k.work(ctx, l, j)

			if called == tt.notCalled {
				t.Errorf("handler called: %v, want %v", called, !tt.notCalled)
			}
			if !slices.Equal(outcomes, []Outcome{tt.want}) {
				t.Fatalf("outcomes %v, want [%s]", outcomes, tt.want)
			}
			var reason string
			switch tt.want {
			case Retried, Rescheduled, Interrupted:
				if len(q.retries) != 1 || len(q.parks) != 0 {
					t.Fatalf("retries %v, parks %v: want one retry", q.retries, q.parks)
				}
				r := q.retries[0]
				reason = r.reason
				if tt.retryIn > 0 {
					lo, hi := now.Add(tt.retryIn*8/10), now.Add(tt.retryIn*12/10)
					if r.at.Before(lo) || r.at.After(hi) {
						t.Errorf("retry at +%v, want +%v ±20 %%", r.at.Sub(now), tt.retryIn)
					}
				} else if !r.at.Equal(tt.retryAt) {
					t.Errorf("retry at %v, want %v", r.at, tt.retryAt)
				}
			case Parked:
				if len(q.parks) != 1 || len(q.retries) != 0 {
					t.Fatalf("retries %v, parks %v: want one park", q.retries, q.parks)
				}
				reason = q.parks["x"]
				if parkedBy == nil || parkedBy.Error() != reason {
					t.Errorf("OnPark got %v, want the error that parked it (%q)", parkedBy, reason)
				}
			default:
				if len(q.parks) != 0 || len(q.retries) != 0 {
					t.Fatalf("retries %v, parks %v: want the item left alone", q.retries, q.parks)
				}
			}
			if tt.reasonHave == nil && reason != tt.reason {
				t.Errorf("reason %q, want %q", reason, tt.reason)
			}
			for _, part := range tt.reasonHave {
				if !strings.Contains(reason, part) {
					t.Errorf("reason %q, want it to contain %q", reason, part)
				}
			}
		})
	}
}

func fail(err error) func(context.Context) error {
	return func(context.Context) error { return err }
}

// The backoff schedule: doubling from Base per attempt, capped at Max,
// ±20 % jitter; the zero Backoff waits 1 s to 5 min.
func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		b       Backoff
		attempt int
		want    time.Duration
	}{
		{Backoff{Base: 10 * time.Millisecond, Max: time.Second}, 1, 10 * time.Millisecond},
		{Backoff{Base: 10 * time.Millisecond, Max: time.Second}, 3, 40 * time.Millisecond},
		{Backoff{Base: 10 * time.Millisecond, Max: time.Second}, 8, time.Second},
		{Backoff{}, 1, time.Second},
		{Backoff{}, 9, 256 * time.Second},
		{Backoff{}, 10, 5 * time.Minute},
		{Backoff{}, 0, time.Second},
	}
	for _, tt := range tests {
		for range 20 {
			if d := tt.b.After(tt.attempt); d < tt.want*8/10 || d > tt.want*12/10 {
				t.Fatalf("%+v.After(%d) = %v, want %v ±20 %%", tt.b, tt.attempt, d, tt.want)
			}
		}
	}
}

// A loop works every item in turn, a failure blocking nothing, until the
// queue is empty, saying when a batch was worked; when the service stops,
// it gives back what it holds.
func TestLoopWorksAndReleases(t *testing.T) {
	t.Parallel()
	q := newQueue("a", "poison", "b", "c", "d")
	var done sync.Map
	idle := make(chan struct{}, 1)
	k := &Kind[string]{Name: "thing", Queue: q, Batch: 2, MaxAttempts: 1,
		Handler: WorkFunc[string](func(ctx context.Context, j *Job[string]) error {
			if j.Worker != "me/things" {
				t.Errorf("worker %q", j.Worker)
			}
			if j.Item == "poison" {
				panic("poison")
			}
			done.Store(j.Item, true)
			return nil
		})}
	var rounds, worked atomic.Int32
	k.Worked = func() { worked.Add(1) }
	l := &Loop{Parts: []Part{k, idleSignal{idle, &rounds}}, Poll: time.Hour, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { l.Run(ctx, "me/things"); close(stopped) }()
	<-idle
	cancel()
	<-stopped
	for _, it := range []string{"a", "b", "c", "d"} {
		if _, ok := done.Load(it); !ok {
			t.Errorf("%s not done", it)
		}
	}
	if r := q.parks["poison"]; !strings.Contains(r, "panic: poison") {
		t.Errorf("poison parked with %q", r)
	}
	if n := worked.Load(); n != 3 {
		t.Errorf("Worked called %d times, want 3 (batches of 2, 2 and 1; none after the empty claim)", n)
	}
	if !slices.Equal(q.released, []string{"me/things"}) {
		t.Errorf("released %v, want once, for me/things", q.released)
	}
}

// A claim that took less than its batch found all that was due: the loop
// waits for a wake (or its poll) instead of claiming again at once, which
// would only make an empty claim, a write on the store's one writer for
// every event.
func TestLoopClaimsAgainOnlyAfterAFullBatch(t *testing.T) {
	t.Parallel()
	q := newQueue("a")
	var woken atomic.Bool
	worked := make(chan struct{}, 1)
	claims := make(chan bool, 8) // each claim: was the loop woken before it?
	counted := &countingQueue{queue: q, claims: claims, woken: &woken}
	k := &Kind[string]{Name: "thing", Queue: counted, Batch: 4,
		Handler: WorkFunc[string](func(ctx context.Context, j *Job[string]) error {
			worked <- struct{}{}
			return nil
		})}
	var wake Waker
	l := &Loop{Parts: []Part{k}, Wake: wake.C(), Poll: time.Hour, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { l.Run(ctx, "me"); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	<-claims // the first claim, which takes a
	<-worked
	// Long enough for a loop that claims again at once to have done so.
	time.Sleep(50 * time.Millisecond)
	woken.Store(true)
	wake.Wake()
	if before := <-claims; !before {
		t.Fatal("the loop claimed again at once after a batch of 1 of 4")
	}
}

// countingQueue reports each claim, and whether the loop had been woken
// before it.
type countingQueue struct {
	*queue
	claims chan<- bool
	woken  *atomic.Bool
}

func (q *countingQueue) Claim(ctx context.Context, c plusone.Claim, log *slog.Logger) ([]*Job[string], error) {
	q.claims <- q.woken.Load()
	return q.queue.Claim(ctx, c, log)
}

// idleSignal is a Part that claims nothing and says when a round found the
// queue before it empty.
type idleSignal struct {
	idle   chan struct{}
	rounds *atomic.Int32
}

func (s idleSignal) round(context.Context, *Loop, string) bool {
	if s.rounds.Add(1) >= 3 { // rounds 1 and 2 took full batches of 2, the third the last one
		select {
		case s.idle <- struct{}{}:
		default:
		}
	}
	return false
}
func (idleSignal) release(context.Context, *slog.Logger, string) {}

// A hold (another replica sends; Slack's Retry-After) hands the rest of the
// batch back untried, due when the hold ends; a failed claim gives back at
// once whatever it may have leased.
func TestLoopHoldAndClaimError(t *testing.T) {
	t.Parallel()
	q := newQueue("a", "b", "c")
	resume := time.Now().Add(time.Hour)
	var held atomic.Bool
	var worked []string
	k := &Kind[string]{Name: "card", Queue: q, Batch: 3,
		Handler: WorkFunc[string](func(ctx context.Context, j *Job[string]) error {
			worked = append(worked, j.Item)
			held.Store(true) // e.g. Slack answered 429
			return RetryAt(resume, errors.New("ratelimited"))
		})}
	l := &Loop{Parts: []Part{k}, Log: slog.New(slog.DiscardHandler),
		Hold: func() (time.Time, string, bool) { return resume, "waiting for Slack's Retry-After", held.Load() }}
	if more := k.round(context.Background(), l, "me"); !more {
		t.Fatalf("a full batch of 3 says nothing more may be due")
	}
	if !slices.Equal(worked, []string{"a"}) {
		t.Errorf("worked %v, want only a", worked)
	}
	want := []retried{{"a", resume, "ratelimited"}, {"b", resume, "waiting for Slack's Retry-After"}, {"c", resume, "waiting for Slack's Retry-After"}}
	if !slices.Equal(q.retries, want) {
		t.Errorf("retries %v, want %v", q.retries, want)
	}

	q.claimErr = errors.New("connection reset")
	if more := k.round(context.Background(), l, "me"); more || !slices.Equal(q.released, []string{"me"}) {
		t.Errorf("after a failed claim: more %v, released %v; want false and me", more, q.released)
	}

	// While held, a loop claims nothing and waits until the hold ends.
	q.claimErr = nil
	q.due = append(q.due, &Job[string]{Item: "d"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx, "me"); close(done) }()
	cancel()
	<-done
	if len(q.due) != 1 {
		t.Errorf("a held loop claimed: %d left of 1", len(q.due))
	}
}

// Periodic work runs every interval, not at once; its errors and panics are
// logged and it runs again.
func TestPeriodic(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	third := make(chan struct{})
	p := &Periodic{Name: "expire", Every: time.Millisecond, Log: slog.New(slog.DiscardHandler),
		Do: func(ctx context.Context) error {
			switch runs.Add(1) {
			case 1:
				return errors.New("database is locked")
			case 2:
				panic("bug")
			case 3:
				close(third)
			}
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	<-third
	cancel()
	<-done

	// The first run waits one interval.
	slow := &Periodic{Name: "slow", Every: time.Hour, Log: slog.New(slog.DiscardHandler),
		Do: func(context.Context) error { t.Error("ran before its interval"); return nil }}
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan struct{})
	go func() { slow.Run(ctx2); close(done2) }()
	cancel2()
	<-done2
}

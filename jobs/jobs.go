// Package jobs is the one job runner every background worker of plusone
// runs on. A worker is a Handler[T] — Work(ctx, *Job[T]) error, after
// River's Worker[T] — for one Kind[T] of work kept in a leased queue of the
// store (Queue[T]); a Loop claims items, hands them to their handler, and
// treats what Work returns the same way for every kind: nil is done (the
// handler completed the item, in the transaction of its effects), a lost
// lease is left to the worker that took it over, Park sets the item aside,
// RetryAt reschedules it, and any other error (a panic included) is retried
// with backoff until MaxAttempts, then parked. The loop waits for more work
// or a wake-up, yields to a burst of webhooks, reports its rounds to a Pulse
// for /readyz, and gives back what it claimed but did not start when it
// stops. Periodic runs work that is not queued (the expiry of approvals)
// with the same pulse and error handling.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone"
)

// Job is one claimed item of work, as a handler gets it.
type Job[T any] struct {
	// Item is what was claimed: an event, a card, a store job.
	Item T
	// Worker holds the item's lease; completing it needs this name.
	Worker string
	// Attempt counts this attempt: 1 for the first.
	Attempt int
	// LastError is why the attempt before failed, if one did.
	LastError string
	// Log carries the item's attributes.
	Log *slog.Logger
}

// Queue is the store's side of one kind of work: items leased to a worker,
// given back to be tried again, or set aside for good.
type Queue[T any] interface {
	// Claim leases due items, counting an attempt for each; log is the
	// logger the jobs' Log extend.
	Claim(ctx context.Context, c plusone.Claim, log *slog.Logger) ([]*Job[T], error)
	// Retry gives j back, due at at; cause (nil when none) says why.
	Retry(ctx context.Context, j *Job[T], at time.Time, cause error) error
	// Park sets j aside for good because of reason.
	Park(ctx context.Context, j *Job[T], reason string) error
	// Release gives back every item leased to worker.
	Release(ctx context.Context, worker string) error
}

// Handler does one kind of work.
type Handler[T any] interface {
	// Work does j and, when it succeeds, completes it in the store (in the
	// transaction of what it did, so that nothing is done twice) and
	// returns nil. ctx ends when the service stops: work that must finish
	// once begun uses context.WithoutCancel(ctx). Errors: see Park,
	// RetryAt and plusone.ErrLeaseLost; any other is retried with backoff.
	Work(ctx context.Context, j *Job[T]) error
}

// WorkFunc is a function that is a Handler.
type WorkFunc[T any] func(ctx context.Context, j *Job[T]) error

// Work calls f.
func (f WorkFunc[T]) Work(ctx context.Context, j *Job[T]) error { return f(ctx, j) }

// parkError asks the runner to set a job aside (Park).
type parkError struct{ err error }

func (e *parkError) Error() string { return e.err.Error() }
func (e *parkError) Unwrap() error { return e.err }

// Park returns an error that sets the job aside for good, with err as the
// reason: for work that retrying cannot mend (an unreadable payload, a
// request the vendor refuses).
func Park(err error) error { return &parkError{err: err} }

// retryError asks the runner to try a job again at a given time (RetryAt).
type retryError struct {
	at    time.Time
	cause error
}

func (e *retryError) Error() string {
	if e.cause == nil {
		return "retry at " + e.at.Format(time.RFC3339Nano)
	}
	return e.cause.Error()
}
func (e *retryError) Unwrap() error { return e.cause }

// RetryAt returns an error that gives the job back to be tried at at,
// whatever its attempts; cause (nil: none) is recorded as its last error.
// For a job that must wait its turn (a channel's pace, Slack's
// Retry-After), not for a failure: that is retried with backoff.
func RetryAt(at time.Time, cause error) error { return &retryError{at: at, cause: cause} }

// Outcome is what became of one attempt, for metrics.
type Outcome string

// The outcomes of an attempt.
const (
	Done        Outcome = "done"        // completed by its handler
	Retried     Outcome = "retried"     // failed; tried again after a backoff
	Rescheduled Outcome = "rescheduled" // given back to wait its turn (RetryAt), or handed back untried
	Parked      Outcome = "parked"      // set aside for good
	LeaseLost   Outcome = "lease_lost"  // another worker took it over
	Interrupted Outcome = "interrupted" // the service stopped during it; tried again at once
)

// Kind is one kind of work: its queue, its handler, and how it is claimed
// and retried.
type Kind[T any] struct {
	// Name names the work in logs ("event", "card", "back-fill").
	Name    string
	Queue   Queue[T]
	Handler Handler[T]
	// Batch is how many items one claim takes (1 when unset); Lease how
	// long they are held (a minute when unset): an item whose lease ends
	// is taken over by another worker.
	Batch int
	Lease time.Duration
	// MaxAttempts parks an item whose attempt fails and was the
	// MaxAttempts-th, and one claimed more often than that without ever
	// finishing (it likely crashed the process). 0: never parked for its
	// attempts.
	MaxAttempts int
	// Backoff spaces the attempts of a failing item.
	Backoff Backoff
	// Claimed, when set, sees each batch before its first item is worked.
	Claimed func(batch []*Job[T])
	// Worked, when set, is called after each batch that was not empty
	// (to wake the workers that take over from this one).
	Worked func()
	// Observe, when set, learns the outcome of every attempt (metrics).
	Observe func(j *Job[T], o Outcome)
	// OnPark, when set, is called after an item was parked, with the error
	// that parked it (to tell someone).
	OnPark func(ctx context.Context, j *Job[T], err error)
}

// round claims one batch as worker and works it; it reports whether the
// claim took as many items as it asked for, so that more may be due now.
func (k *Kind[T]) round(ctx context.Context, l *Loop, worker string) bool {
	bg := context.WithoutCancel(ctx)
	limit := max(k.Batch, 1)
	batch, err := k.Queue.Claim(bg, plusone.Claim{Worker: worker, Limit: limit,
		Lease: cmpDuration(k.Lease, time.Minute), Now: l.now()}, l.Log)
	if err != nil {
		l.Log.Error("claim "+k.Name+"s", "worker", worker, "err", err)
		// The database may have made the claim and lost only its answer
		// (a connection that froze): give back at once what it may have
		// leased to this worker, which holds nothing else between rounds,
		// rather than leave it to the lease.
		k.release(bg, l.Log, worker)
		return false
	}
	if k.Claimed != nil {
		k.Claimed(batch)
	}
	for i, j := range batch {
		if ctx.Err() != nil {
			break // the rest is released on the way out
		}
		if at, reason, held := l.held(); held {
			// The rest waits too: handed back untried.
			for _, rest := range batch[i:] {
				k.retry(bg, rest, at, errors.New(reason), Rescheduled)
			}
			break
		}
		k.work(ctx, l, j)
	}
	if len(batch) > 0 && k.Worked != nil {
		k.Worked()
	}
	return len(batch) >= limit
}

// work runs one attempt of j and records its outcome.
func (k *Kind[T]) work(ctx context.Context, l *Loop, j *Job[T]) {
	bg := context.WithoutCancel(ctx)
	if k.MaxAttempts > 0 && j.Attempt > k.MaxAttempts {
		// Claimed more often than allowed without ever finishing: it is
		// likely what crashed the process. Set it aside.
		last := j.LastError
		if last == "" {
			last = "worker stopped mid-way"
		}
		k.park(bg, j, fmt.Errorf("gave up after %d attempts: %s", j.Attempt-1, last))
		return
	}
	err := k.call(ctx, j)
	var (
		park  *parkError
		retry *retryError
	)
	switch {
	case err == nil:
		k.observe(j, Done)
	case errors.Is(err, plusone.ErrLeaseLost):
		j.Log.Warn(k.Name + " lease lost; left to the worker that took it over")
		k.observe(j, LeaseLost)
	case errors.As(err, &park):
		k.park(bg, j, park.err)
	case errors.As(err, &retry):
		k.retry(bg, j, retry.at, retry.cause, Rescheduled)
	case ctx.Err() != nil:
		k.retry(bg, j, l.now(), fmt.Errorf("interrupted by shutdown: %w", err), Interrupted)
	case k.MaxAttempts > 0 && j.Attempt >= k.MaxAttempts:
		k.park(bg, j, fmt.Errorf("gave up after %d attempts: %w", j.Attempt, err))
	default:
		delay := k.Backoff.After(j.Attempt)
		j.Log.Warn(k.Name+" failed; will retry", "err", err, "retry_in", delay.String())
		k.retry(bg, j, l.now().Add(delay), err, Retried)
	}
}

// call runs the handler, turning a panic into an error, so that one
// poison item is retried and parked like any failure instead of killing
// the process.
func (k *Kind[T]) call(ctx context.Context, j *Job[T]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return k.Handler.Work(ctx, j)
}

func (k *Kind[T]) park(ctx context.Context, j *Job[T], err error) {
	j.Log.Error(k.Name+" parked", "reason", err.Error())
	k.observe(j, Parked)
	if perr := k.Queue.Park(ctx, j, err.Error()); perr != nil {
		j.Log.Error("park "+k.Name, "err", perr)
		return
	}
	if k.OnPark != nil {
		k.OnPark(ctx, j, err)
	}
}

func (k *Kind[T]) retry(ctx context.Context, j *Job[T], at time.Time, cause error, o Outcome) {
	k.observe(j, o)
	if err := k.Queue.Retry(ctx, j, at, cause); err != nil {
		j.Log.Error("reschedule "+k.Name, "err", err)
	}
}

func (k *Kind[T]) release(ctx context.Context, log *slog.Logger, worker string) {
	if err := k.Queue.Release(ctx, worker); err != nil {
		log.Warn("release "+k.Name+"s", "worker", worker, "err", err)
	}
}

func (k *Kind[T]) observe(j *Job[T], o Outcome) {
	if k.Observe != nil {
		k.Observe(j, o)
	}
}

// Part is a Kind of any item type, as a Loop runs it.
type Part interface {
	round(ctx context.Context, l *Loop, worker string) bool
	release(ctx context.Context, log *slog.Logger, worker string)
}

// Loop is one worker: one goroutine that works through its kinds in turn,
// a batch of each per round.
type Loop struct {
	// Parts are the kinds of work, in the order they are claimed each round.
	Parts []Part
	// Wake, when set, cuts a wait for more work short (Waker.C).
	Wake <-chan struct{}
	// Poll is how long an idle loop waits before it looks again (500 ms
	// when unset).
	Poll time.Duration
	// Busy, when set, says that webhooks are arriving in a burst: each
	// round first gives intake the CPU and the writer for a while (at most
	// BurstYield), since acknowledging a sender comes first and the work
	// is safe in the store.
	Busy func() bool
	// Hold, when set, is asked before each round and each item: held
	// means no work now, and the items claimed but not yet tried are
	// given back, due at at, with reason (another replica sends to Slack,
	// or Slack's Retry-After runs).
	Hold func() (at time.Time, reason string, held bool)
	// Clock dates claims and retries (time.Now when unset).
	Clock func() time.Time
	// Log receives what the runner reports: failures, parks, lost leases.
	Log *slog.Logger
}

// Run works as worker until ctx ends; then it finishes the item in hand,
// gives back the ones it claimed but did not start, and returns. When ctx
// carries a Pulse (WithPulse), the loop reports each round to it.
func (l *Loop) Run(ctx context.Context, worker string) {
	poll := cmpDuration(l.Poll, 500*time.Millisecond)
	release := func(rctx context.Context) {
		for _, p := range l.Parts {
			p.release(rctx, l.Log, worker)
		}
	}
	run(ctx, l.Wake, release, func(ctx, bg context.Context) time.Duration {
		if at, _, held := l.held(); held {
			return max(poll, at.Sub(l.now()))
		}
		YieldToBurst(ctx, l.Busy)
		more := false
		for _, p := range l.Parts {
			if ctx.Err() != nil {
				break
			}
			if _, _, held := l.held(); held {
				break
			}
			if p.round(ctx, l, worker) {
				more = true
			}
		}
		if at, _, held := l.held(); held {
			return max(poll, at.Sub(l.now()))
		}
		if more {
			return 0 // a full batch: there may be more, look again at once
		}
		// A claim that took less than it asked for found all that was
		// due: what comes next wakes the loop (Wake), and what falls due
		// later (a retry, a lease run out) is found within poll. Looking
		// again at once would only make empty claims, each a write.
		return poll
	})
}

func (l *Loop) held() (time.Time, string, bool) {
	if l.Hold == nil {
		return time.Time{}, "", false
	}
	return l.Hold()
}

func (l *Loop) now() time.Time {
	if l.Clock == nil {
		return time.Now()
	}
	return l.Clock()
}

// Periodic is work done every interval rather than claimed from a queue;
// it must be safe to run on several replicas at once.
type Periodic struct {
	// Name names the work in logs.
	Name string
	// Every is the interval; the first run comes one interval after start.
	Every time.Duration
	// Do does the work once.
	Do  func(ctx context.Context) error
	Log *slog.Logger
}

// Run calls Do every interval until ctx ends, logging its errors (a
// panic included: it is recovered and the work tried again next time).
// When ctx carries a Pulse, it reports each run to it.
func (p *Periodic) Run(ctx context.Context) {
	first := true
	run(ctx, nil, func(context.Context) {}, func(ctx, bg context.Context) time.Duration {
		if first {
			first = false
			return p.Every
		}
		if err := p.do(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error(p.Name+" failed", "err", err)
		}
		return p.Every
	})
}

func (p *Periodic) do(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.Do(ctx)
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
	"github.com/plusone-hq/plusone/metrics"
)

// Processor runs the workers that apply stored webhook events.
type Processor struct {
	Store plusone.Store
	// Busy, when set, says that webhooks are arriving in a burst: workers
	// then give intake the CPU and the writer for a while (at most
	// workloop.BurstYield per round), since acknowledging a sender comes
	// first and its events are safe in the inbox.
	Busy    func() bool
	Applier *Applier
	// Parsers turn raw bodies into events, by source. Every source that may
	// have stored events must be here, configured or not.
	Parsers map[plusone.Source]plusone.Integration
	// Enrichers complete events from a vendor's API before they are
	// applied (Zendesk event webhooks carry no requester email).
	Enrichers map[plusone.Source]plusone.Enricher
	Clock     func() time.Time
	Log       *slog.Logger
	Metrics   *metrics.Metrics
	// Workers is how many events are applied at once.
	Workers int
	// MaxAttempts parks an event after this many failed attempts.
	MaxAttempts int
	// Lease is how long a claim lasts; a crashed worker's events are taken
	// over after it.
	Lease time.Duration
	// RetryBase and RetryMax bound the exponential backoff between attempts.
	RetryBase, RetryMax time.Duration
	// Poll is how often idle workers look for work; Wake makes them look
	// at once.
	Poll time.Duration
	// Applied is called after events were applied (to wake card delivery).
	Applied func()

	wake workloop.Waker
	once sync.Once
}

func (p *Processor) init() {
	p.once.Do(func() {
		if p.Workers <= 0 {
			p.Workers = 4
		}
		if p.MaxAttempts <= 0 {
			p.MaxAttempts = 10
		}
		if p.Lease <= 0 {
			p.Lease = time.Minute
		}
		if p.RetryBase <= 0 {
			p.RetryBase = time.Second
		}
		if p.RetryMax <= 0 {
			p.RetryMax = 5 * time.Minute
		}
		if p.Poll <= 0 {
			p.Poll = 500 * time.Millisecond
		}
		if p.Applied == nil {
			p.Applied = func() {}
		}
	})
}

// Wake tells idle workers that new events are stored. It never blocks.
func (p *Processor) Wake() { p.wake.Wake() }

// Run applies events until ctx is cancelled. Then each worker finishes the
// event in hand, gives back the ones it claimed but did not start, and Run
// returns once all workers have stopped.
func (p *Processor) Run(ctx context.Context, instance string) {
	p.init()
	var wg sync.WaitGroup
	for i := range p.Workers {
		name := fmt.Sprintf("%s/events-%d", instance, i)
		wg.Go(func() { p.work(ctx, name) })
	}
	wg.Wait()
}

// batch is how many events a worker claims at once. Small, so that the
// events of a burst spread over the workers.
const batch = 4

func (p *Processor) work(ctx context.Context, worker string) {
	release := func(rctx context.Context) {
		if err := p.Store.ReleaseEvents(rctx, worker); err != nil {
			p.Log.Warn("release events", "worker", worker, "err", err)
		}
	}
	workloop.Run(ctx, p.wake.C(), release, func(ctx, bg context.Context) time.Duration {
		workloop.YieldToBurst(ctx, p.Busy)
		evs, err := p.Store.ClaimEvents(bg, plusone.Claim{Worker: worker, Limit: batch, Lease: p.Lease, Now: p.Clock()})
		if err != nil {
			p.Log.Error("claim events", "worker", worker, "err", err)
			// The database may have made the claim and lost only its answer
			// (a connection that froze): give back at once what it may have
			// leased to this worker, which holds nothing else between
			// rounds, rather than leave it to the lease.
			release(bg)
		}
		for _, ev := range evs {
			if ctx.Err() != nil {
				break // the rest is released on the way out
			}
			p.process(bg, worker, ev)
		}
		if len(evs) > 0 {
			p.Applied()
			return 0 // there may be more: look again at once
		}
		return p.Poll
	})
}

// process applies one raw event, or schedules its retry, or parks it.
func (p *Processor) process(ctx context.Context, worker string, ev *plusone.RawEvent) {
	log := p.Log.With("event_id", ev.ID, "source", ev.Source, "attempt", ev.Attempts)
	src := string(ev.Source)
	if ev.Attempts > p.MaxAttempts {
		// Claimed more often than allowed without ever finishing: it is
		// likely what crashed the process. Set it aside.
		p.park(ctx, log, worker, ev, fmt.Sprintf("gave up after %d attempts: %s", ev.Attempts-1, orDefault(ev.LastError, "worker stopped mid-way")))
		return
	}
	parser, ok := p.Parsers[ev.Source]
	if !ok {
		p.park(ctx, log, worker, ev, fmt.Sprintf("no parser for source %q", ev.Source))
		return
	}
	now := p.Clock()
	customers, n, err := p.apply(ctx, worker, parser, ev, now)
	switch {
	case err == nil:
		p.Metrics.Processed.WithLabelValues(src, "processed").Inc()
		p.Metrics.Processing.WithLabelValues(src).Observe(p.Clock().Sub(ev.ReceivedAt).Seconds())
		log.Debug("event applied", "events", n, "customers", customers)
	case errors.Is(err, plusone.ErrLeaseLost):
		// Another worker took over after our lease expired; it owns the event now.
		log.Warn("lease lost; event left to the worker that took it over")
	case plusone.ErrorCode(err) == plusone.EINVALID:
		p.park(ctx, log, worker, ev, err.Error())
	case ev.Attempts >= p.MaxAttempts:
		p.park(ctx, log, worker, ev, fmt.Sprintf("gave up after %d attempts: %v", ev.Attempts, err))
	default:
		delay := workloop.Backoff(ev.Attempts, p.RetryBase, p.RetryMax)
		log.Warn("event failed; will retry", "err", err, "retry_in", delay.String())
		p.Metrics.Processed.WithLabelValues(src, "retried").Inc()
		if rerr := p.Store.RetryEvent(ctx, ev.ID, worker, now.Add(delay), err.Error()); rerr != nil {
			log.Error("schedule retry", "err", rerr)
		}
	}
}

// apply parses a raw event and applies what it says in one transaction that
// also marks it done. A panic is turned into an error, so that one poison
// event is retried and parked like any failure instead of killing the
// worker.
func (p *Processor) apply(ctx context.Context, worker string, parser plusone.Integration, ev *plusone.RawEvent, now time.Time) (customers []int64, n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	d, err := parser.Parse(ev.Headers, ev.Body)
	if err != nil {
		return nil, 0, plusone.Errorf(plusone.EINVALID, "parse: %s", plusone.ErrorMessage(err))
	}
	p.enrich(ctx, d.Events)
	// Replayable: if a power failure loses this commit, it loses the event's
	// done-mark with it, and the event is applied again.
	var erased []int64
	err = p.Store.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		customers = customers[:0]
		if err := LockIdentities(ctx, tx, d.Events); err != nil {
			return err
		}
		erased = erased[:0]
		for _, e := range d.Events {
			if e.Type.IsPrivacy() {
				ids, err := p.Applier.Comply(ctx, tx, e, now)
				if err != nil {
					return fmt.Errorf("apply %s %s: %w", e.Type, e.ID, err)
				}
				erased = append(erased, ids...)
				continue
			}
			id, err := p.Applier.Apply(ctx, tx, e, ev.ReceivedAt)
			if err != nil {
				return fmt.Errorf("apply %s %s: %w", e.Type, e.ID, err)
			}
			customers = append(customers, id)
		}
		return tx.CompleteEvent(ctx, ev.ID, worker, now)
	})
	if err == nil {
		for _, id := range erased {
			p.Log.Info("customer erased", "customer_id", id, "via", string(ev.Source), "event_id", ev.ID)
		}
	}
	return customers, len(d.Events), err
}

// enrichTimeout bounds one enrichment lookup.
const enrichTimeout = 10 * time.Second

// enrich asks the source's API for what an event lacks about its customer
// (her email, to know her across sources). A failure is logged and the
// event applied as it is: the card must not wait for a vendor's API, and
// she is merged with her other records once her email is known.
func (p *Processor) enrich(ctx context.Context, events []plusone.Event) {
	for i := range events {
		e := &events[i]
		en, ok := p.Enrichers[e.Source]
		if !ok || e.Customer.Email != "" || e.Customer.ExternalID == "" {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, enrichTimeout)
		err := en.Enrich(cctx, e)
		cancel()
		outcome := "ok"
		if err != nil {
			outcome = "failed"
			p.Log.Warn("enrich event", "source", e.Source, "event", e.ID, "err", err)
		}
		p.Metrics.Enrichments.WithLabelValues(string(e.Source), outcome).Inc()
	}
}

func (p *Processor) park(ctx context.Context, log *slog.Logger, worker string, ev *plusone.RawEvent, reason string) {
	p.Metrics.Processed.WithLabelValues(string(ev.Source), "parked").Inc()
	log.Error("event parked", "reason", reason)
	if err := p.Store.ParkEvent(ctx, ev.ID, worker, reason); err != nil {
		log.Error("park event", "err", err)
	}
}

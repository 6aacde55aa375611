package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
	"github.com/plusone-hq/plusone/metrics"
)

// Processor runs the workers that apply stored webhook events.
type Processor struct {
	Store plusone.Store
	// Busy, when set, says that webhooks are arriving in a burst: workers
	// then give intake the CPU and the writer for a while (at most
	// jobs.BurstYield per round), since acknowledging a sender comes
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
	// Applied is called after each batch of events was worked (to wake
	// card delivery).
	Applied func()
	// Erasing, when set, is called after an event queued a shop's erasure
	// (to wake the Eraser).
	Erasing func()

	wake jobs.Waker
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
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.RawEvent]{
			Name: "event", Queue: inbox{p.Store}, Handler: p,
			Batch: batch, Lease: p.Lease, MaxAttempts: p.MaxAttempts,
			Backoff: jobs.Backoff{Base: p.RetryBase, Max: p.RetryMax},
			Observe: p.observe, Worked: p.Applied,
		}},
		Wake: p.wake.C(), Poll: p.Poll, Busy: p.Busy, Clock: p.Clock, Log: p.Log,
	}
	var wg sync.WaitGroup
	for i := range p.Workers {
		name := fmt.Sprintf("%s/events-%d", instance, i)
		wg.Go(func() { loop.Run(ctx, name) })
	}
	wg.Wait()
}

// batch is how many events a worker claims at once. Small, so that the
// events of a burst spread over the workers.
const batch = 4

// Work applies one raw event and marks it done, in one transaction. An
// event that cannot be parsed, or whose source has no parser, is parked.
func (p *Processor) Work(ctx context.Context, j *jobs.Job[*plusone.RawEvent]) error {
	// An event begun is finished, even when the service stops meanwhile.
	ctx = context.WithoutCancel(ctx)
	ev := j.Item
	parser, ok := p.Parsers[ev.Source]
	if !ok {
		return jobs.Park(fmt.Errorf("no parser for source %q", ev.Source))
	}
	customers, n, err := p.apply(ctx, j.Worker, parser, ev, p.Clock())
	if plusone.ErrorCode(err) == plusone.EINVALID {
		return jobs.Park(err)
	}
	if err != nil {
		return err
	}
	j.Log.Debug("event applied", "events", n, "customers", customers)
	return nil
}

// observe counts an attempt's outcome in the event metrics.
func (p *Processor) observe(j *jobs.Job[*plusone.RawEvent], o jobs.Outcome) {
	src := string(j.Item.Source)
	switch o {
	case jobs.Done:
		p.Metrics.Processed.WithLabelValues(src, "processed").Inc()
		p.Metrics.Processing.WithLabelValues(src).Observe(p.Clock().Sub(j.Item.ReceivedAt).Seconds())
	case jobs.Retried, jobs.Parked:
		p.Metrics.Processed.WithLabelValues(src, string(o)).Inc()
	}
}

// inbox is the store's inbox as the job runner's queue of events.
type inbox struct{ s plusone.Inbox }

func (q inbox) Claim(ctx context.Context, c plusone.Claim, log *slog.Logger) ([]*jobs.Job[*plusone.RawEvent], error) {
	evs, err := q.s.ClaimEvents(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]*jobs.Job[*plusone.RawEvent], len(evs))
	for i, ev := range evs {
		out[i] = &jobs.Job[*plusone.RawEvent]{Item: ev, Worker: c.Worker, Attempt: ev.Attempts, LastError: ev.LastError,
			Log: log.With("event_id", ev.ID, "source", ev.Source, "attempt", ev.Attempts)}
	}
	return out, nil
}

func (q inbox) Retry(ctx context.Context, j *jobs.Job[*plusone.RawEvent], at time.Time, cause error) error {
	return q.s.RetryEvent(ctx, j.Item.ID, j.Worker, at, jobs.Reason(cause))
}

func (q inbox) Park(ctx context.Context, j *jobs.Job[*plusone.RawEvent], reason string) error {
	return q.s.ParkEvent(ctx, j.Item.ID, j.Worker, reason)
}

func (q inbox) Release(ctx context.Context, worker string) error {
	return q.s.ReleaseEvents(ctx, worker)
}

// apply parses a raw event and applies what it says in one transaction that
// also marks it done. (A panic is recovered by the job runner, which
// retries and parks the event like any failure.)
func (p *Processor) apply(ctx context.Context, worker string, parser plusone.Integration, ev *plusone.RawEvent, now time.Time) (customers []int64, n int, err error) {
	d, err := parser.Parse(ev.Headers, ev.Body)
	if err != nil {
		return nil, 0, plusone.Errorf(plusone.EINVALID, "parse: %s", plusone.ErrorMessage(err))
	}
	p.enrich(ctx, d.Events)
	// Replayable: if a power failure loses this commit, it loses the event's
	// done-mark with it, and the event is applied again.
	var (
		erased  []int64
		erasing bool
	)
	err = p.Store.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		customers = customers[:0]
		if err := LockIdentities(ctx, tx, d.Events); err != nil {
			return err
		}
		erased, erasing = erased[:0], false
		for _, e := range d.Events {
			if e.Type.IsPrivacy() {
				erasing = erasing || e.Type == plusone.EventShopRedact
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
		if erasing && p.Erasing != nil {
			p.Erasing()
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

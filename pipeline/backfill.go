package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/metrics"
)

// JobBackfill is the kind of back-fill jobs.
const JobBackfill = "backfill"

// backfillJob is the payload of a back-fill job: who, and from where.
type backfillJob struct {
	Source     plusone.Source `json:"source"`
	CustomerID int64          `json:"customer_id"`
	Email      string         `json:"email,omitempty"`
	ExternalID string         `json:"external_id,omitempty"`
}

// enqueueBackfill asks every history source for the past of a customer
// seen for the first time. The key makes it once per customer and source,
// whatever happens later: no customer is back-filled twice.
func (a *Applier) enqueueBackfill(ctx context.Context, tx plusone.Tx, cust *plusone.Customer, e plusone.Event, now time.Time) error {
	for _, src := range a.History {
		job := backfillJob{Source: src, CustomerID: cust.ID, Email: plusone.NormalizeEmail(e.Customer.Email)}
		if src == e.Source {
			job.ExternalID = e.Customer.ExternalID
		}
		payload, err := json.Marshal(job)
		if err != nil {
			return err
		}
		if _, err := tx.EnqueueJob(ctx, &plusone.Job{
			Kind: JobBackfill, Key: fmt.Sprintf("backfill:%d:%s", cust.ID, src), Payload: payload, CreatedAt: now,
		}, now); err != nil {
			return err
		}
	}
	return nil
}

// Backfiller runs back-fill jobs: it fetches a new customer's history from
// a vendor's API, outside any transaction, then applies it in one.
type Backfiller struct {
	Store   plusone.Store
	Applier *Applier
	Sources map[plusone.Source]plusone.History
	Clock   func() time.Time
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Window and Limit bound each history: no older than Window, at most
	// Limit items per source.
	Window time.Duration
	Limit  int
	// Timeout bounds one vendor call, rate-limit waits included.
	Timeout time.Duration
	// MaxAttempts, RetryBase, RetryMax and Poll as for the processor.
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
	Poll                time.Duration
	// Applied is called after history was applied (to wake card delivery).
	Applied func()

	wake workloop.Waker
	once sync.Once
}

func (b *Backfiller) init() {
	b.once.Do(func() {
		if b.Timeout <= 0 {
			b.Timeout = 2 * time.Minute
		}
		if b.MaxAttempts <= 0 {
			b.MaxAttempts = 10
		}
		if b.RetryBase <= 0 {
			b.RetryBase = time.Second
		}
		if b.RetryMax <= 0 {
			b.RetryMax = 5 * time.Minute
		}
		if b.Poll <= 0 {
			b.Poll = time.Second
		}
		if b.Applied == nil {
			b.Applied = func() {}
		}
	})
}

// Wake tells the back-filler that jobs may be waiting. It never blocks.
func (b *Backfiller) Wake() { b.wake.Wake() }

// Run works through back-fill jobs until ctx is cancelled; the job in hand
// is finished (or its vendor call abandoned and retried later).
func (b *Backfiller) Run(ctx context.Context, instance string) {
	b.init()
	worker := instance + "/backfill"
	release := func(rctx context.Context) {
		if err := b.Store.ReleaseJobs(rctx, worker); err != nil {
			b.Log.Warn("release back-fill jobs", "err", err)
		}
	}
	// The lease covers the longest vendor call and the transaction after it.
	lease := b.Timeout + time.Minute
	workloop.Run(ctx, b.wake.C(), release, func(ctx, bg context.Context) time.Duration {
		jobs, err := b.Store.ClaimJobs(bg, JobBackfill, plusone.Claim{Worker: worker, Limit: 1, Lease: lease, Now: b.Clock()})
		if err != nil {
			b.Log.Error("claim back-fill jobs", "err", err)
		}
		for _, j := range jobs {
			b.run(ctx, worker, j)
		}
		if len(jobs) > 0 {
			return 0
		}
		return b.Poll
	})
}

func (b *Backfiller) run(ctx context.Context, worker string, j *plusone.Job) {
	bg := context.WithoutCancel(ctx)
	log := b.Log.With("job", j.Key, "attempt", j.Attempts)
	var job backfillJob
	if err := json.Unmarshal(j.Payload, &job); err != nil {
		b.finish(bg, log, worker, j, job.Source, "parked", fmt.Errorf("payload: %w", err))
		return
	}
	src, ok := b.Sources[job.Source]
	if !ok {
		// The source's API is no longer configured: nothing to do.
		b.complete(bg, log, worker, j, job, nil)
		return
	}
	q, err := b.query(bg, job)
	if err != nil {
		b.finish(bg, log, worker, j, job.Source, "retried", err)
		return
	}
	// The vendor call may wait out rate limits; a shutdown abandons it and
	// the job is retried after the next start.
	callCtx, cancel := context.WithTimeout(ctx, b.Timeout)
	events, err := src.History(callCtx, q)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			if rerr := b.Store.RetryJob(bg, j.ID, worker, b.Clock(), "interrupted by shutdown"); rerr != nil {
				log.Warn("release back-fill job", "err", rerr)
			}
			return
		}
		b.finish(bg, log, worker, j, job.Source, "retried", fmt.Errorf("%s history: %w", job.Source, err))
		return
	}
	b.complete(bg, log, worker, j, job, events)
}

// query builds the history question from what we know of her now; she may
// have been merged into another customer since the job was enqueued.
func (b *Backfiller) query(ctx context.Context, job backfillJob) (plusone.HistoryQuery, error) {
	q := plusone.HistoryQuery{Email: job.Email, ExternalID: job.ExternalID, Since: b.Clock().Add(-b.Window), Limit: b.Limit}
	err := b.Store.View(ctx, func(tx plusone.Tx) error {
		ids, err := tx.Identities(ctx, job.CustomerID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			switch {
			case id.Kind == plusone.IdentityEmail && q.Email == "":
				q.Email = id.Value
			case id.Kind == string(job.Source) && q.ExternalID == "":
				q.ExternalID = id.Value
			}
		}
		return nil
	})
	return q, err
}

// complete applies the history and closes the job in one transaction, then
// refreshes her open cards so that they show it.
func (b *Backfiller) complete(ctx context.Context, log *slog.Logger, worker string, j *plusone.Job, job backfillJob, events []plusone.Event) {
	now := b.Clock()
	customers := map[int64]bool{}
	err := b.Store.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		clear(customers)
		if err := LockIdentities(ctx, tx, events); err != nil {
			return err
		}
		for _, e := range events {
			id, err := b.Applier.ApplyHistory(ctx, tx, e, now)
			if plusone.ErrorCode(err) == plusone.EINVALID {
				log.Warn("back-filled event skipped", "event", e.ID, "err", err)
				continue
			}
			if err != nil {
				return fmt.Errorf("apply %s: %w", e.ID, err)
			}
			customers[id] = true
		}
		for id := range customers {
			if err := memory.TouchOpenCards(ctx, tx, id, now); err != nil {
				return err
			}
		}
		return tx.CompleteJob(ctx, j.ID, worker, now)
	})
	switch {
	case err == nil:
		b.Metrics.Backfills.WithLabelValues(string(job.Source), "done").Inc()
		b.Metrics.BackfilledEvents.WithLabelValues(string(job.Source)).Add(float64(len(events)))
		log.Info("history back-filled", "source", job.Source, "events", len(events))
		if len(events) > 0 {
			b.Applied()
		}
	case errors.Is(err, plusone.ErrLeaseLost):
		log.Warn("back-fill lease lost; left to the worker that took it over")
	default:
		b.finish(ctx, log, worker, j, job.Source, "retried", err)
	}
}

// finish records a failure of a back-fill from src ("" when its payload
// could not be read): retried with backoff, or parked after too many
// attempts or for errors retrying cannot mend.
func (b *Backfiller) finish(ctx context.Context, log *slog.Logger, worker string, j *plusone.Job, src plusone.Source, outcome string, err error) {
	code := plusone.ErrorCode(err)
	source := cmp.Or(string(src), "unknown")
	if outcome == "parked" || code == plusone.EUNAUTHORIZED || code == plusone.EINVALID || j.Attempts >= b.MaxAttempts {
		b.Metrics.Backfills.WithLabelValues(source, "parked").Inc()
		log.Error("back-fill parked", "err", err)
		if perr := b.Store.ParkJob(ctx, j.ID, worker, err.Error()); perr != nil {
			log.Error("park back-fill job", "err", perr)
		}
		return
	}
	delay := workloop.Backoff(j.Attempts, b.RetryBase, b.RetryMax)
	b.Metrics.Backfills.WithLabelValues(source, "retried").Inc()
	log.Warn("back-fill failed; will retry", "err", err, "retry_in", delay.String())
	if rerr := b.Store.RetryJob(ctx, j.ID, worker, b.Clock().Add(delay), err.Error()); rerr != nil {
		log.Error("schedule back-fill retry", "err", rerr)
	}
}

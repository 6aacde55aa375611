package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
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

	wake jobs.Waker
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
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.Job]{
			Name: "back-fill", Queue: jobs.StoreJobs{Store: b.Store, Kind: JobBackfill}, Handler: b,
			// The lease covers the longest vendor call and the transaction after it.
			Batch: 1, Lease: b.Timeout + time.Minute, MaxAttempts: b.MaxAttempts,
			Backoff: jobs.Backoff{Base: b.RetryBase, Max: b.RetryMax},
			Observe: b.observe,
		}},
		Wake: b.wake.C(), Poll: b.Poll, Clock: b.Clock, Log: b.Log,
	}
	loop.Run(ctx, instance+"/backfill")
}

// Work fetches one customer's history from a vendor and applies it. A
// shutdown abandons the vendor call (the job is tried again after the next
// start); an unreadable job, or an error saying EUNAUTHORIZED or EINVALID
// (retrying cannot mend it), parks it.
func (b *Backfiller) Work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	err := b.work(ctx, j)
	if code := plusone.ErrorCode(err); code == plusone.EUNAUTHORIZED || code == plusone.EINVALID {
		return jobs.Park(err)
	}
	return err
}

func (b *Backfiller) work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	bg := context.WithoutCancel(ctx)
	job, err := backfillPayload(j.Item)
	if err != nil {
		return jobs.Park(err)
	}
	src, ok := b.Sources[job.Source]
	if !ok {
		// The source's API is no longer configured: nothing to do.
		return b.complete(bg, j, job, nil)
	}
	q, err := b.query(bg, job)
	if err != nil {
		return err
	}
	// The vendor call may wait out rate limits; a shutdown abandons it.
	callCtx, cancel := context.WithTimeout(ctx, b.Timeout)
	events, err := src.History(callCtx, q)
	cancel()
	if err != nil {
		return fmt.Errorf("%s history: %w", job.Source, err)
	}
	return b.complete(bg, j, job, events)
}

// backfillPayload reads a back-fill job's payload.
func backfillPayload(j *plusone.Job) (backfillJob, error) {
	var job backfillJob
	if err := json.Unmarshal(j.Payload, &job); err != nil {
		return job, fmt.Errorf("payload: %w", err)
	}
	return job, nil
}

// observe counts an attempt's outcome by source ("unknown" when the
// payload cannot be read).
func (b *Backfiller) observe(j *jobs.Job[*plusone.Job], o jobs.Outcome) {
	switch o {
	case jobs.Done, jobs.Retried, jobs.Parked:
		job, _ := backfillPayload(j.Item)
		b.Metrics.Backfills.WithLabelValues(cmp.Or(string(job.Source), "unknown"), string(o)).Inc()
	}
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
func (b *Backfiller) complete(ctx context.Context, j *jobs.Job[*plusone.Job], job backfillJob, events []plusone.Event) error {
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
				j.Log.Warn("back-filled event skipped", "event", e.ID, "err", err)
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
		return tx.CompleteJob(ctx, j.Item.ID, j.Worker, now)
	})
	if err != nil {
		return fmt.Errorf("apply %s history: %w", job.Source, err)
	}
	b.Metrics.BackfilledEvents.WithLabelValues(string(job.Source)).Add(float64(len(events)))
	j.Log.Info("history back-filled", "source", job.Source, "events", len(events))
	if len(events) > 0 {
		b.Applied()
	}
	return nil
}

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
)

// Kinds of the erasure jobs.
const (
	// JobRetention is the daily retention job, keyed by the UTC date.
	JobRetention = "retention"
	// JobShopRedact erases every customer known through a source (a
	// shop's erasure), keyed by the source's request.
	JobShopRedact = "shop_redact"
)

// eraseRound is how many customers one attempt of an erasure job erases
// by default before it gives the job back, due at once, for the rest: each
// attempt stays far within the job's lease and the loop's pulse.
const eraseRound = 1000

// shopRedact is the payload of a JobShopRedact job.
type shopRedact struct {
	Source plusone.Source `json:"source"`
	Ref    string         `json:"ref"`
}

// Eraser runs the erasures too big for one transaction, as store jobs on
// the jobs runner that any replica may claim and another takes over if that
// one dies (each customer is erased in her own transaction, and erasing is
// idempotent): the policy's retention, once a day, erasing the customers
// with no event for that long; and a shop's erasure, every customer known
// through its source. The day's retention job is keyed by the UTC date, so
// however many replicas enqueue it, it is done once.
type Eraser struct {
	Store  plusone.Store
	Memory *memory.Service
	Policy func() *plusone.Policy
	Clock  func() time.Time
	// Poll is how often an idle loop looks for jobs enqueued elsewhere (a
	// minute when unset); Wake cuts it short. Check is how often the policy
	// is read for a retention whose day has no job yet (a second when
	// unset), so that a retention set while running starts at once.
	Poll, Check time.Duration
	// Lease is how long an attempt holds its job (10 minutes when unset).
	Lease time.Duration
	// Round is how many customers one attempt erases (eraseRound when
	// unset).
	Round int
	// RetryBase and RetryMax space the attempts of a failing job.
	RetryBase, RetryMax time.Duration
	// Busy, when set, says that webhooks are arriving in a burst: erasing
	// waits for it (see jobs.Loop).
	Busy func() bool
	Log  *slog.Logger

	wake jobs.Waker
}

// Wake tells the loop that a job may have been enqueued (a shop's
// erasure). It never blocks.
func (r *Eraser) Wake() { r.wake.Wake() }

// Run runs erasure jobs, and enqueues the day's retention, until ctx ends;
// it returns once both have stopped.
func (r *Eraser) Run(ctx context.Context, instance string) {
	kind := func(kind, name string) *jobs.Kind[*plusone.Job] {
		return &jobs.Kind[*plusone.Job]{
			Name: name, Queue: jobs.StoreJobs{Store: r.Store, Kind: kind}, Handler: r,
			Batch: 1, Lease: cmp.Or(r.Lease, 10*time.Minute),
			// Never parked for its attempts: every round of a big erasure
			// is one, and an erasure must not be given up.
			MaxAttempts: 0,
			Backoff:     jobs.Backoff{Base: r.RetryBase, Max: r.RetryMax},
		}
	}
	loop := &jobs.Loop{
		Parts: []jobs.Part{kind(JobShopRedact, "shop erasure"), kind(JobRetention, "retention")},
		Wake:  r.wake.C(), Poll: cmp.Or(r.Poll, time.Minute), Busy: r.Busy, Clock: r.Clock, Log: r.Log,
	}
	enqueued := "" // the last day whose retention job this replica enqueued
	daily := &jobs.Periodic{Name: "enqueue the day's retention", Every: cmp.Or(r.Check, time.Second), Log: r.Log,
		Do: func(ctx context.Context) error {
			day, err := r.enqueueRetention(context.WithoutCancel(ctx), enqueued)
			if day != "" {
				enqueued = day
				r.Wake()
			}
			return err
		}}
	var wg sync.WaitGroup
	wg.Go(func() { loop.Run(ctx, instance+"/eraser") })
	wg.Go(func() { daily.Run(ctx) })
	wg.Wait()
}

// enqueueRetention adds the day's retention job when the policy has a
// retention and done is not that day; it returns the day when it did.
func (r *Eraser) enqueueRetention(ctx context.Context, done string) (string, error) {
	now := r.Clock()
	day := now.UTC().Format(time.DateOnly)
	if r.Policy().Retention <= 0 || day == done {
		return "", nil
	}
	err := r.Store.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: JobRetention, Key: "retention:" + day, Payload: []byte("{}"), CreatedAt: now}, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("enqueue the retention of %s: %w", day, err)
	}
	return day, nil
}

// Work does one round of an erasure job: at most Round customers,
// each in her own transaction. When nothing is left the job is completed;
// when more may be, it is given back due at once. A failure is retried
// with backoff; what was erased stays erased.
func (r *Eraser) Work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	var (
		n     int
		more  bool
		err   error
		round = cmp.Or(r.Round, eraseRound)
	)
	switch j.Item.Kind {
	case JobRetention:
		// The policy's retention now: unset meanwhile, nobody is erased.
		n, more, err = r.Memory.EraseUnseen(ctx, r.Policy().Retention, round)
	case JobShopRedact:
		var p shopRedact
		if err := json.Unmarshal(j.Item.Payload, &p); err != nil {
			return jobs.Park(fmt.Errorf("payload: %w", err))
		}
		er := plusone.Erasure{By: string(p.Source), Via: string(p.Source), Ref: p.Ref}
		n, more, err = r.Memory.EraseSource(ctx, p.Source, er, round)
	default:
		return jobs.Park(fmt.Errorf("not an erasure job: %q", j.Item.Kind))
	}
	if err != nil {
		return fmt.Errorf("erased %d, then: %w", n, err)
	}
	if more {
		j.Log.Info("erasure job: more to erase", "erased", n)
		return jobs.RetryAt(r.Clock(), nil)
	}
	bg := context.WithoutCancel(ctx)
	if err := r.Store.Update(bg, func(tx plusone.Tx) error { return tx.CompleteJob(bg, j.Item.ID, j.Worker, r.Clock()) }); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	j.Log.Info("erasure job done", "erased", n)
	return nil
}

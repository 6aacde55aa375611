package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
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

// eraseRound is how many customers one round of an erasure job erases
// before it lets the loop breathe (and report its pulse); the job is
// claimed again at once for the rest.
const eraseRound = 1000

// shopRedact is the payload of a JobShopRedact job.
type shopRedact struct {
	Source plusone.Source `json:"source"`
	Ref    string         `json:"ref"`
}

// Eraser runs the erasures too big for one transaction, as jobs that any
// replica may claim and that another takes over if that one dies (each
// customer is erased in her own transaction, and erasing is idempotent):
// the policy's retention, once a day (the job is keyed by the UTC date,
// so however many replicas run, the day's is done once), erasing the
// customers with no event for that long; and a shop's erasure, every
// customer known through its source.
type Eraser struct {
	Store  plusone.Store
	Memory *memory.Service
	Policy func() *plusone.Policy
	Clock  func() time.Time
	// Poll is how often the loop looks for due jobs; Wake cuts it short,
	// and the policy's retention is read every second.
	Poll  time.Duration
	Lease time.Duration
	Log   *slog.Logger

	wake   workloop.Waker
	kicked atomic.Bool
	// Owned by the loop.
	enqueued  string    // the last day whose retention job this loop enqueued
	lastClaim time.Time // when the loop last looked for jobs
}

// Wake tells the loop that a job may have been enqueued (a shop's
// erasure). It never blocks.
func (r *Eraser) Wake() {
	r.kicked.Store(true)
	r.wake.Wake()
}

// Run runs erasure jobs until ctx ends.
func (r *Eraser) Run(ctx context.Context, instance string) {
	worker := instance + "/eraser"
	release := func(rctx context.Context) {
		if err := r.Store.ReleaseJobs(rctx, worker); err != nil {
			r.Log.Warn("release erasure jobs", "err", err)
		}
	}
	poll := cmp.Or(r.Poll, time.Minute)
	workloop.Run(ctx, r.wake.C(), release, func(ctx, bg context.Context) time.Duration {
		// Jobs are claimed when one was just enqueued here or elsewhere
		// (Wake), and every poll for those of other replicas; the policy
		// is read every second, so that a retention set while running
		// starts at once, without a claim every second.
		enqueued := r.enqueueRetention(bg)
		if !enqueued && !r.kicked.Swap(false) && time.Since(r.lastClaim) < poll {
			return min(time.Second, poll)
		}
		r.lastClaim = time.Now()
		worked := false
		for _, kind := range []string{JobShopRedact, JobRetention} {
			jobs, err := r.Store.ClaimJobs(bg, kind, plusone.Claim{Worker: worker, Limit: 1, Lease: cmp.Or(r.Lease, 10*time.Minute), Now: r.Clock()})
			if err != nil {
				r.Log.Error("claim erasure jobs", "kind", kind, "err", err)
				continue
			}
			for _, j := range jobs {
				worked = true
				r.run(ctx, bg, worker, j)
			}
		}
		if worked {
			r.kicked.Store(true) // more may be due: look again at once
			return 0
		}
		return min(time.Second, poll)
	})
}

// enqueueRetention adds the day's retention job, when the policy has a
// retention and this loop has not added it yet; it says whether it did.
func (r *Eraser) enqueueRetention(ctx context.Context) bool {
	now := r.Clock()
	day := now.UTC().Format(time.DateOnly)
	if r.Policy().Retention <= 0 || day == r.enqueued {
		return false
	}
	err := r.Store.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: JobRetention, Key: "retention:" + day, Payload: []byte("{}"), CreatedAt: now}, now)
		return err
	})
	if err != nil {
		r.Log.Error("enqueue the day's retention", "err", err)
		return false
	}
	r.enqueued = day
	return true
}

// run does one round of job j: completed when nothing is left, claimable
// again at once when more is, retried in a minute on an error.
func (r *Eraser) run(ctx, bg context.Context, worker string, j *plusone.Job) {
	var (
		n    int
		more bool
		err  error
	)
	log := r.Log.With("job", j.Key)
	switch j.Kind {
	case JobRetention:
		keep := r.Policy().Retention
		n, more, err = r.Memory.EraseUnseen(ctx, keep, eraseRound)
	case JobShopRedact:
		var p shopRedact
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			log.Error("erasure job given up", "err", err)
			_ = r.Store.ParkJob(bg, j.ID, worker, "payload: "+err.Error())
			return
		}
		er := plusone.Erasure{By: string(p.Source), Via: string(p.Source), Ref: p.Ref}
		n, more, err = r.Memory.EraseSource(ctx, p.Source, er, eraseRound)
	}
	switch {
	case err != nil:
		log.Error("erasure job", "erased", n, "err", err)
		if rerr := r.Store.RetryJob(bg, j.ID, worker, r.Clock().Add(time.Minute), err.Error()); rerr != nil {
			log.Error("reschedule erasure job", "err", rerr)
		}
	case more:
		log.Info("erasure job: more to erase", "erased", n)
		if rerr := r.Store.RetryJob(bg, j.ID, worker, r.Clock(), ""); rerr != nil {
			log.Error("reschedule erasure job", "err", rerr)
		}
	default:
		log.Info("erasure job done", "erased", n)
		if err := r.Store.Update(bg, func(tx plusone.Tx) error { return tx.CompleteJob(bg, j.ID, worker, r.Clock()) }); err != nil {
			log.Error("complete erasure job", "err", err)
		}
	}
}

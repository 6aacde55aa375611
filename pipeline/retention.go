package pipeline

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
	"github.com/plusone-hq/plusone/memory"
)

// JobRetention is the kind of the daily retention job.
const JobRetention = "retention"

// retentionRound is how many customers one round of the retention job
// erases before it lets the loop breathe (and report its pulse).
const retentionRound = 1000

// Retention enforces the policy's retention: once a day (a job keyed by
// the UTC date, so that however many replicas run, one of them does it,
// and a replica that dies mid-way leaves it to another when its lease
// ends) it erases the customers with no event for that long.
type Retention struct {
	Store  plusone.Store
	Memory *memory.Service
	Policy func() *plusone.Policy
	Clock  func() time.Time
	// Poll is how often the loop looks whether the day's job is due.
	Poll  time.Duration
	Lease time.Duration
	Log   *slog.Logger

	enqueued string // the last day whose job this loop enqueued; the loop's own
}

// Run enforces retention until ctx ends.
func (r *Retention) Run(ctx context.Context, instance string) {
	worker := instance + "/retention"
	log := r.Log
	release := func(rctx context.Context) {
		if err := r.Store.ReleaseJobs(rctx, worker); err != nil {
			log.Warn("release retention job", "err", err)
		}
	}
	poll := cmp.Or(r.Poll, time.Minute)
	workloop.Run(ctx, nil, release, func(ctx, bg context.Context) time.Duration {
		keep := r.Policy().Retention
		if keep <= 0 {
			return poll
		}
		now := r.Clock()
		if day := now.UTC().Format(time.DateOnly); day != r.enqueued {
			if err := r.Store.Update(bg, func(tx plusone.Tx) error {
				_, err := tx.EnqueueJob(bg, &plusone.Job{Kind: JobRetention, Key: "retention:" + day,
					Payload: []byte("{}"), CreatedAt: now}, now)
				return err
			}); err != nil {
				log.Error("enqueue the day's retention", "err", err)
				return poll
			}
			r.enqueued = day
		}
		jobs, err := r.Store.ClaimJobs(bg, JobRetention, plusone.Claim{Worker: worker, Limit: 1, Lease: cmp.Or(r.Lease, 10*time.Minute), Now: now})
		if err != nil {
			log.Error("claim the retention job", "err", err)
			return poll
		}
		for _, j := range jobs {
			n, more, err := r.Memory.EraseUnseen(ctx, keep, retentionRound)
			switch {
			case err != nil:
				log.Error("retention", "erased", n, "err", err)
				if rerr := r.Store.RetryJob(bg, j.ID, worker, r.Clock().Add(time.Minute), err.Error()); rerr != nil {
					log.Error("reschedule retention", "err", rerr)
				}
			case more:
				log.Info("retention: more to erase", "erased", n)
				if rerr := r.Store.RetryJob(bg, j.ID, worker, r.Clock(), ""); rerr != nil {
					log.Error("reschedule retention", "err", rerr)
				}
			default:
				log.Info("retention done for the day", "erased", n, "retention", keep.String())
				if err := r.Store.Update(bg, func(tx plusone.Tx) error { return tx.CompleteJob(bg, j.ID, worker, r.Clock()) }); err != nil {
					log.Error("complete retention job", "err", err)
				}
			}
		}
		if len(jobs) > 0 {
			return 0
		}
		return poll
	})
}

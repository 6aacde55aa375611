package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testJobs(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	enqueue := func(key string, at time.Time) bool {
		t.Helper()
		var added bool
		update(t, s, func(tx plusone.Tx) error {
			var err error
			added, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: "backfill", Key: key, Payload: []byte(`{"customer":1}`)}, at)
			return err
		})
		return added
	}
	if !enqueue("backfill:1:zendesk", base) || enqueue("backfill:1:zendesk", base) {
		t.Fatal("a job key must be enqueued exactly once")
	}
	enqueue("backfill:1:shopify", base.Add(time.Minute))
	// Pending jobs are a queue per kind in Queues, after the fixed ones.
	queues, err := s.Queues(ctx)
	must(t, err)
	if last := queues[len(queues)-1]; last.Queue != "backfill" || last.Depth != 2 || last.Oldest.IsZero() {
		t.Errorf("queues = %+v, want the two back-fills last", queues)
	}
	claimJobs := func(worker string, at time.Time) []*plusone.Job {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, "backfill", plusone.Claim{Worker: worker, Limit: 10, Lease: time.Minute, Now: at})
		must(t, err)
		return jobs
	}
	if jobs, _ := s.ClaimJobs(ctx, "other", plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: base.Add(time.Hour)}); len(jobs) != 0 {
		t.Fatal("claimed jobs of another kind")
	}
	jobs := claimJobs("w1", base)
	if len(jobs) != 1 || jobs[0].Key != "backfill:1:zendesk" || string(jobs[0].Payload) != `{"customer":1}` || jobs[0].Attempts != 1 {
		t.Fatalf("claimed %+v", jobs)
	}
	if again := claimJobs("w2", base.Add(30*time.Second)); len(again) != 0 {
		t.Fatal("leased job claimed twice")
	}
	first := jobs[0]
	must(t, s.RetryJob(ctx, first.ID, "w1", base.Add(5*time.Minute), "429"))
	jobs = claimJobs("w2", base.Add(2*time.Minute))
	if len(jobs) != 1 || jobs[0].Key != "backfill:1:shopify" {
		t.Fatalf("due jobs = %+v", jobs)
	}
	must(t, s.ParkJob(ctx, jobs[0].ID, "w2", "unauthorized"))
	jobs = claimJobs("w3", base.Add(6*time.Minute))
	if len(jobs) != 1 || jobs[0].ID != first.ID || jobs[0].Attempts != 2 || jobs[0].LastError != "429" {
		t.Fatalf("retried job = %+v", jobs)
	}
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, first.ID, "w1", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker completed a job: %v", err)
	}
	update(t, s, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, first.ID, "w3", base) })
	if enqueue("backfill:1:zendesk", base.Add(time.Hour)) {
		t.Error("a done job's key was enqueued again")
	}
	pending, parked, err := s.JobStats(ctx, "backfill")
	must(t, err)
	if pending != 0 || parked != 1 {
		t.Errorf("stats pending=%d parked=%d", pending, parked)
	}
	enqueue("backfill:2:zendesk", base)
	claimJobs("w4", base.Add(7*time.Minute))
	must(t, s.ReleaseJobs(ctx, "w4"))
	if jobs := claimJobs("w5", base.Add(7*time.Minute)); len(jobs) != 1 {
		t.Errorf("released job not claimable: %d", len(jobs))
	}
	// The same key from many goroutines: one job.
	var wg sync.WaitGroup
	var addedN atomic.Int32
	for range 20 {
		wg.Go(func() {
			err := s.Update(ctx, func(tx plusone.Tx) error {
				added, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: "backfill", Key: "backfill:3:zendesk"}, base)
				if added {
					addedN.Add(1)
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if addedN.Load() != 1 {
		t.Errorf("concurrent enqueues added %d jobs", addedN.Load())
	}
}

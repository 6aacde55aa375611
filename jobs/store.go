package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone"
)

// StoreJobs is the Queue of the store's jobs of one kind (back-fills,
// write-backs, outbox messages). A handler completes a job with
// Tx.CompleteJob in the transaction of what it did.
type StoreJobs struct {
	Store plusone.JobQueue
	Kind  string
}

// Claim leases due jobs of the kind.
func (q StoreJobs) Claim(ctx context.Context, c plusone.Claim, log *slog.Logger) ([]*Job[*plusone.Job], error) {
	js, err := q.Store.ClaimJobs(ctx, q.Kind, c)
	if err != nil {
		return nil, err
	}
	out := make([]*Job[*plusone.Job], len(js))
	for i, j := range js {
		out[i] = &Job[*plusone.Job]{Item: j, Worker: c.Worker, Attempt: j.Attempts, LastError: j.LastError,
			Log: log.With("job", j.Key, "attempt", j.Attempts)}
	}
	return out, nil
}

// Retry gives the job back, due at at.
func (q StoreJobs) Retry(ctx context.Context, j *Job[*plusone.Job], at time.Time, cause error) error {
	return q.Store.RetryJob(ctx, j.Item.ID, j.Worker, at, Reason(cause))
}

// Park sets the job aside for good.
func (q StoreJobs) Park(ctx context.Context, j *Job[*plusone.Job], reason string) error {
	return q.Store.ParkJob(ctx, j.Item.ID, j.Worker, reason)
}

// Release gives back every job leased to worker.
func (q StoreJobs) Release(ctx context.Context, worker string) error {
	return q.Store.ReleaseJobs(ctx, worker)
}

// Reason is the text recorded for cause: its message, or "" for nil.
func Reason(cause error) string {
	if cause == nil {
		return ""
	}
	return cause.Error()
}

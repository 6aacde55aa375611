package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// Store jobs run on a real store: one done at once, one done after two
// failures, one parked after MaxAttempts, one parked as asked; each
// outcome counted, each park given to OnPark.
func TestStoreJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Now()
	for _, key := range []string{"ok", "flaky", "broken", "refused"} {
		err := s.Update(ctx, func(tx plusone.Tx) error {
			_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: "test", Key: key, Payload: []byte(`{}`), CreatedAt: now}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu       sync.Mutex
		outcomes = map[string][]jobs.Outcome{}
		parked   = map[string]string{}
	)
	handler := jobs.WorkFunc[*plusone.Job](func(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
		switch key := j.Item.Key; {
		case key == "broken", key == "flaky" && j.Attempt < 3:
			return errors.New("vendor unavailable")
		case key == "refused":
			return jobs.Park(errors.New("invalid_auth"))
		}
		return s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, j.Item.ID, j.Worker, time.Now()) })
	})
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.Job]{
			Name: "test job", Queue: jobs.StoreJobs{Store: s, Kind: "test"}, Handler: handler,
			Batch: 2, MaxAttempts: 3, Backoff: jobs.Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond},
			Observe: func(j *jobs.Job[*plusone.Job], o jobs.Outcome) {
				mu.Lock()
				defer mu.Unlock()
				outcomes[j.Item.Key] = append(outcomes[j.Item.Key], o)
			},
			OnPark: func(ctx context.Context, j *jobs.Job[*plusone.Job], err error) {
				mu.Lock()
				defer mu.Unlock()
				parked[j.Item.Key] = err.Error()
			},
		}},
		Poll: time.Millisecond, Clock: time.Now, Log: slog.New(slog.DiscardHandler),
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { loop.Run(runCtx, "me/test"); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, nParked, err := s.JobStats(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && nParked == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pending, %d parked; want 0 and 2", pending, nParked)
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	want := map[string]string{
		"ok":      "[done]",
		"flaky":   "[retried retried done]",
		"broken":  "[retried retried parked]",
		"refused": "[parked]",
	}
	for key, w := range want {
		if got := fmt.Sprint(outcomes[key]); got != w {
			t.Errorf("%s: outcomes %s, want %s", key, got, w)
		}
	}
	if parked["broken"] != "gave up after 3 attempts: vendor unavailable" || parked["refused"] != "invalid_auth" {
		t.Errorf("parked with %q", parked)
	}
}

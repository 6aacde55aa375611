package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testInbox(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)

	a := raw(plusone.SourceGeneric, "evt_1")
	dup, err := s.AppendEvent(ctx, a)
	must(t, err)
	if dup || a.ID == 0 {
		t.Fatalf("first append: dup=%v id=%d", dup, a.ID)
	}
	again := raw(plusone.SourceGeneric, "evt_1")
	again.Body = []byte(`{"changed":true}`)
	dup, err = s.AppendEvent(ctx, again)
	must(t, err)
	if !dup || again.ID != a.ID {
		t.Fatalf("redelivery: dup=%v id=%d, want dup with id %d", dup, again.ID, a.ID)
	}
	other := raw(plusone.SourceShopify, "evt_1") // same key, other source: a different event
	dup, err = s.AppendEvent(ctx, other)
	must(t, err)
	if dup {
		t.Fatal("same key from another source counted as duplicate")
	}
	b := raw(plusone.SourceGeneric, "evt_2")
	_, err = s.AppendEvent(ctx, b)
	must(t, err)

	evs := claim(t, s, "w1", 10, base)
	if len(evs) != 3 {
		t.Fatalf("claimed %d events, want 3", len(evs))
	}
	if evs[0].ID != a.ID || string(evs[0].Body) != `{"id":"evt_1"}` || evs[0].Attempts != 1 {
		t.Errorf("first claimed = %+v; want the original body, attempt 1", evs[0])
	}
	if evs[0].Headers.Get("Content-Type") != "application/json" || !evs[0].ReceivedAt.Equal(base) {
		t.Errorf("headers/received not kept: %+v", evs[0])
	}
	if more := claim(t, s, "w2", 10, base.Add(30*time.Second)); len(more) != 0 {
		t.Fatalf("leased events claimed again: %d", len(more))
	}

	// Complete a; retry other; park b.
	update(t, s, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, a.ID, "w1", base) })
	must(t, s.RetryEvent(ctx, other.ID, "w1", base.Add(10*time.Minute), "slack down"))
	must(t, s.ParkEvent(ctx, b.ID, "w1", "cannot parse"))
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, b.ID, "w1", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("completing a parked event: %v, want ErrLeaseLost", err)
	}

	if evs := claim(t, s, "w2", 10, base.Add(5*time.Minute)); len(evs) != 0 {
		t.Fatalf("claimed %d before run_after", len(evs))
	}
	evs = claim(t, s, "w2", 10, base.Add(11*time.Minute))
	if len(evs) != 1 || evs[0].ID != other.ID || evs[0].Attempts != 2 || evs[0].LastError != "slack down" {
		t.Fatalf("after run_after claimed %+v, want the retried event at attempt 2", evs)
	}
	// The lease expires: another worker takes it; the first one's completion fails.
	evs = claim(t, s, "w3", 10, base.Add(13*time.Minute))
	if len(evs) != 1 || evs[0].Attempts != 3 {
		t.Fatalf("expired lease not reclaimable: %+v", evs)
	}
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, other.ID, "w2", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker completed: %v", err)
	}
	if err := s.RetryEvent(ctx, other.ID, "w2", base, "x"); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker retried: %v", err)
	}
	must(t, s.ReleaseEvents(ctx, "w3"))
	evs = claim(t, s, "w4", 10, base.Add(13*time.Minute))
	if len(evs) != 1 {
		t.Fatalf("released event not claimable at once: %d", len(evs))
	}

	parked, err := s.ParkedEvents(ctx, 10)
	must(t, err)
	if len(parked) != 1 || parked[0].ID != b.ID || parked[0].LastError != "cannot parse" || parked[0].State != plusone.RawParked {
		t.Errorf("parked = %+v", parked)
	}
	st, err := s.InboxStats(ctx)
	must(t, err)
	if st != (plusone.InboxStats{Pending: 1, Done: 1, Parked: 1}) {
		t.Errorf("stats = %+v", st)
	}
	queues, err := s.Queues(ctx)
	must(t, err)
	want := []plusone.QueueGauge{
		{Queue: plusone.QueueEvents, Depth: 1, Oldest: base}, {Queue: plusone.QueueParked, Depth: 1, Oldest: base},
		{Queue: plusone.QueueCards}, {Queue: plusone.QueueCardsFailed}, {Queue: plusone.QueueApprovals},
	}
	if len(queues) != len(want) {
		t.Fatalf("queues = %+v, want %+v", queues, want)
	}
	for i, q := range queues {
		if q.Queue != want[i].Queue || q.Depth != want[i].Depth || !q.Oldest.Equal(want[i].Oldest) {
			t.Errorf("queue %d = %+v, want %+v", i, q, want[i])
		}
	}
	// A duplicate of a done event is still a duplicate.
	dup, err = s.AppendEvent(ctx, raw(plusone.SourceGeneric, "evt_1"))
	must(t, err)
	if !dup {
		t.Error("redelivery of a processed event not a duplicate")
	}
}

func testInboxConcurrency(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	const n = 60
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := map[string]int{}
	for i := range n * 3 { // every event three times, concurrently
		wg.Go(func() {
			ev := raw(plusone.SourceGeneric, fmt.Sprintf("evt_%d", i%n))
			dup, err := s.AppendEvent(ctx, ev)
			if err != nil {
				t.Error(err)
				return
			}
			if !dup {
				mu.Lock()
				fresh[ev.DedupeKey]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(fresh) != n {
		t.Fatalf("%d distinct events stored, want %d", len(fresh), n)
	}
	for k, c := range fresh {
		if c != 1 {
			t.Errorf("%s stored %d times", k, c)
		}
	}
	// Concurrent claimers never get the same event.
	settle(t, s)
	seen := map[int64]string{}
	for w := range 6 {
		wg.Go(func() {
			worker := fmt.Sprintf("w%d", w)
			for {
				evs, err := s.ClaimEvents(ctx, plusone.Claim{Worker: worker, Limit: 3, Lease: time.Hour, Now: base})
				if err != nil {
					t.Error(err)
					return
				}
				if len(evs) == 0 {
					return
				}
				mu.Lock()
				for _, ev := range evs {
					if prev, ok := seen[ev.ID]; ok {
						t.Errorf("event %d claimed by %s and %s", ev.ID, prev, worker)
					}
					seen[ev.ID] = worker
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d events, want %d", len(seen), n)
	}
}

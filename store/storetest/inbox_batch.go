package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/plusone-hq/plusone"
)

// testInboxBatchIDs appends events, each several times at once, so that
// copies share a group commit: every copy of an event gets the one stored
// event's id, and exactly one copy is not a duplicate.
func testInboxBatchIDs(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	const keys, copies = 40, 5
	type got struct {
		id  int64
		dup bool
	}
	var mu sync.Mutex
	res := map[string][]got{}
	var wg sync.WaitGroup
	for i := range keys * copies {
		wg.Go(func() {
			ev := raw(plusone.SourceGeneric, fmt.Sprintf("batch_%d", i%keys))
			dup, err := s.AppendEvent(ctx, ev)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			res[ev.DedupeKey] = append(res[ev.DedupeKey], got{ev.ID, dup})
			mu.Unlock()
		})
	}
	wg.Wait()
	ids := map[int64]string{}
	for k, gs := range res {
		fresh := 0
		for _, g := range gs {
			if !g.dup {
				fresh++
			}
			if g.id != gs[0].id || g.id == 0 {
				t.Errorf("%s: ids %v", k, gs)
				break
			}
		}
		if fresh != 1 || len(gs) != copies {
			t.Errorf("%s: %d answers, %d not duplicates: %v", k, len(gs), fresh, gs)
		}
		if other, ok := ids[gs[0].id]; ok {
			t.Errorf("%s and %s have the same id %d", k, other, gs[0].id)
		}
		ids[gs[0].id] = k
	}
}

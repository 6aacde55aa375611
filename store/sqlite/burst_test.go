package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// A burst of webhooks (group commits of several at once) makes the store
// report intake as busy, so that background work yields to it; a lone
// webhook does not, and the report passes once the burst is over.
func TestIntakeBusyDuringABurst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appendN := func(round, n int) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprintf("r%d-e%d", round, i), Body: []byte(`{}`)}
				if _, err := s.AppendEvent(ctx, ev); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	appendN(0, 1)
	if s.IntakeBusy() {
		t.Fatal("one webhook is no burst")
	}
	// 64 at once give group commits of several, at least once in a few tries.
	busy := false
	for round := 1; round <= 20 && !busy; round++ {
		appendN(round, 64)
		busy = s.IntakeBusy()
	}
	if !busy {
		t.Fatal("64 webhooks at once, 20 times: intake never reported busy")
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.IntakeBusy() {
		if time.Now().After(deadline) {
			t.Fatal("intake still busy 10 s after the burst")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

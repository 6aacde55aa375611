package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// bounded is how long the suite waits for a call that must end; a store
// that ignored deadlines or Close would wait forever.
const bounded = 30 * time.Second

// holdBudgets starts an Update that locks key and waits for release; it
// returns once the lock is held, and the channel of the Update's outcome.
func holdBudgets(t *testing.T, s plusone.Store, key string, release <-chan struct{}) <-chan error {
	t.Helper()
	held, out := make(chan struct{}), make(chan error, 1)
	go func() {
		out <- s.Update(context.Background(), func(tx plusone.Tx) error {
			if err := tx.Lock(context.Background(), key); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-out:
		t.Fatalf("holding the lock: %v", err)
	case <-time.After(bounded):
		t.Fatal("could not take the lock")
	}
	return out
}

// wait returns what out gives within bounded.
func wait(t *testing.T, what string, out <-chan error) error {
	t.Helper()
	select {
	case err := <-out:
		return err
	case <-time.After(bounded):
		t.Fatalf("%s did not end within %s", what, bounded)
		return nil
	}
}

func testDeadlines(t *testing.T, open Opener) {
	t.Run("CallerDeadline", func(t *testing.T) {
		// A write waiting behind another gives up at its caller's deadline,
		// even where a statement in it was given a context without one,
		// leaves nothing behind, and the store goes on.
		s, ctx := newStore(t, open)
		must(t, s.Ready(ctx))
		release := make(chan struct{})
		first := holdBudgets(t, s, "agent:U1", release)

		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		out := make(chan error, 1)
		go func() {
			out <- s.Update(short, func(tx plusone.Tx) error { return tx.Lock(context.Background(), "agent:U1") })
		}()
		if err := wait(t, "a write past its deadline", out); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("write past its deadline: %v, want context.DeadlineExceeded", err)
		}
		close(release)
		must(t, wait(t, "the first write", first))
		update(t, s, func(tx plusone.Tx) error { return tx.Lock(ctx, "agent:U1") })
		// A caller that gave up says nothing about the database.
		must(t, s.Ready(ctx))
	})

	t.Run("CloseEndsCallsInFlight", func(t *testing.T) {
		// Close does not wait for calls stuck in the database: it ends them.
		s := open(t)
		release := make(chan struct{})
		defer close(release)
		first := holdBudgets(t, s, "agent:U2", release)
		waiting := make(chan error, 1)
		started := make(chan struct{})
		go func() {
			close(started)
			waiting <- s.Update(context.Background(), func(tx plusone.Tx) error {
				return tx.Lock(context.Background(), "agent:U2")
			})
		}()
		<-started
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		_ = wait(t, "Close", closed)
		if err := wait(t, "a write waiting when the store closed", waiting); err == nil {
			t.Error("a write waiting at Close succeeded")
		}
		release <- struct{}{}
		if err := wait(t, "a write in progress when the store closed", first); err == nil {
			t.Error("a write in progress at Close committed after it")
		}
		if _, err := s.AppendEvent(context.Background(), raw(plusone.SourceGeneric, "after-close")); err == nil {
			t.Error("append after Close succeeded")
		}
	})
}

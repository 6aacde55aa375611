package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/plusone-hq/plusone"
)

// racers is how many transactions each test below runs at once: more than
// the writers a store may run side by side, so that some wait.
const racers = 24

// race runs fn in racers concurrent write transactions and fails the test
// on any error.
func race(t *testing.T, s plusone.Store, fn func(ctx context.Context, tx plusone.Tx, i int) error) {
	t.Helper()
	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			if err := s.Update(ctx, func(tx plusone.Tx) error { return fn(ctx, tx, i) }); err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
}

// testLocks: what the gestures and the pipeline build on to decide once
// whatever the concurrency and the store.
func testLocks(t *testing.T, open Opener) {
	t.Run("SameKeyAppendedOnce", func(t *testing.T) {
		// A request decided at once by transactions that take no lock: the
		// ledger's key lets one through and tells the others, without an
		// error.
		s, ctx := newStore(t, open)
		jane := newCustomer(t, s, "Jane", "jane@example.com")
		ask := entry(jane.ID, "handwritten_note", plusone.StatusPendingApproval, 0, base)
		update(t, s, func(tx plusone.Tx) error { _, _, err := tx.AppendLedger(ctx, ask); return err })
		var won atomic.Int32
		race(t, s, func(ctx context.Context, tx plusone.Tx, i int) error {
			e := entry(jane.ID, "handwritten_note", plusone.StatusApproved, 15_00, base)
			e.RequestID, e.Key, e.By = ask.ID, plusone.FinalKey(ask.ID), fmt.Sprint("U", i)
			existing, dup, err := tx.AppendLedger(ctx, e)
			if err != nil {
				return err
			}
			if dup {
				if existing.Key != e.Key || existing.RequestID != ask.ID || existing.ID == 0 {
					return fmt.Errorf("duplicate gave %+v", existing)
				}
				return nil
			}
			won.Add(1)
			return nil
		})
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			chain, err := tx.Request(ctx, ask.ID)
			if err != nil {
				return err
			}
			if len(chain) != 2 || won.Load() != 1 {
				t.Errorf("%d entries, %d appends won; want 2 entries and 1 win: %+v", len(chain), won.Load(), chain)
			}
			return nil
		}))
	})

	t.Run("ReadAfterLockSeesCommit", func(t *testing.T) {
		// Transactions that lock a request, read its latest state and move
		// it on only when it is pending: exactly one moves it on, even
		// though the follow-up has no key the store could catch.
		s, ctx := newStore(t, open)
		jane := newCustomer(t, s, "Jane", "jane@example.com")
		ask := entry(jane.ID, "handwritten_note", plusone.StatusPendingApproval, 0, base)
		update(t, s, func(tx plusone.Tx) error { _, _, err := tx.AppendLedger(ctx, ask); return err })
		var moved atomic.Int32
		race(t, s, func(ctx context.Context, tx plusone.Tx, i int) error {
			if err := tx.Lock(ctx, plusone.RequestLock(ask.ID)); err != nil {
				return err
			}
			chain, err := tx.Request(ctx, ask.ID)
			if err != nil {
				return err
			}
			if chain[len(chain)-1].Status != plusone.StatusPendingApproval {
				return nil
			}
			e := entry(jane.ID, "handwritten_note", plusone.StatusApproved, 15_00, base)
			e.RequestID, e.By = ask.ID, fmt.Sprint("U", i)
			if _, _, err := tx.AppendLedger(ctx, e); err != nil {
				return err
			}
			moved.Add(1)
			return nil
		})
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			spent, err := tx.Spent(ctx, "customer", fmt.Sprint(jane.ID), base)
			if err != nil {
				return err
			}
			if moved.Load() != 1 || spent != 15_00 {
				t.Errorf("moved on %d times, spent %v; want once and 15.00", moved.Load(), spent)
			}
			return nil
		}))
	})

	t.Run("CustomerCreatedOnce", func(t *testing.T) {
		// Events of one new customer applied at once: whoever locks her
		// identity first creates her, the others find her.
		s, ctx := newStore(t, open)
		email := plusone.Identity{Kind: plusone.IdentityEmail, Value: "new@example.com"}
		ids := make([]int64, racers)
		race(t, s, func(ctx context.Context, tx plusone.Tx, i int) error {
			if err := tx.Lock(ctx, plusone.IdentityLock(email), "unrelated:key"); err != nil {
				return err
			}
			c, err := tx.CustomerByIdentity(ctx, email)
			if errors.Is(err, plusone.ErrNotFound) {
				c = &plusone.Customer{Email: email.Value, CreatedAt: base}
				if err := tx.CreateCustomer(ctx, c); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			ids[i] = c.ID
			return tx.AddIdentity(ctx, c.ID, email, base)
		})
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			found, err := tx.FindCustomers(ctx, email.Value, 10)
			if err != nil {
				return err
			}
			if len(found) != 1 {
				t.Fatalf("found %d customers", len(found))
			}
			for i, id := range ids {
				if id != found[0].ID {
					t.Errorf("racer %d used customer %d, want %d", i, id, found[0].ID)
				}
			}
			return nil
		}))
	})
}

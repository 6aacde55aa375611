package storetest

import (
	"errors"
	"testing"

	"github.com/plusone-hq/plusone"
)

func testRollback(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx plusone.Tx) error {
		if err := tx.CreateCustomer(ctx, &plusone.Customer{Name: "Ghost"}); err != nil {
			return err
		}
		if err := tx.AddIdentity(ctx, 1, plusone.Identity{Kind: "email", Value: "ghost@example.com"}, base); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		if _, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "ghost@example.com"}); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("rolled back identity visible: %v", err)
		}
		return nil
	}))
	// UpdateReplayable commits and rolls back like Update.
	if err := s.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		if err := tx.CreateCustomer(ctx, &plusone.Customer{Name: "Ghost 2", Email: "g2@example.com"}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("UpdateReplayable returned %v", err)
	}
	var kept plusone.Customer
	must(t, s.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		kept = plusone.Customer{Name: "Kept"}
		if err := tx.CreateCustomer(ctx, &kept); err != nil {
			return err
		}
		return tx.AddIdentity(ctx, kept.ID, plusone.Identity{Kind: "email", Value: "kept@example.com"}, base)
	}))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "kept@example.com"})
		if err != nil || c.ID != kept.ID {
			t.Errorf("replayable commit not visible: %v %v", c, err)
		}
		return nil
	}))
	must(t, s.Ready(ctx))
}

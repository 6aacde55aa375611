package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testLedger(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	var grant, ask *plusone.LedgerEntry
	update(t, s, func(tx plusone.Tx) error {
		if err := tx.Lock(ctx, "agent:U0ANA", "team:frontline", "customer:1", "agent:U0ANA"); err != nil {
			return err
		}
		grant = entry(jane.ID, "free_shipping", plusone.StatusGranted, 15_00, base)
		grant.Key = "click-1"
		if _, dup, err := tx.AppendLedger(ctx, grant); err != nil || dup || grant.ID == 0 || grant.RequestID != grant.ID {
			return fmt.Errorf("append: dup=%v %+v %v", dup, grant, err)
		}
		again := entry(jane.ID, "free_shipping", plusone.StatusRefused, 0, base.Add(time.Minute))
		again.Key = "click-1"
		existing, dup, err := tx.AppendLedger(ctx, again)
		if err != nil || !dup || existing.ID != grant.ID || existing.Status != plusone.StatusGranted || again.ID != 0 {
			return fmt.Errorf("same key: dup=%v %+v %v", dup, existing, err)
		}
		ask = entry(bob.ID, "handwritten_note", plusone.StatusPendingApproval, 0, base.Add(time.Hour))
		ask.Key = "click-2"
		ask.Blocking = []string{"agent budget: $4 left of $100 today", "customer budget: $0 left of $50 this month"}
		if _, _, err := tx.AppendLedger(ctx, ask); err != nil {
			return err
		}
		// Yesterday's spend of another period.
		old := entry(jane.ID, "handwritten_note", plusone.StatusGranted, 4_00, base.Add(-24*time.Hour))
		_, _, err = tx.AppendLedger(ctx, old)
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		pending, err := tx.Pending(ctx, 10)
		if err != nil || len(pending) != 1 || pending[0].RequestID != ask.ID {
			t.Errorf("pending = %+v %v", pending, err)
		} else if !slices.Equal(pending[0].Blocking, ask.Blocking) {
			t.Errorf("pending request's blocking = %q, want %q", pending[0].Blocking, ask.Blocking)
		}
		type budget struct {
			scope plusone.BudgetScope
			key   string
		}
		for b, want := range map[budget]plusone.Money{
			{plusone.ScopeAgent, "U0ANA"}: 15_00, {plusone.ScopeTeam, "frontline"}: 15_00,
			{plusone.ScopeCustomer, plusone.CustomerBudgetKey(jane.ID)}: 15_00, {plusone.ScopeCustomer, plusone.CustomerBudgetKey(bob.ID)}: 0,
		} {
			got, err := tx.Spent(ctx, b.scope, b.key, base.Add(-time.Hour))
			if err != nil || got != want {
				t.Errorf("spent %v = %v (%v), want %v", b, got, err, want)
			}
		}
		all, err := tx.Spent(ctx, "agent", "U0ANA", base.Add(-48*time.Hour))
		if err != nil || all != 19_00 {
			t.Errorf("spent over two days = %v %v", all, err)
		}
		return nil
	}))
	// The approval and a later cancellation are new entries of the request.
	update(t, s, func(tx plusone.Tx) error {
		approved := entry(bob.ID, "handwritten_note", plusone.StatusApproved, 15_00, base.Add(2*time.Hour))
		approved.RequestID, approved.By = ask.ID, "U0SUP"
		if _, _, err := tx.AppendLedger(ctx, approved); err != nil {
			return err
		}
		cancel := entry(jane.ID, "free_shipping", plusone.StatusCancelled, -15_00, base.Add(3*time.Hour))
		cancel.RequestID = grant.ID
		_, _, err := tx.AppendLedger(ctx, cancel)
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		chain, err := tx.Request(ctx, ask.ID)
		if err != nil || len(chain) != 2 || chain[1].Status != plusone.StatusApproved || chain[1].By != "U0SUP" || chain[1].RequestID != ask.ID {
			t.Errorf("request chain = %+v %v", chain, err)
		} else if !slices.Equal(chain[0].Blocking, ask.Blocking) || chain[1].Blocking != nil {
			t.Errorf("blocking of the chain = %q, %q; want %q, none", chain[0].Blocking, chain[1].Blocking, ask.Blocking)
		}
		if _, err := tx.Request(ctx, 99999); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("unknown request: %v", err)
		}
		if pending, _ := tx.Pending(ctx, 10); len(pending) != 0 {
			t.Errorf("approved request still pending: %+v", pending)
		}
		if at, err := tx.LastGranted(ctx, bob.ID, "handwritten_note"); err != nil || !at.Equal(base.Add(2*time.Hour)) {
			t.Errorf("last grant to bob = %v %v", at, err)
		}
		if at, err := tx.LastGranted(ctx, jane.ID, "free_shipping"); err != nil || !at.IsZero() {
			t.Errorf("a cancelled grant still counts: %v %v", at, err)
		}
		if got, _ := tx.Spent(ctx, "agent", "U0ANA", base.Add(-time.Hour)); got != 15_00 {
			t.Errorf("spent after approval and cancellation = %v, want 15.00", got)
		}
		latest, err := tx.Gestures(ctx, jane.ID, 10)
		if err != nil || len(latest) != 2 || latest[0].Status != plusone.StatusCancelled {
			t.Errorf("gestures of jane = %+v %v", latest, err)
		}
		entries, err := tx.Ledger(ctx, plusone.LedgerFilter{Agent: "U0ANA", Since: base.Add(-time.Hour)})
		if err != nil || len(entries) != 4 {
			t.Errorf("ledger since base = %d %v", len(entries), err)
		}
		entries, err = tx.Ledger(ctx, plusone.LedgerFilter{CustomerID: bob.ID})
		if err != nil || len(entries) != 2 {
			t.Errorf("ledger of bob = %d %v", len(entries), err)
		}
		return nil
	}))
	update(t, s, func(tx plusone.Tx) error {
		if err := tx.SaveMessage(ctx, ask.ID, "approval", "C0SUP", "1700.1"); err != nil {
			return err
		}
		if err := tx.SaveMessage(ctx, ask.ID, "approval", "C0SUP", "other"); err != nil {
			return err
		}
		for _, o := range []plusone.Override{{Path: "roles.agent.max_per_gesture", OldValue: "25", NewValue: "40", By: "U0SUP", At: base},
			{Path: "gestures.x.paused", OldValue: "false", NewValue: "true", By: "U0SUP", At: base.Add(time.Minute)}} {
			if err := tx.AddOverride(ctx, &o); err != nil || o.ID == 0 {
				return fmt.Errorf("override: %v", err)
			}
		}
		return tx.Audit(ctx, "U0BOB", "approve", fmt.Sprint(ask.ID), "refused: not a supervisor", base)
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		ch, ts, err := tx.Message(ctx, ask.ID, "approval")
		if err != nil || ch != "C0SUP" || ts != "1700.1" {
			t.Errorf("approval message = %s %s %v", ch, ts, err)
		}
		if _, _, err := tx.Message(ctx, ask.ID, "todo"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("missing message: %v", err)
		}
		os, err := tx.Overrides(ctx)
		if err != nil || len(os) != 2 || os[0].NewValue != "40" || os[1].By != "U0SUP" {
			t.Errorf("overrides = %+v %v", os, err)
		}
		log, err := tx.AuditLog(ctx, 10)
		if err != nil || len(log) != 1 || log[0].Actor != "U0BOB" || log[0].Outcome != "refused: not a supervisor" {
			t.Errorf("audit = %+v %v", log, err)
		}
		return nil
	}))
}

// testLedgerConcurrency: spending from one budget in many concurrent
// transactions, each locking the budget, reading the spend and appending,
// never overspends.
func testLedgerConcurrency(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	const budget, value = 60_00, 10_00
	var wg sync.WaitGroup
	var granted atomic.Int32
	for i := range 40 {
		wg.Go(func() {
			err := s.Update(ctx, func(tx plusone.Tx) error {
				if err := tx.Lock(ctx, "agent:U0ANA"); err != nil {
					return err
				}
				spent, err := tx.Spent(ctx, "agent", "U0ANA", base.Add(-time.Hour))
				if err != nil {
					return err
				}
				e := entry(jane.ID, "g", plusone.StatusPendingApproval, 0, base)
				if spent+value <= budget {
					e.Status, e.Charge = plusone.StatusGranted, value
				}
				e.Key = fmt.Sprint("click-", i)
				if _, _, err := tx.AppendLedger(ctx, e); err != nil {
					return err
				}
				if e.Status == plusone.StatusGranted {
					granted.Add(1)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		spent, err := tx.Spent(ctx, "agent", "U0ANA", base.Add(-time.Hour))
		if err != nil || spent != budget || granted.Load() != budget/value {
			t.Errorf("spent %v with %d grants, want %v with %d", spent, granted.Load(), plusone.Money(budget), budget/value)
		}
		return nil
	}))
}

package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testWording covers the model's cache (saved, replaced, a customer's
// latest note, erased with her) and its daily token budget.
func testWording(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	w1 := plusone.Wording{Suggestions: []plusone.WordedSuggestion{{Gesture: "ship", Reason: "Her tires came late."}}, Note: "Dear Jane"}
	update(t, s, func(tx plusone.Tx) error {
		if _, err := tx.Wording(ctx, "k1"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("unknown key: %v, want ErrNotFound", err)
		}
		if err := tx.SaveWording(ctx, "k1", jane.ID, w1, base); err != nil {
			return err
		}
		if err := tx.SaveWording(ctx, "k2", jane.ID, plusone.Wording{Note: "Dear Jane, again"}, base.Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.SaveWording(ctx, "k3", jane.ID, plusone.Wording{}, base.Add(2*time.Hour)); err != nil {
			return err
		}
		return tx.SaveWording(ctx, "k4", bob.ID, plusone.Wording{Note: "Dear Bob"}, base)
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.Wording(ctx, "k1")
		if err != nil {
			return err
		}
		if len(got.Suggestions) != 1 || got.Suggestions[0] != w1.Suggestions[0] || got.Note != w1.Note {
			t.Errorf("wording k1 = %+v, want %+v", got, w1)
		}
		if n, err := tx.LatestNote(ctx, jane.ID); err != nil || n != "Dear Jane, again" {
			t.Errorf("latest note = %q, %v; want the newest non-empty one", n, err)
		}
		if ws, err := tx.Wordings(ctx, jane.ID, 10); err != nil || len(ws) != 3 || ws[1].Note != "Dear Jane, again" || ws[2].Note != "Dear Jane" {
			t.Errorf("her wordings = %+v, %v; want 3, newest first", ws, err)
		}
		return nil
	}))
	update(t, s, func(tx plusone.Tx) error {
		return tx.SaveWording(ctx, "k1", jane.ID, plusone.Wording{Note: "replaced"}, base.Add(3*time.Hour))
	})
	update(t, s, func(tx plusone.Tx) error {
		if got, err := tx.Wording(ctx, "k1"); err != nil || got.Note != "replaced" || len(got.Suggestions) != 0 {
			t.Errorf("k1 saved again = %+v, %v", got, err)
		}
		_, err := tx.EraseCustomer(ctx, jane.ID, base.Add(4*time.Hour))
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for _, k := range []string{"k1", "k2", "k3"} {
			if _, err := tx.Wording(ctx, k); !errors.Is(err, plusone.ErrNotFound) {
				t.Errorf("%s after her erasure: %v, want ErrNotFound", k, err)
			}
		}
		if n, err := tx.LatestNote(ctx, jane.ID); err != nil || n != "" {
			t.Errorf("her latest note after erasure = %q, %v", n, err)
		}
		if ws, err := tx.Wordings(ctx, jane.ID, 10); err != nil || len(ws) != 0 {
			t.Errorf("her wordings after erasure = %+v, %v", ws, err)
		}
		if n, err := tx.LatestNote(ctx, bob.ID); err != nil || n != "Dear Bob" {
			t.Errorf("Bob's note = %q, %v; his stays", n, err)
		}
		return nil
	}))

	// The budget: 10 concurrent spenders of 30 within 100 spend 3 times;
	// what a call did not use is given back; another day starts at zero.
	const day, limit = "2026-12-02", 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 10 {
		wg.Go(func() {
			var ok bool
			err := s.Update(ctx, func(tx plusone.Tx) error {
				var err error
				ok, err = tx.SpendTokens(ctx, day, 30, limit)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 3 {
		t.Errorf("%d spends of 30 within 100 granted, want 3", granted)
	}
	update(t, s, func(tx plusone.Tx) error {
		if used, err := tx.TokensSpent(ctx, day); err != nil || used != 90 {
			t.Errorf("spent %d, %v; want 90", used, err)
		}
		if ok, err := tx.SpendTokens(ctx, day, -25, limit); err != nil || !ok {
			t.Errorf("give back: %v, %v", ok, err)
		}
		if ok, err := tx.SpendTokens(ctx, day, 35, limit); err != nil || !ok {
			t.Errorf("35 more after giving 25 back: %v, %v; want granted", ok, err)
		}
		if used, err := tx.TokensSpent(ctx, day); err != nil || used != 100 {
			t.Errorf("spent %d, %v; want 100", used, err)
		}
		if ok, err := tx.SpendTokens(ctx, day, 1, limit); err != nil || ok {
			t.Errorf("one past the limit: %v, %v; want refused", ok, err)
		}
		if used, err := tx.TokensSpent(ctx, "2026-12-03"); err != nil || used != 0 {
			t.Errorf("next day spent %d, %v", used, err)
		}
		return nil
	})
}

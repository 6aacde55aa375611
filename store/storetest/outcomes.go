package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testOutcomes: assignments are kept once with the earliest exposure (also
// through a merge), the seed is the first caller's, and the outcomes of a
// window count what happened within it on the events' own times.
func testOutcomes(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	assign := func(c *plusone.Customer, gesture string, arm plusone.Arm, at time.Time) (stored bool) {
		update(t, s, func(tx plusone.Tx) (err error) {
			stored, err = tx.Assign(ctx, plusone.Assignment{CustomerID: c.ID, Gesture: gesture, Arm: arm, ExposedAt: at})
			return err
		})
		return stored
	}
	if !assign(jane, "gift", plusone.ArmHoldout, base.Add(time.Hour)) {
		t.Error("first assignment not stored")
	}
	if assign(jane, "gift", plusone.ArmTreatment, base.Add(2*time.Hour)) {
		t.Error("a later exposure replaced the assignment")
	}
	if !assign(jane, "gift", plusone.ArmTreatment, base) {
		t.Error("an earlier exposure did not move the assignment")
	}
	assign(jane, "note", plusone.ArmTreatment, base)
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.Assignments(ctx, jane.ID)
		if err != nil {
			return err
		}
		want := []plusone.Assignment{
			{CustomerID: jane.ID, Gesture: "gift", Arm: plusone.ArmHoldout, ExposedAt: base},
			{CustomerID: jane.ID, Gesture: "note", Arm: plusone.ArmTreatment, ExposedAt: base},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("assignments = %+v, want %+v", got, want)
		}
		return nil
	}))
	for _, fresh := range []string{"first", "second"} {
		update(t, s, func(tx plusone.Tx) error {
			seed, err := tx.AssignmentSeed(ctx, fresh)
			if err == nil && seed != "first" {
				err = fmt.Errorf("AssignmentSeed(%q) = %q, want the first one", fresh, seed)
			}
			return err
		})
	}

	// Jane's history around her exposure (base) to gift, window 10s.
	score := func(n int) *int { return &n }
	update(t, s, func(tx plusone.Tx) error {
		for i, o := range []struct {
			at    time.Duration
			total plusone.Money
		}{{-time.Hour, 300_00}, {0, 1_00}, {3 * time.Second, 40_00}, {10 * time.Second, 2_00}, {11 * time.Second, 500_00}} {
			if err := tx.SaveOrder(ctx, &plusone.OrderRecord{Order: plusone.Order{ID: fmt.Sprint(i), Total: o.total, Currency: "USD",
				CreatedAt: base.Add(o.at)}, Source: plusone.SourceShopify, CustomerID: jane.ID, UpdatedAt: base.Add(o.at)}); err != nil {
				return err
			}
		}
		for i, f := range []struct {
			at    time.Duration
			score int
			scale string
		}{{2 * time.Second, 4, "csat"}, {4 * time.Second, 5, "csat"}, {5 * time.Second, 9, "nps"}, {time.Minute, 1, "csat"}} {
			if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceGeneric,
				Kind: plusone.TouchFeedback, DedupeKey: fmt.Sprint("f", i), OccurredAt: base.Add(f.at), Score: score(f.score), Scale: f.scale}); err != nil {
				return err
			}
		}
		for i, at := range []time.Duration{0, 5 * time.Second} {
			if err := tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: fmt.Sprint("T", i), Status: "open"},
				Source: plusone.SourceZendesk, CustomerID: jane.ID, CreatedAt: base.Add(at), UpdatedAt: base.Add(at)}); err != nil {
				return err
			}
		}
		g := entry(jane.ID, "gift", plusone.StatusGranted, 15_00, base.Add(time.Second))
		if _, _, err := tx.AppendLedger(ctx, g); err != nil {
			return err
		}
		_, _, err := tx.AppendLedger(ctx, entry(jane.ID, "gift", plusone.StatusRefused, 0, base.Add(time.Second)))
		return err
	})
	assign(bob, "gift", plusone.ArmTreatment, base.Add(5*time.Second)) // his window closes at base+15s

	outcomes := func(closedBy time.Time) (out []plusone.ExposureOutcome) {
		must(t, s.View(ctx, func(tx plusone.Tx) (err error) {
			out, err = tx.ExposureOutcomes(ctx, 10*time.Second, closedBy)
			return err
		}))
		return out
	}
	got := outcomes(base.Add(10 * time.Second))
	if len(got) != 2 || got[0].Gesture != "gift" || got[1].Gesture != "note" {
		t.Fatalf("closed by base+10s: %+v, want Jane's gift and note (Bob's window is open)", got)
	}
	g := got[0]
	if g.CustomerID != jane.ID || g.Arm != plusone.ArmHoldout || !g.ExposedAt.Equal(base) ||
		g.Orders != 2 || g.Revenue != 42_00 || g.CSATs != 2 || g.CSATSum != 9 || g.Tickets != 1 ||
		g.PriorSpend != 300_00 || g.Granted != 1 || g.Spent != 15_00 {
		t.Errorf("Jane's gift outcome = %+v\nwant 2 orders of $42 after the exposure within 10s, 2 CSATs summing 9, 1 new ticket, $300 before, 1 grant of $15", g)
	}
	if n := got[1]; n.Granted != 0 || n.Spent != 0 || n.Orders != 2 {
		t.Errorf("Jane's note outcome = %+v, want her orders and none of gift's grants", n)
	}
	if got := outcomes(base.Add(15 * time.Second)); len(got) != 3 {
		t.Errorf("closed by base+15s: %d outcomes, want Bob's too", len(got))
	}

	// A merge keeps the earliest exposure of each gesture.
	kim := newCustomer(t, s, "Kim", "kim@example.com")
	assign(kim, "gift", plusone.ArmTreatment, base.Add(-time.Minute)) // earlier than Jane's
	assign(kim, "note", plusone.ArmHoldout, base.Add(time.Minute))    // later than Jane's
	assign(kim, "badge", plusone.ArmHoldout, base)                    // Jane has none
	update(t, s, func(tx plusone.Tx) error { return tx.MergeCustomers(ctx, jane.ID, kim.ID, "same person", base) })
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.Assignments(ctx, jane.ID)
		if err != nil {
			return err
		}
		arms := map[string]string{}
		for _, a := range got {
			arms[a.Gesture] = fmt.Sprintf("%s@%s", a.Arm, a.ExposedAt.Sub(base))
		}
		want := map[string]string{"gift": "treatment@-1m0s", "note": "treatment@0s", "badge": "holdout@0s"}
		if fmt.Sprint(arms) != fmt.Sprint(want) {
			return fmt.Errorf("after the merge: %v, want %v", arms, want)
		}
		kims, err := tx.Assignments(ctx, kim.ID)
		if err == nil && len(kims) != 0 {
			err = fmt.Errorf("the merged-away customer keeps %d assignments", len(kims))
		}
		return err
	}))
}

// testOutcomesConcurrency: replicas exposing one customer at once, each
// at its own event time, leave one assignment at the earliest time;
// replicas making the seed at once all get the same one.
func testOutcomesConcurrency(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	const n = 12
	seeds := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update(ctx, func(tx plusone.Tx) error {
				var err error
				if seeds[i], err = tx.AssignmentSeed(ctx, fmt.Sprint("seed-", i)); err != nil {
					return err
				}
				// The latest event times first, so that later ones must win.
				_, err = tx.Assign(ctx, plusone.Assignment{CustomerID: jane.ID, Gesture: "gift", Arm: plusone.ArmHoldout,
					ExposedAt: base.Add(time.Duration(n-i) * time.Second)})
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, seed := range seeds {
		if seed != seeds[0] {
			t.Fatalf("replicas got different seeds: %v", seeds)
		}
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.Assignments(ctx, jane.ID)
		if err != nil {
			return err
		}
		// The earliest is the last replica's.
		want := plusone.Assignment{CustomerID: jane.ID, Gesture: "gift", Arm: plusone.ArmHoldout, ExposedAt: base.Add(time.Second)}
		if len(got) != 1 || got[0] != want {
			return fmt.Errorf("after %d concurrent exposures: %+v, want only the earliest %+v", n, got, want)
		}
		return nil
	}))
}

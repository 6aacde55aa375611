package storetest

import (
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testSpendByDay covers spend over time: the charges of each day summed
// by agent and team, of every agent or one; entries that charged nothing
// are left out and refunds deducted.
func testSpendByDay(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	entries := []plusone.LedgerEntry{
		{Key: "a", Agent: "U0ANA", Team: "frontline", Charge: 15_00, CreatedAt: base.Add(-48 * time.Hour)},
		{Key: "b", Agent: "U0ANA", Team: "frontline", Charge: 4_00, CreatedAt: base.Add(2 * time.Hour)},
		{Key: "c", Agent: "U0BEN", Charge: 0, CreatedAt: base.Add(3 * time.Hour)},
		{Key: "d", Agent: "U0BEN", Charge: 10_00, CreatedAt: base.Add(time.Hour)},
		{Key: "e", Agent: "U0BEN", Charge: -10_00, CreatedAt: base.Add(4 * time.Hour)},
	}
	update(t, s, func(tx plusone.Tx) error {
		for _, e := range entries {
			e.Gesture, e.Value, e.CustomerID, e.Status = "free_express_shipping", 15_00, jane.ID, plusone.StatusGranted
			if _, _, err := tx.AppendLedger(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	days := []time.Time{base.Add(-72 * time.Hour), base.Add(-48 * time.Hour), base, base.Add(3 * time.Hour)}
	end := base.Add(24 * time.Hour)
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		all, err := tx.SpendByDay(ctx, days, end, "")
		if err != nil {
			return err
		}
		// Day 1 holds a's 15; day 2 (base to +3h) b's 4 and d's 10; day 3
		// (+3h to +24h) e's refund; c charged nothing.
		want := []plusone.DaySpend{{Day: 1, Agent: "U0ANA", Team: "frontline", Amount: 15_00},
			{Day: 2, Agent: "U0ANA", Team: "frontline", Amount: 4_00}, {Day: 2, Agent: "U0BEN", Amount: 10_00},
			{Day: 3, Agent: "U0BEN", Amount: -10_00}}
		if len(all) != len(want) {
			t.Fatalf("spend by day = %+v", all)
		}
		for i := range want {
			if all[i] != want[i] {
				t.Errorf("spend by day [%d] = %+v, want %+v", i, all[i], want[i])
			}
		}
		ana, err := tx.SpendByDay(ctx, days, end, "U0ANA")
		if err != nil {
			return err
		}
		if len(ana) != 2 || ana[0] != want[0] || ana[1] != want[1] {
			t.Errorf("U0ANA's spend by day = %+v", ana)
		}
		if none, err := tx.SpendByDay(ctx, nil, end, ""); err != nil || none != nil {
			t.Errorf("no days: %v %v", none, err)
		}
		return nil
	}))
}

package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testDigest covers what the supervisors' digest and the agents' feedback
// read: tickets and touchpoints of a period across customers, and agents'
// own settings.
func testDigest(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	score := 2
	update(t, s, func(tx plusone.Tx) error {
		for i, c := range []*plusone.Customer{jane, bob, jane, bob} {
			if err := tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: fmt.Sprint("T-", i),
				Subject: "Where is my order?", Tags: []string{"shipping"}}, Source: plusone.SourceGeneric, CustomerID: c.ID,
				CreatedAt: base.Add(time.Duration(i) * time.Hour), UpdatedAt: base}); err != nil {
				return err
			}
		}
		for i, k := range []plusone.TouchpointKind{plusone.TouchFeedback, plusone.TouchOrder, plusone.TouchCart} {
			tp := &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceGeneric, Kind: k, DedupeKey: fmt.Sprint("tp", i),
				OccurredAt: base.Add(time.Duration(i) * time.Hour)}
			if k == plusone.TouchFeedback {
				tp.Score, tp.Scale = &score, plusone.ScaleCSAT
			}
			if _, err := tx.AddTouchpoint(ctx, tp); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		// [base+1h, base+3h): T-1 and T-2, oldest first.
		tickets, err := tx.TicketsCreated(ctx, base.Add(time.Hour), base.Add(3*time.Hour), 10)
		if err != nil {
			return err
		}
		if len(tickets) != 2 || tickets[0].ID != "T-1" || tickets[1].ID != "T-2" || tickets[0].CustomerID != bob.ID ||
			len(tickets[1].Tags) != 1 || tickets[1].Subject != "Where is my order?" {
			t.Errorf("tickets created = %+v", tickets)
		}
		if few, err := tx.TicketsCreated(ctx, base, base.Add(time.Hour*4), 3); err != nil || len(few) != 3 {
			t.Errorf("limit 3: %d tickets, %v", len(few), err)
		}
		tps, err := tx.TouchpointsBetween(ctx, base, base.Add(3*time.Hour),
			[]plusone.TouchpointKind{plusone.TouchFeedback, plusone.TouchCart}, 10)
		if err != nil {
			return err
		}
		if len(tps) != 2 || tps[0].Kind != plusone.TouchFeedback || tps[0].Score == nil || *tps[0].Score != 2 || tps[1].Kind != plusone.TouchCart {
			t.Errorf("touchpoints between = %+v", tps)
		}
		if none, err := tx.TouchpointsBetween(ctx, base, base.Add(time.Hour), nil, 10); err != nil || len(none) != 0 {
			t.Errorf("no kinds: %v, %v", none, err)
		}
		return nil
	}))

	// Settings: unset reads "", a second set replaces the first, agents
	// and names are apart.
	update(t, s, func(tx plusone.Tx) error {
		if v, err := tx.AgentSetting(ctx, "U1", plusone.AgentFeedbackSetting); err != nil || v != "" {
			t.Errorf("unset setting = %q, %v", v, err)
		}
		if err := tx.SetAgentSetting(ctx, "U1", plusone.AgentFeedbackSetting, "off", base); err != nil {
			return err
		}
		return tx.SetAgentSetting(ctx, "U2", plusone.AgentFeedbackSetting, "off", base)
	})
	update(t, s, func(tx plusone.Tx) error {
		return tx.SetAgentSetting(ctx, "U1", plusone.AgentFeedbackSetting, "on", base.Add(time.Hour))
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for agent, want := range map[string]string{"U1": "on", "U2": "off", "U3": ""} {
			if v, err := tx.AgentSetting(ctx, agent, plusone.AgentFeedbackSetting); err != nil || v != want {
				t.Errorf("%s: setting = %q, %v; want %q", agent, v, err, want)
			}
		}
		if v, err := tx.AgentSetting(ctx, "U1", "other"); err != nil || v != "" {
			t.Errorf("another name = %q, %v", v, err)
		}
		return nil
	}))
}

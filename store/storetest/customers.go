package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testCustomers(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	if jane.ID == 0 || jane.ID == bob.ID {
		t.Fatalf("ids %d %d", jane.ID, bob.ID)
	}
	nine := 9
	update(t, s, func(tx plusone.Tx) error {
		got, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: plusone.IdentityEmail, Value: "jane@example.com"})
		if err != nil {
			return err
		}
		if got.ID != jane.ID || got.Name != "Jane Doe" || got.Profile.Tier != plusone.TierNew || !got.CreatedAt.Equal(base) {
			t.Errorf("by email = %+v", got)
		}
		if err := tx.AddIdentity(ctx, jane.ID, plusone.Identity{Kind: "shopify", Value: "42"}, base); err != nil {
			return err
		}
		if err := tx.AddIdentity(ctx, jane.ID, plusone.Identity{Kind: "shopify", Value: "42"}, base); err != nil {
			t.Errorf("linking twice: %v", err)
		}
		err = tx.AddIdentity(ctx, bob.ID, plusone.Identity{Kind: "shopify", Value: "42"}, base)
		if plusone.ErrorCode(err) != plusone.ECONFLICT {
			t.Errorf("stealing an identity: %v, want conflict", err)
		}
		got.Phone = "+1 555 0100"
		got.CreatedAt = base.Add(-48 * time.Hour)
		got.Profile = plusone.Profile{Orders: 3, LifetimeValue: 420_00, Currency: "USD", FirstSeen: base,
			LastSeen: base.Add(time.Hour), OpenTickets: 1, Tier: plusone.TierLoyal, NPS: &nine}
		return tx.UpdateCustomer(ctx, got)
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "shopify", Value: "42"})
		if err != nil {
			return err
		}
		p := got.Profile
		if got.ID != jane.ID || got.Phone != "+1 555 0100" || !got.CreatedAt.Equal(base.Add(-48*time.Hour)) || p.Orders != 3 || p.LifetimeValue != 420_00 ||
			p.Tier != plusone.TierLoyal || p.NPS == nil || *p.NPS != 9 || p.CSAT != nil || !p.LastSeen.Equal(base.Add(time.Hour)) {
			t.Errorf("after update = %+v", got)
		}
		ids, err := tx.Identities(ctx, jane.ID)
		if err != nil {
			return err
		}
		if len(ids) != 2 {
			t.Errorf("identities = %+v", ids)
		}
		if _, err := tx.Customer(ctx, 99999); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("missing customer: %v", err)
		}
		if _, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "nobody@example.com"}); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("missing identity: %v", err)
		}
		return nil
	}))
	// Preferences: set, replace, list.
	update(t, s, func(tx plusone.Tx) error {
		for _, p := range []plusone.Preference{
			{Key: "contact", Value: "email", Origin: "generic", UpdatedAt: base},
			{Key: "size", Value: "M", Origin: "agent:U1", UpdatedAt: base},
			{Key: "contact", Value: "email, mornings", Origin: "generic", UpdatedAt: base.Add(time.Hour)},
		} {
			if err := tx.SetPreference(ctx, jane.ID, p); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		prefs, err := tx.Preferences(ctx, jane.ID)
		if err != nil {
			return err
		}
		if len(prefs) != 2 || prefs[0].Key != "contact" || prefs[0].Value != "email, mornings" || prefs[1].Origin != "agent:U1" {
			t.Errorf("preferences = %+v", prefs)
		}
		return nil
	}))
}

func testMerge(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	stub := newCustomer(t, s, "", "")
	update(t, s, func(tx plusone.Tx) error {
		steps := []error{
			tx.AddIdentity(ctx, stub.ID, plusone.Identity{Kind: "zendesk", Value: "777"}, base),
			tx.SetPreference(ctx, jane.ID, plusone.Preference{Key: "contact", Value: "email", Origin: "generic"}),
			tx.SetPreference(ctx, stub.ID, plusone.Preference{Key: "contact", Value: "phone", Origin: "zendesk"}),
			tx.SetPreference(ctx, stub.ID, plusone.Preference{Key: "language", Value: "fr", Origin: "zendesk"}),
			tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "5158", Status: "open"}, Source: plusone.SourceZendesk, CustomerID: stub.ID, CreatedAt: base}),
			tx.TouchCard(ctx, plusone.CardState{Key: "zendesk:5158", CustomerID: stub.ID, Source: plusone.SourceZendesk, TicketID: "5158", Channel: "C1"}, base),
		}
		for _, tp := range []plusone.Touchpoint{
			{CustomerID: jane.ID, Source: plusone.SourceShopify, Kind: plusone.TouchOrder, DedupeKey: "order:1", OccurredAt: base},
			{CustomerID: stub.ID, Source: plusone.SourceZendesk, Kind: plusone.TouchTicketOpened, DedupeKey: "ticket:5158", OccurredAt: base.Add(time.Hour)},
		} {
			_, err := tx.AddTouchpoint(ctx, &tp)
			steps = append(steps, err)
		}
		return errors.Join(steps...)
	})
	update(t, s, func(tx plusone.Tx) error { return tx.MergeCustomers(ctx, jane.ID, stub.ID, "same requester", base) })
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		if _, err := tx.Customer(ctx, stub.ID); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("merged customer still there: %v", err)
		}
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "zendesk", Value: "777"})
		if err != nil || c.ID != jane.ID {
			t.Errorf("identity after merge: %v %v", c, err)
		}
		tl, err := tx.Timeline(ctx, jane.ID, 10)
		if err != nil || len(tl) != 2 {
			t.Errorf("timeline after merge: %d %v", len(tl), err)
		}
		prefs, err := tx.Preferences(ctx, jane.ID)
		if err != nil || len(prefs) != 2 || prefs[0].Value != "email" || prefs[1].Value != "fr" {
			t.Errorf("preferences after merge: %+v %v", prefs, err)
		}
		tk, err := tx.Ticket(ctx, plusone.SourceZendesk, "5158")
		if err != nil || tk.CustomerID != jane.ID {
			t.Errorf("ticket after merge: %+v %v", tk, err)
		}
		card, err := tx.Card(ctx, "zendesk:5158")
		if err != nil || card.CustomerID != jane.ID {
			t.Errorf("card after merge: %+v %v", card, err)
		}
		return nil
	}))
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.MergeCustomers(ctx, jane.ID, jane.ID, "", base) }); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("self-merge: %v", err)
	}
}

func testSplit(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	update(t, s, func(tx plusone.Tx) error {
		errs := []error{
			tx.AddIdentity(ctx, jane.ID, plusone.Identity{Kind: "zendesk", Value: "777"}, base),
			tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "5158", Status: "open"}, Source: plusone.SourceZendesk, CustomerID: jane.ID, CreatedAt: base}),
			tx.SaveOrder(ctx, &plusone.OrderRecord{Order: plusone.Order{ID: "1", Total: 10_00}, Source: plusone.SourceShopify, CustomerID: jane.ID}),
		}
		_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceZendesk, Kind: plusone.TouchTicketOpened, DedupeKey: "ticket:5158:opened", OccurredAt: base})
		return errors.Join(append(errs, err)...)
	})
	var split int64
	update(t, s, func(tx plusone.Tx) error {
		var err error
		split, err = tx.SplitIdentity(ctx, jane.ID, plusone.Identity{Kind: "zendesk", Value: "777"}, "different person", base)
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "zendesk", Value: "777"})
		if err != nil || c.ID != split || c.ID == jane.ID {
			t.Errorf("split identity owner = %+v %v", c, err)
		}
		tk, err := tx.Ticket(ctx, plusone.SourceZendesk, "5158")
		if err != nil || tk.CustomerID != split {
			t.Errorf("zendesk ticket after split = %+v %v", tk, err)
		}
		o, err := tx.Order(ctx, plusone.SourceShopify, "1")
		if err != nil || o.CustomerID != jane.ID {
			t.Errorf("shopify order moved by a zendesk split: %+v %v", o, err)
		}
		tl, err := tx.Timeline(ctx, split, 10)
		if err != nil || len(tl) != 1 {
			t.Errorf("timeline of the split customer: %d %v", len(tl), err)
		}
		merges, err := tx.Merges(ctx, jane.ID)
		if err != nil || len(merges) != 1 || merges[0].Kind != "split" || merges[0].Identity != "zendesk:777" || merges[0].From != split {
			t.Errorf("split not recorded: %+v %v", merges, err)
		}
		return nil
	}))
	// A customer's last identity cannot be split off; nor someone else's.
	for _, tc := range []struct {
		customer int64
		id       plusone.Identity
	}{{jane.ID, plusone.Identity{Kind: "email", Value: "jane@example.com"}}, {jane.ID, plusone.Identity{Kind: "zendesk", Value: "777"}}} {
		err := s.Update(ctx, func(tx plusone.Tx) error {
			_, err := tx.SplitIdentity(ctx, tc.customer, tc.id, "", base)
			return err
		})
		if plusone.ErrorCode(err) != plusone.EINVALID {
			t.Errorf("split %v of %d: %v, want invalid", tc.id, tc.customer, err)
		}
	}
}

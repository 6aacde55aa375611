package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testTimeline(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	score := 9
	update(t, s, func(tx plusone.Tx) error {
		for i := range 7 {
			tp := &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceShopify, Kind: plusone.TouchOrder,
				Ref: fmt.Sprint(1000 + i), DedupeKey: fmt.Sprintf("order:%d", 1000+i), OccurredAt: base.Add(time.Duration(i) * time.Hour),
				Summary: fmt.Sprintf("Order #%d", 1000+i), Amount: 10_00, Currency: "USD"}
			added, err := tx.AddTouchpoint(ctx, tp)
			if err != nil || !added || tp.ID == 0 {
				return fmt.Errorf("add %d: added=%v %w", i, added, err)
			}
		}
		// A duplicate reported later changes nothing; one reported earlier
		// moves the touchpoint to the earlier time.
		added, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceShopify,
			Kind: plusone.TouchOrder, DedupeKey: "order:1003", OccurredAt: base.Add(5 * time.Hour), Summary: "later"})
		if err != nil || added {
			t.Errorf("duplicate touchpoint added=%v err=%v", added, err)
		}
		added, err = tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceShopify,
			Kind: plusone.TouchOrder, DedupeKey: "order:1003", OccurredAt: base.Add(-time.Minute), Summary: "Order #1003 (earlier)"})
		if err != nil || added {
			t.Errorf("earlier duplicate added=%v err=%v", added, err)
		}
		_, err = tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceGeneric,
			Kind: plusone.TouchFeedback, DedupeKey: "feedback:1", OccurredAt: base.Add(-time.Hour), Score: &score, Scale: plusone.ScaleNPS})
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		tl, err := tx.Timeline(ctx, jane.ID, 5)
		if err != nil {
			return err
		}
		if len(tl) != 5 || tl[0].Ref != "1006" || tl[3].Ref != "1002" || tl[4].Ref != "1001" || tl[0].Amount != 10_00 || tl[0].Summary != "Order #1006" {
			t.Errorf("timeline = %+v", tl)
		}
		all, err := tx.Timeline(ctx, jane.ID, 100)
		if err != nil {
			return err
		}
		moved := all[len(all)-2]
		if moved.Ref != "1003" || !moved.OccurredAt.Equal(base.Add(-time.Minute)) || moved.Summary != "Order #1003 (earlier)" {
			t.Errorf("earlier duplicate did not move the touchpoint: %+v", moved)
		}
		last := all[len(all)-1]
		if len(all) != 8 || last.Kind != plusone.TouchFeedback || last.Score == nil || *last.Score != 9 || last.Scale != plusone.ScaleNPS {
			t.Errorf("oldest = %+v (of %d)", last, len(all))
		}
		return nil
	}))

	// Tickets, orders and carts round-trip and upsert.
	completed := base.Add(2 * time.Hour)
	update(t, s, func(tx plusone.Tx) error {
		tk := &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "T-1", Subject: "Where is my order?", URL: "https://h/T-1",
			Status: "open", Tags: []string{"shipping", "vip"}, Brand: "Acme", Priority: "high", Channel: "email",
			Assignee: "Ana Agent", Organization: "Acme Corp", Plan: "Gold", Fields: map[string]string{"Order ID": "#1001", "Région": "Île-de-France"}},
			Source: plusone.SourceGeneric, CustomerID: jane.ID, CreatedAt: base, UpdatedAt: base, WaitingSince: base}
		o := &plusone.OrderRecord{Order: plusone.Order{ID: "1001", Name: "#1001", Total: 420_00, Currency: "USD",
			Status: plusone.OrderOpen, CheckoutToken: "tok", CreatedAt: base,
			Items: []plusone.LineItem{{Title: "All-season tire", Quantity: 4, Price: 105_00}}},
			Source: plusone.SourceShopify, CustomerID: jane.ID, UpdatedAt: base}
		c := &plusone.CartRecord{Cart: plusone.Cart{ID: "c-77", Total: 89_00, Currency: "USD", URL: "https://shop/c-77",
			UpdatedAt: base, Abandoned: true}, Source: plusone.SourceGeneric, CustomerID: jane.ID, CreatedAt: base}
		if err := errors.Join(tx.SaveTicket(ctx, tk), tx.SaveOrder(ctx, o), tx.SaveCart(ctx, c)); err != nil {
			return err
		}
		tk.Status, tk.WaitingSince = "solved", time.Time{}
		tk.Assignee = "Sam Support"
		o.Status = plusone.OrderFulfilled
		c.CompletedAt = completed
		return errors.Join(tx.SaveTicket(ctx, tk), tx.SaveOrder(ctx, o), tx.SaveCart(ctx, c))
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		tk, err := tx.Ticket(ctx, plusone.SourceGeneric, "T-1")
		if err != nil {
			return err
		}
		if tk.Status != "solved" || len(tk.Tags) != 2 || tk.Tags[1] != "vip" || !tk.WaitingSince.IsZero() ||
			tk.Subject != "Where is my order?" || tk.Brand != "Acme" || tk.Channel != "email" || !tk.CreatedAt.Equal(base) {
			t.Errorf("ticket = %+v", tk)
		}
		if tk.Assignee != "Sam Support" || tk.Organization != "Acme Corp" || tk.Plan != "Gold" ||
			len(tk.Fields) != 2 || tk.Fields["Order ID"] != "#1001" || tk.Fields["Région"] != "Île-de-France" {
			t.Errorf("ticket facts = %q %q %q %v", tk.Assignee, tk.Organization, tk.Plan, tk.Fields)
		}
		o, err := tx.Order(ctx, plusone.SourceShopify, "1001")
		if err != nil {
			return err
		}
		if o.Status != plusone.OrderFulfilled || len(o.Items) != 1 || o.Items[0].Price != 105_00 || o.CheckoutToken != "tok" {
			t.Errorf("order = %+v", o)
		}
		c, err := tx.Cart(ctx, plusone.SourceGeneric, "c-77")
		if err != nil {
			return err
		}
		if !c.CompletedAt.Equal(completed) || !c.Abandoned || c.Total != 89_00 || c.Items == nil {
			t.Errorf("cart = %+v", c)
		}
		tickets, err := tx.Tickets(ctx, jane.ID, 10)
		if err != nil || len(tickets) != 1 {
			t.Errorf("tickets = %+v %v", tickets, err)
		}
		contacts, err := tx.TicketContacts(ctx, jane.ID, 10)
		if want := []plusone.TicketContact{{Source: plusone.SourceGeneric, Channel: "email", CreatedAt: base}}; err != nil ||
			len(contacts) != 1 || contacts[0].Source != want[0].Source || contacts[0].Channel != want[0].Channel ||
			!contacts[0].CreatedAt.Equal(base) {
			t.Errorf("ticket contacts = %+v %v, want %+v", contacts, err, want)
		}
		orders, err := tx.Orders(ctx, jane.ID, 10)
		if err != nil || len(orders) != 1 {
			t.Errorf("orders = %+v %v", orders, err)
		}
		carts, err := tx.Carts(ctx, jane.ID, 10)
		if err != nil || len(carts) != 1 {
			t.Errorf("carts = %+v %v", carts, err)
		}
		return nil
	}))
	// Contacts come newest first, ties by ticket ID, as Tickets lists them.
	update(t, s, func(tx plusone.Tx) error {
		for i, id := range []string{"T-2", "T-3", "T-4"} {
			at := base.Add(time.Duration(min(i, 1)) * time.Hour) // T-3 and T-4 at the same time
			if err := tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: id, Status: "open", Channel: "chat"},
				Source: plusone.SourceZendesk, CustomerID: jane.ID, CreatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		tickets, err := tx.Tickets(ctx, jane.ID, 3)
		if err != nil {
			return err
		}
		contacts, err := tx.TicketContacts(ctx, jane.ID, 3)
		if err != nil {
			return err
		}
		var got, want []string
		for _, c := range contacts {
			got = append(got, fmt.Sprint(c.Source, " ", c.Channel, " ", c.CreatedAt.UTC().Format(time.RFC3339)))
		}
		for _, tk := range tickets {
			want = append(want, fmt.Sprint(tk.Source, " ", tk.Channel, " ", tk.CreatedAt.UTC().Format(time.RFC3339)))
		}
		if len(got) != 3 || !slices.Equal(got, want) || tickets[0].ID != "T-4" || tickets[1].ID != "T-3" {
			t.Errorf("contacts %q, want %q (tickets %s, %s first)", got, want, tickets[0].ID, tickets[1].ID)
		}
		for _, e := range []error{
			func() error { _, err := tx.Ticket(ctx, plusone.SourceZendesk, "T-1"); return err }(),
			func() error { _, err := tx.Order(ctx, plusone.SourceShopify, "9"); return err }(),
			func() error { _, err := tx.Cart(ctx, plusone.SourceShopify, "9"); return err }(),
		} {
			if !errors.Is(e, plusone.ErrNotFound) {
				t.Errorf("missing object: %v", e)
			}
		}
		return nil
	}))
}

func testProfile(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	early := base.Add(-30 * 24 * time.Hour)
	update(t, s, func(tx plusone.Tx) error {
		var errs []error
		for _, o := range []plusone.Order{
			{ID: "1", Total: 100_00, Currency: "USD", Status: plusone.OrderFulfilled, CreatedAt: early},
			{ID: "2", Total: 250_50, Refunded: 50_50, Currency: "USD", Status: plusone.OrderOpen, CreatedAt: base},
			{ID: "3", Total: 999_00, Currency: "USD", Status: plusone.OrderCancelled, CreatedAt: base},
		} {
			errs = append(errs, tx.SaveOrder(ctx, &plusone.OrderRecord{Order: o, Source: plusone.SourceShopify, CustomerID: jane.ID}))
		}
		for _, tk := range []plusone.TicketRecord{
			{Ticket: plusone.Ticket{ID: "a", Status: "open"}}, {Ticket: plusone.Ticket{ID: "b", Status: "pending"}},
			{Ticket: plusone.Ticket{ID: "c", Status: "solved"}},
		} {
			tk.Source, tk.CustomerID, tk.CreatedAt = plusone.SourceZendesk, jane.ID, base
			errs = append(errs, tx.SaveTicket(ctx, &tk))
		}
		for i, fb := range []struct {
			score int
			scale string
		}{{6, plusone.ScaleNPS}, {10, plusone.ScaleNPS}, {2, plusone.ScaleCSAT}} {
			score := fb.score
			_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: jane.ID, Source: plusone.SourceGeneric,
				Kind: plusone.TouchFeedback, DedupeKey: fmt.Sprint("fb", i), OccurredAt: base.Add(time.Duration(i) * time.Hour),
				Score: &score, Scale: fb.scale})
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		p, err := tx.ProfileFacts(ctx, jane.ID)
		if err != nil {
			return err
		}
		if p.Orders != 2 || p.LifetimeValue != 300_00 || p.Currency != "USD" || p.OpenTickets != 2 {
			t.Errorf("profile = %+v", p)
		}
		if p.NPS == nil || *p.NPS != 10 || p.CSAT == nil || *p.CSAT != 2 {
			t.Errorf("latest feedback nps=%v csat=%v", p.NPS, p.CSAT)
		}
		if !p.FirstSeen.Equal(early) || !p.LastSeen.Equal(base.Add(2*time.Hour)) {
			t.Errorf("first %v last %v", p.FirstSeen, p.LastSeen)
		}
		return nil
	}))
	// View is read-only on every implementation.
	if err := s.View(ctx, func(tx plusone.Tx) error {
		return tx.CreateCustomer(ctx, &plusone.Customer{Name: "x"})
	}); err == nil {
		t.Error("a write inside View succeeded")
	}
}

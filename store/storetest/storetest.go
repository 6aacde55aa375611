// Package storetest is the conformance suite of plusone.Store: every
// implementation (store/sqlite, store/postgres) must pass it. Call Run from
// the implementation's tests with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// Opener returns a new, empty, migrated store; the suite closes it.
type Opener func(t *testing.T) plusone.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Inbox", func(t *testing.T) { testInbox(t, open) })
	t.Run("InboxConcurrency", func(t *testing.T) { testInboxConcurrency(t, open) })
	t.Run("InboxBatchIDs", func(t *testing.T) { testInboxBatchIDs(t, open) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, open) })
	t.Run("Timeline", func(t *testing.T) { testTimeline(t, open) })
	t.Run("Profile", func(t *testing.T) { testProfile(t, open) })
	t.Run("Cards", func(t *testing.T) { testCards(t, open) })
	t.Run("CardsConcurrency", func(t *testing.T) { testCardsConcurrency(t, open) })
	t.Run("CardDoubt", func(t *testing.T) { testCardDoubt(t, open) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open) })
	t.Run("Memory", func(t *testing.T) { testMemory(t, open) })
	t.Run("NameSearch", func(t *testing.T) { testNameSearch(t, open) })
	t.Run("Split", func(t *testing.T) { testSplit(t, open) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, open) })
	t.Run("LedgerConcurrency", func(t *testing.T) { testLedgerConcurrency(t, open) })
	t.Run("Locks", func(t *testing.T) { testLocks(t, open) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open) })
	t.Run("Instances", func(t *testing.T) { testInstancesSuite(t, open) })
	t.Run("Deadlines", func(t *testing.T) { testDeadlines(t, open) })
}

// base is a fixed instant the suite's clocks start from; stores keep
// microseconds, so it has none below.
var base = time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)

func newStore(t *testing.T, open Opener) (plusone.Store, context.Context) {
	t.Helper()
	s := open(t)
	t.Cleanup(func() { s.Close() })
	return s, context.Background()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func update(t *testing.T, s plusone.Store, fn func(tx plusone.Tx) error) {
	t.Helper()
	must(t, s.Update(context.Background(), fn))
}

func raw(source plusone.Source, key string) *plusone.RawEvent {
	return &plusone.RawEvent{
		Source: source, DedupeKey: key, Body: []byte(`{"id":"` + key + `"}`),
		Headers: map[string][]string{"Content-Type": {"application/json"}}, ReceivedAt: base,
	}
}

func claim(t *testing.T, s plusone.Store, worker string, limit int, now time.Time) []*plusone.RawEvent {
	t.Helper()
	evs, err := s.ClaimEvents(context.Background(), plusone.Claim{Worker: worker, Limit: limit, Lease: time.Minute, Now: now})
	must(t, err)
	return evs
}

func testInbox(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)

	a := raw(plusone.SourceGeneric, "evt_1")
	dup, err := s.AppendEvent(ctx, a)
	must(t, err)
	if dup || a.ID == 0 {
		t.Fatalf("first append: dup=%v id=%d", dup, a.ID)
	}
	again := raw(plusone.SourceGeneric, "evt_1")
	again.Body = []byte(`{"changed":true}`)
	dup, err = s.AppendEvent(ctx, again)
	must(t, err)
	if !dup || again.ID != a.ID {
		t.Fatalf("redelivery: dup=%v id=%d, want dup with id %d", dup, again.ID, a.ID)
	}
	other := raw(plusone.SourceShopify, "evt_1") // same key, other source: a different event
	dup, err = s.AppendEvent(ctx, other)
	must(t, err)
	if dup {
		t.Fatal("same key from another source counted as duplicate")
	}
	b := raw(plusone.SourceGeneric, "evt_2")
	_, err = s.AppendEvent(ctx, b)
	must(t, err)

	evs := claim(t, s, "w1", 10, base)
	if len(evs) != 3 {
		t.Fatalf("claimed %d events, want 3", len(evs))
	}
	if evs[0].ID != a.ID || string(evs[0].Body) != `{"id":"evt_1"}` || evs[0].Attempts != 1 {
		t.Errorf("first claimed = %+v; want the original body, attempt 1", evs[0])
	}
	if evs[0].Headers.Get("Content-Type") != "application/json" || !evs[0].ReceivedAt.Equal(base) {
		t.Errorf("headers/received not kept: %+v", evs[0])
	}
	if more := claim(t, s, "w2", 10, base.Add(30*time.Second)); len(more) != 0 {
		t.Fatalf("leased events claimed again: %d", len(more))
	}

	// Complete a; retry other; park b.
	update(t, s, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, a.ID, "w1", base) })
	must(t, s.RetryEvent(ctx, other.ID, "w1", base.Add(10*time.Minute), "slack down"))
	must(t, s.ParkEvent(ctx, b.ID, "w1", "cannot parse"))
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, b.ID, "w1", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("completing a parked event: %v, want ErrLeaseLost", err)
	}

	if evs := claim(t, s, "w2", 10, base.Add(5*time.Minute)); len(evs) != 0 {
		t.Fatalf("claimed %d before run_after", len(evs))
	}
	evs = claim(t, s, "w2", 10, base.Add(11*time.Minute))
	if len(evs) != 1 || evs[0].ID != other.ID || evs[0].Attempts != 2 || evs[0].LastError != "slack down" {
		t.Fatalf("after run_after claimed %+v, want the retried event at attempt 2", evs)
	}
	// The lease expires: another worker takes it; the first one's completion fails.
	evs = claim(t, s, "w3", 10, base.Add(13*time.Minute))
	if len(evs) != 1 || evs[0].Attempts != 3 {
		t.Fatalf("expired lease not reclaimable: %+v", evs)
	}
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, other.ID, "w2", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker completed: %v", err)
	}
	if err := s.RetryEvent(ctx, other.ID, "w2", base, "x"); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker retried: %v", err)
	}
	must(t, s.ReleaseEvents(ctx, "w3"))
	evs = claim(t, s, "w4", 10, base.Add(13*time.Minute))
	if len(evs) != 1 {
		t.Fatalf("released event not claimable at once: %d", len(evs))
	}

	parked, err := s.ParkedEvents(ctx, 10)
	must(t, err)
	if len(parked) != 1 || parked[0].ID != b.ID || parked[0].LastError != "cannot parse" || parked[0].State != plusone.RawParked {
		t.Errorf("parked = %+v", parked)
	}
	st, err := s.InboxStats(ctx)
	must(t, err)
	if st != (plusone.InboxStats{Pending: 1, Done: 1, Parked: 1}) {
		t.Errorf("stats = %+v", st)
	}
	// A duplicate of a done event is still a duplicate.
	dup, err = s.AppendEvent(ctx, raw(plusone.SourceGeneric, "evt_1"))
	must(t, err)
	if !dup {
		t.Error("redelivery of a processed event not a duplicate")
	}
}

func testInboxConcurrency(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	const n = 60
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := map[string]int{}
	for i := range n * 3 { // every event three times, concurrently
		wg.Go(func() {
			ev := raw(plusone.SourceGeneric, fmt.Sprintf("evt_%d", i%n))
			dup, err := s.AppendEvent(ctx, ev)
			if err != nil {
				t.Error(err)
				return
			}
			if !dup {
				mu.Lock()
				fresh[ev.DedupeKey]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(fresh) != n {
		t.Fatalf("%d distinct events stored, want %d", len(fresh), n)
	}
	for k, c := range fresh {
		if c != 1 {
			t.Errorf("%s stored %d times", k, c)
		}
	}
	// Concurrent claimers never get the same event.
	seen := map[int64]string{}
	for w := range 6 {
		wg.Go(func() {
			worker := fmt.Sprintf("w%d", w)
			for {
				evs, err := s.ClaimEvents(ctx, plusone.Claim{Worker: worker, Limit: 3, Lease: time.Hour, Now: base})
				if err != nil {
					t.Error(err)
					return
				}
				if len(evs) == 0 {
					return
				}
				mu.Lock()
				for _, ev := range evs {
					if prev, ok := seen[ev.ID]; ok {
						t.Errorf("event %d claimed by %s and %s", ev.ID, prev, worker)
					}
					seen[ev.ID] = worker
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d events, want %d", len(seen), n)
	}
}

func newCustomer(t *testing.T, s plusone.Store, name, email string) *plusone.Customer {
	t.Helper()
	c := &plusone.Customer{Name: name, Email: email, CreatedAt: base}
	update(t, s, func(tx plusone.Tx) error {
		if err := tx.CreateCustomer(context.Background(), c); err != nil {
			return err
		}
		if email == "" {
			return nil
		}
		return tx.AddIdentity(context.Background(), c.ID, plusone.Identity{Kind: plusone.IdentityEmail, Value: email}, base)
	})
	return c
}

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
			Status: "open", Tags: []string{"shipping", "vip"}, Brand: "Acme", Priority: "high", Channel: "email"},
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
		orders, err := tx.Orders(ctx, jane.ID, 10)
		if err != nil || len(orders) != 1 {
			t.Errorf("orders = %+v %v", orders, err)
		}
		carts, err := tx.Carts(ctx, jane.ID, 10)
		if err != nil || len(carts) != 1 {
			t.Errorf("carts = %+v %v", carts, err)
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

func cardClaim(t *testing.T, s plusone.Store, worker string, now time.Time) []*plusone.CardState {
	t.Helper()
	cards, err := s.ClaimCards(context.Background(), plusone.Claim{Worker: worker, Limit: 10, Lease: time.Minute, Now: now})
	must(t, err)
	return cards
}

func testCards(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	ref := plusone.CardState{Key: "zendesk:1", CustomerID: jane.ID, Source: plusone.SourceZendesk, TicketID: "1", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })

	cards := cardClaim(t, s, "d1", base)
	if len(cards) != 1 || cards[0].Key != "zendesk:1" || cards[0].Version != 1 || cards[0].TS != "" || cards[0].Channel != "C1" {
		t.Fatalf("claimed %+v", cards)
	}
	if again := cardClaim(t, s, "d2", base); len(again) != 0 {
		t.Fatal("leased card claimed twice")
	}
	// A change while the card is being posted: it stays due after delivery.
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	must(t, s.CardDelivered(ctx, "zendesk:1", "d1", "C1", "1700000000.000100", 1))
	cards = cardClaim(t, s, "d1", base)
	if len(cards) != 1 || cards[0].Version != 2 || cards[0].Delivered != 1 || cards[0].TS != "1700000000.000100" {
		t.Fatalf("after a change: %+v", cards)
	}
	must(t, s.CardDelivered(ctx, "zendesk:1", "d1", "C9", "other", 2))
	if cards := cardClaim(t, s, "d1", base); len(cards) != 0 {
		t.Fatalf("delivered card still due: %+v", cards)
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Card(ctx, "zendesk:1")
		if err != nil {
			return err
		}
		if c.TS != "1700000000.000100" || c.Channel != "C1" {
			t.Errorf("a posted card's ts and channel changed: %+v", c)
		}
		return nil
	}))

	// Retry and failure.
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	cards = cardClaim(t, s, "d1", base)
	must(t, s.RetryCard(ctx, cards[0].Key, "d1", base.Add(time.Minute), "rate limited", false))
	if cards := cardClaim(t, s, "d1", base.Add(30*time.Second)); len(cards) != 0 {
		t.Fatal("claimed before run_after")
	}
	cards = cardClaim(t, s, "d1", base.Add(time.Minute))
	if len(cards) != 1 || cards[0].Attempts != 2 || cards[0].LastError != "rate limited" {
		t.Fatalf("retried card = %+v", cards)
	}
	must(t, s.FailCard(ctx, cards[0].Key, "d1", "channel_not_found"))
	if cards := cardClaim(t, s, "d1", base.Add(time.Hour)); len(cards) != 0 {
		t.Fatal("failed card claimed")
	}
	pending, failed, err := s.CardStats(ctx)
	must(t, err)
	if pending != 0 || failed != 1 {
		t.Errorf("stats pending=%d failed=%d", pending, failed)
	}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base.Add(2*time.Hour)) })
	cards = cardClaim(t, s, "d1", base.Add(2*time.Hour))
	if len(cards) != 1 || cards[0].Attempts != 1 {
		t.Fatalf("failed card not revived by a change: %+v", cards)
	}
	// Lease lost: the ts is still kept when the card had none.
	second := plusone.CardState{Key: "zendesk:2", CustomerID: jane.ID, Source: plusone.SourceZendesk, TicketID: "2", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, second, base) })
	cardClaim(t, s, "slow", base.Add(3*time.Hour))
	cardClaim(t, s, "fast", base.Add(4*time.Hour))
	if err := s.CardDelivered(ctx, "zendesk:2", "slow", "C1", "111.222", 1); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale delivery: %v", err)
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Card(ctx, "zendesk:2")
		if err != nil {
			return err
		}
		if c.TS != "111.222" {
			t.Errorf("ts of a stale delivery lost: %+v", c)
		}
		list, err := tx.CardsOfCustomer(ctx, jane.ID, 10)
		if err != nil || len(list) != 2 {
			t.Errorf("cards of customer = %+v %v", list, err)
		}
		return nil
	}))
	must(t, s.ReleaseCards(ctx, "fast"))
	if cards := cardClaim(t, s, "d3", base.Add(4*time.Hour)); len(cards) != 2 {
		t.Errorf("released cards claimable: %d, want 2", len(cards))
	}
}

func testCardsConcurrency(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	const n = 40
	var wg sync.WaitGroup
	for i := range n * 3 {
		wg.Go(func() {
			ref := plusone.CardState{Key: fmt.Sprintf("generic:%d", i%n), CustomerID: jane.ID, Source: plusone.SourceGeneric,
				TicketID: fmt.Sprint(i % n), Channel: "C1"}
			if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var mu sync.Mutex
	seen := map[string]bool{}
	for w := range 4 {
		wg.Go(func() {
			for {
				cards, err := s.ClaimCards(ctx, plusone.Claim{Worker: fmt.Sprint("d", w), Limit: 2, Lease: time.Hour, Now: base})
				if err != nil {
					t.Error(err)
					return
				}
				if len(cards) == 0 {
					return
				}
				mu.Lock()
				for _, c := range cards {
					if seen[c.Key] || c.Version != 3 {
						t.Errorf("card %s claimed twice or version %d", c.Key, c.Version)
					}
					seen[c.Key] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d cards, want %d", len(seen), n)
	}
}

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

// testCardDoubt: a card is in doubt when an earlier attempt may have posted
// it (it died, or ended in an error after which Slack may have posted).
func testCardDoubt(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	ref := plusone.CardState{Key: "generic:1", CustomerID: jane.ID, Source: plusone.SourceGeneric, TicketID: "1", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	at := base
	next := func(want bool, why string) *plusone.CardState {
		t.Helper()
		at = at.Add(time.Hour) // past any lease
		cards := cardClaim(t, s, "d", at)
		if len(cards) != 1 {
			t.Fatalf("%s: claimed %d cards", why, len(cards))
		}
		if cards[0].InDoubt != want {
			t.Errorf("%s: InDoubt = %v, want %v", why, cards[0].InDoubt, want)
		}
		return cards[0]
	}
	next(false, "first claim")
	must(t, s.RetryCard(ctx, ref.Key, "d", at, "ratelimited", false))
	next(false, "after a failure that surely did not post")
	must(t, s.RetryCard(ctx, ref.Key, "d", at, "timeout", true))
	next(true, "after a failure that may have posted")
	must(t, s.RetryCard(ctx, ref.Key, "d", at, "ratelimited", false))
	next(false, "after a sure failure again")
	// The worker dies: its lease expires and the next claim is in doubt.
	next(true, "after a lost lease")
	must(t, s.CardDelivered(ctx, ref.Key, "d", "C1", "1.2", 1))
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, at) })
	next(false, "a posted card")
}

func testJobs(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	enqueue := func(key string, at time.Time) bool {
		t.Helper()
		var added bool
		update(t, s, func(tx plusone.Tx) error {
			var err error
			added, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: "backfill", Key: key, Payload: []byte(`{"customer":1}`)}, at)
			return err
		})
		return added
	}
	if !enqueue("backfill:1:zendesk", base) || enqueue("backfill:1:zendesk", base) {
		t.Fatal("a job key must be enqueued exactly once")
	}
	enqueue("backfill:1:shopify", base.Add(time.Minute))
	claimJobs := func(worker string, at time.Time) []*plusone.Job {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, "backfill", plusone.Claim{Worker: worker, Limit: 10, Lease: time.Minute, Now: at})
		must(t, err)
		return jobs
	}
	if jobs, _ := s.ClaimJobs(ctx, "other", plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: base.Add(time.Hour)}); len(jobs) != 0 {
		t.Fatal("claimed jobs of another kind")
	}
	jobs := claimJobs("w1", base)
	if len(jobs) != 1 || jobs[0].Key != "backfill:1:zendesk" || string(jobs[0].Payload) != `{"customer":1}` || jobs[0].Attempts != 1 {
		t.Fatalf("claimed %+v", jobs)
	}
	if again := claimJobs("w2", base.Add(30*time.Second)); len(again) != 0 {
		t.Fatal("leased job claimed twice")
	}
	first := jobs[0]
	must(t, s.RetryJob(ctx, first.ID, "w1", base.Add(5*time.Minute), "429"))
	jobs = claimJobs("w2", base.Add(2*time.Minute))
	if len(jobs) != 1 || jobs[0].Key != "backfill:1:shopify" {
		t.Fatalf("due jobs = %+v", jobs)
	}
	must(t, s.ParkJob(ctx, jobs[0].ID, "w2", "unauthorized"))
	jobs = claimJobs("w3", base.Add(6*time.Minute))
	if len(jobs) != 1 || jobs[0].ID != first.ID || jobs[0].Attempts != 2 || jobs[0].LastError != "429" {
		t.Fatalf("retried job = %+v", jobs)
	}
	if err := s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, first.ID, "w1", base) }); !errors.Is(err, plusone.ErrLeaseLost) {
		t.Errorf("stale worker completed a job: %v", err)
	}
	update(t, s, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, first.ID, "w3", base) })
	if enqueue("backfill:1:zendesk", base.Add(time.Hour)) {
		t.Error("a done job's key was enqueued again")
	}
	pending, parked, err := s.JobStats(ctx, "backfill")
	must(t, err)
	if pending != 0 || parked != 1 {
		t.Errorf("stats pending=%d parked=%d", pending, parked)
	}
	enqueue("backfill:2:zendesk", base)
	claimJobs("w4", base.Add(7*time.Minute))
	must(t, s.ReleaseJobs(ctx, "w4"))
	if jobs := claimJobs("w5", base.Add(7*time.Minute)); len(jobs) != 1 {
		t.Errorf("released job not claimable: %d", len(jobs))
	}
	// The same key from many goroutines: one job.
	var wg sync.WaitGroup
	var addedN atomic.Int32
	for range 20 {
		wg.Go(func() {
			err := s.Update(ctx, func(tx plusone.Tx) error {
				added, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: "backfill", Key: "backfill:3:zendesk"}, base)
				if added {
					addedN.Add(1)
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if addedN.Load() != 1 {
		t.Errorf("concurrent enqueues added %d jobs", addedN.Load())
	}
}

func testMemory(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	janet := newCustomer(t, s, "Janet O'Neil", "janet@example.com")
	newCustomer(t, s, "Bob Jansen", "bob@example.com")
	newCustomer(t, s, "50%_off Shop", "shop@example.com")
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for q, want := range map[string][]string{
			"jane@example.com":  {"Jane Doe"},
			" JANE@example.COM": {"Jane Doe"},
			"jan":               {"Bob Jansen", "Jane Doe", "Janet O'Neil"},
			"JANE":              {"Jane Doe", "Janet O'Neil"},
			"o'ne":              {"Janet O'Neil"},
			"doe":               {"Jane Doe"},
			"nobody@x.com":      nil,
			"50%":               {"50%_off Shop"},
			"%":                 nil,
			"_":                 nil,
			"":                  nil,
		} {
			got, err := tx.FindCustomers(ctx, q, 10)
			if err != nil {
				return err
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if fmt.Sprint(names) != fmt.Sprint(want) {
				t.Errorf("FindCustomers(%q) = %v, want %v", q, names, want)
			}
		}
		got, err := tx.FindCustomers(ctx, "jan", 2)
		if err != nil || len(got) != 2 {
			t.Errorf("limit: %d %v", len(got), err)
		}
		return nil
	}))
	update(t, s, func(tx plusone.Tx) error {
		for i, text := range []string{"prefers email", "allergic to calls", "VIP since 2020"} {
			n := &plusone.Note{CustomerID: jane.ID, Author: "U0ANA", Text: text, Via: plusone.NoteViaCommand,
				CreatedAt: base.Add(time.Duration(i) * time.Hour)}
			if err := tx.AddNote(ctx, n); err != nil || n.ID == 0 {
				return fmt.Errorf("note %d: %v", n.ID, err)
			}
		}
		if err := tx.AddNote(ctx, &plusone.Note{CustomerID: janet.ID, Author: "U0BEN", Text: "other", Link: "https://slack/x", CreatedAt: base}); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, "U0ANA", jane.ID, "noted", base); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, "U0ANA", janet.ID, "looked up", base.Add(time.Hour)); err != nil {
			return err
		}
		return tx.TouchAgent(ctx, "U0ANA", jane.ID, "looked up", base.Add(2*time.Hour))
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		notes, err := tx.Notes(ctx, jane.ID, 2)
		if err != nil {
			return err
		}
		if len(notes) != 2 || notes[0].Text != "VIP since 2020" || notes[0].Author != "U0ANA" || notes[0].Via != plusone.NoteViaCommand ||
			!notes[0].CreatedAt.Equal(base.Add(2*time.Hour)) {
			t.Errorf("notes = %+v", notes)
		}
		mine, err := tx.NotesBy(ctx, "U0BEN", 10)
		if err != nil || len(mine) != 1 || mine[0].Link != "https://slack/x" || mine[0].CustomerID != janet.ID {
			t.Errorf("notes by U0BEN = %+v %v", mine, err)
		}
		recent, err := tx.RecentCustomers(ctx, "U0ANA", 10)
		if err != nil {
			return err
		}
		if len(recent) != 2 || recent[0].Customer.ID != jane.ID || recent[0].What != "looked up" || recent[1].Customer.Name != "Janet O'Neil" {
			t.Errorf("recent = %+v", recent)
		}
		return nil
	}))
	// Notes and the agents' history follow a merge.
	update(t, s, func(tx plusone.Tx) error { return tx.MergeCustomers(ctx, janet.ID, jane.ID, "same person", base) })
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		notes, err := tx.Notes(ctx, janet.ID, 10)
		if err != nil || len(notes) != 4 {
			t.Errorf("notes after merge: %d %v", len(notes), err)
		}
		recent, err := tx.RecentCustomers(ctx, "U0ANA", 10)
		if err != nil || len(recent) != 1 || recent[0].Customer.ID != janet.ID {
			t.Errorf("recent after merge: %+v %v", recent, err)
		}
		merges, err := tx.Merges(ctx, janet.ID)
		if err != nil || len(merges) != 1 || merges[0].Kind != "merge" || merges[0].From != jane.ID || merges[0].Reason != "same person" {
			t.Errorf("merges = %+v %v", merges, err)
		}
		return nil
	}))
	// The card posted as a Slack message is found by it.
	ref := plusone.CardState{Key: "zendesk:9", CustomerID: janet.ID, Source: plusone.SourceZendesk, TicketID: "9", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	cards := cardClaim(t, s, "d", base)
	must(t, s.CardDelivered(ctx, cards[0].Key, "d", "C1", "1700.1", 1))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CardAt(ctx, "C1", "1700.1")
		if err != nil || c.Key != "zendesk:9" {
			t.Errorf("CardAt = %+v %v", c, err)
		}
		if _, err := tx.CardAt(ctx, "C1", "9999.9"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("CardAt unknown: %v", err)
		}
		return nil
	}))
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

func entry(customer int64, gesture string, status plusone.LedgerStatus, charge plusone.Money, at time.Time) *plusone.LedgerEntry {
	return &plusone.LedgerEntry{Gesture: gesture, Title: gesture, Kind: "shipping", Value: 15_00, Currency: "USD", Charge: charge,
		CustomerID: customer, Agent: "U0ANA", Team: "frontline", Status: status, By: "U0ANA", TicketKey: "zendesk:1", CreatedAt: at}
}

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
		}
		for scope, want := range map[[2]string]plusone.Money{
			{"agent", "U0ANA"}: 15_00, {"team", "frontline"}: 15_00, {"customer", fmt.Sprint(jane.ID)}: 15_00, {"customer", fmt.Sprint(bob.ID)}: 0,
		} {
			got, err := tx.Spent(ctx, scope[0], scope[1], base.Add(-time.Hour))
			if err != nil || got != want {
				t.Errorf("spent %v = %v (%v), want %v", scope, got, err, want)
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

package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

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

// A change to a card Slack already shows queues behind the cards that were
// due before it, a new ticket's first of all; it does not jump ahead by the
// time its card was first made.
func testCardQueue(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	old := plusone.CardState{Key: "zendesk:1", CustomerID: jane.ID, Source: plusone.SourceZendesk, TicketID: "1", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, old, base) })
	cards := cardClaim(t, s, "d1", base)
	must(t, s.CardDelivered(ctx, cards[0].Key, "d1", "C1", "1700000000.000100", cards[0].Version))

	fresh := plusone.CardState{Key: "zendesk:2", CustomerID: jane.ID, Source: plusone.SourceZendesk, TicketID: "2", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, fresh, base.Add(time.Hour)) })
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, old, base.Add(2*time.Hour)) })
	var order []string
	for range 2 {
		got, err := s.ClaimCards(ctx, plusone.Claim{Worker: "d1", Limit: 1, Lease: time.Minute, Now: base.Add(3 * time.Hour)})
		must(t, err)
		if len(got) != 1 {
			t.Fatalf("claimed %d cards, want 1", len(got))
		}
		order = append(order, got[0].Key)
		must(t, s.CardDelivered(ctx, got[0].Key, "d1", "C1", "1700000000.000200", got[0].Version))
	}
	if order[0] != "zendesk:2" || order[1] != "zendesk:1" {
		t.Errorf("cards claimed in the order %v, want the new ticket's first, then the change made after it", order)
	}

	// A card waiting out a backoff keeps it when it changes again.
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, old, base.Add(4*time.Hour)) })
	cards = cardClaim(t, s, "d1", base.Add(4*time.Hour))
	must(t, s.RetryCard(ctx, cards[0].Key, "d1", base.Add(5*time.Hour), "rate limited", false))
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, old, base.Add(4*time.Hour)) })
	if cards := cardClaim(t, s, "d1", base.Add(4*time.Hour+time.Minute)); len(cards) != 0 {
		t.Errorf("a change cut a card's backoff short: %+v", cards)
	}
}

// A background refresh (another ticket of hers opened or closed) waits
// behind every due card with a change of its own, even one due later; a
// change of its own makes a waiting refresh the card's own again, in the
// place it had; a refresh leaves a waiting change of its own as it was.
func testCardBackground(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	card := func(id string) plusone.CardState {
		return plusone.CardState{Key: "zendesk:" + id, CustomerID: jane.ID, Source: plusone.SourceZendesk, TicketID: id, Channel: "C1"}
	}
	touch := func(c plusone.CardState, background bool, at time.Duration) {
		t.Helper()
		c.Background = background
		update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, c, base.Add(at)) })
	}
	// deliver claims and delivers every due card, one at a time, and
	// returns their keys and classes in the order claimed.
	deliver := func(now time.Duration) []string {
		t.Helper()
		var order []string
		for {
			got, err := s.ClaimCards(ctx, plusone.Claim{Worker: "d", Limit: 1, Lease: time.Minute, Now: base.Add(now)})
			must(t, err)
			if len(got) == 0 {
				return order
			}
			c := got[0]
			order = append(order, fmt.Sprintf("%s/%v", c.Key, c.Background))
			must(t, s.CardDelivered(ctx, c.Key, "d", "C1", "1700000000."+c.TicketID, c.Version))
		}
	}
	for i, id := range []string{"1", "2", "3", "4"} {
		touch(card(id), false, time.Duration(i)*time.Minute)
	}
	deliver(time.Hour)

	touch(card("1"), true, 2*time.Hour)              // a refresh
	touch(card("5"), false, 3*time.Hour)             // a new ticket, due later
	touch(card("2"), true, 2*time.Hour)              // a refresh...
	touch(card("2"), false, 4*time.Hour)             // ...then a change of its own
	touch(card("3"), false, 2*time.Hour+time.Minute) // a change of its own...
	touch(card("3"), true, 5*time.Hour)              // ...then a refresh
	touch(card("4"), true, 90*time.Minute)           // a refresh, due first of all
	got := deliver(6 * time.Hour)
	want := []string{"zendesk:2/false", "zendesk:3/false", "zendesk:5/false", "zendesk:4/true", "zendesk:1/true"}
	if !slices.Equal(got, want) {
		t.Errorf("cards claimed in the order %v, want %v", got, want)
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

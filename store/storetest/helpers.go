package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

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
	settle(t, s)
	evs, err := s.ClaimEvents(context.Background(), plusone.Claim{Worker: worker, Limit: limit, Lease: time.Minute, Now: now})
	must(t, err)
	return evs
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

func cardClaim(t *testing.T, s plusone.Store, worker string, now time.Time) []*plusone.CardState {
	t.Helper()
	cards, err := s.ClaimCards(context.Background(), plusone.Claim{Worker: worker, Limit: 10, Lease: time.Minute, Now: now})
	must(t, err)
	return cards
}

func entry(customer int64, gesture string, status plusone.LedgerStatus, charge plusone.Money, at time.Time) *plusone.LedgerEntry {
	return &plusone.LedgerEntry{Gesture: gesture, Title: gesture, Kind: "shipping", Value: 15_00, Currency: "USD", Charge: charge,
		CustomerID: customer, Agent: "U0ANA", Team: "frontline", Status: status, By: "U0ANA", TicketKey: "zendesk:1", CreatedAt: at}
}

// settle has a store that takes webhooks into a spool (sqlstore's
// spooled) move them into its inbox, so that what the test appended can be
// claimed, counted or erased at once.
func settle(t *testing.T, s plusone.Store) {
	t.Helper()
	if st, ok := s.(interface{ Settle(context.Context) error }); ok {
		must(t, st.Settle(context.Background()))
	}
}

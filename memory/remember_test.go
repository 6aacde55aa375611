package memory_test

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/store/sqlite"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func testStore(t testing.TB) plusone.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testWriter(policy *plusone.Policy) memory.Writer {
	return memory.Writer{Policy: func() *plusone.Policy { return policy }, DefaultChannel: "CDEFAULT"}
}

// remember remembers evs in one transaction and returns the customer of the last.
func remember(t *testing.T, s plusone.Store, a memory.Writer, evs ...plusone.Event) int64 {
	t.Helper()
	var id int64
	err := s.Update(context.Background(), func(tx plusone.Tx) error {
		for _, e := range evs {
			cust, _, err := a.Remember(context.Background(), tx, e, t0)
			if err != nil {
				return err
			}
			id = cust.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func jane() plusone.CustomerRef {
	return plusone.CustomerRef{Email: "Jane@Example.com ", Name: "Jane Doe"}
}

func order(id string, total plusone.Money, at time.Time) plusone.Event {
	return plusone.Event{Source: plusone.SourceShopify, ID: "o" + id, Type: plusone.EventOrderCreated, OccurredAt: at,
		Customer: plusone.CustomerRef{Email: "jane@example.com", ExternalID: "6147"},
		Order:    &plusone.Order{ID: id, Name: "#" + id, Total: total, Currency: "USD", CreatedAt: at, CheckoutToken: "chk-" + id}}
}

func ticketEvent(typ plusone.EventType, id, status string, at time.Time) plusone.Event {
	return plusone.Event{Source: plusone.SourceGeneric, ID: string(typ) + id + status + at.String(), Type: typ, OccurredAt: at,
		Customer: jane(),
		Ticket:   &plusone.Ticket{ID: id, Subject: "Where is my order?", URL: "https://help/" + id, Status: status}}
}

func card(t *testing.T, s plusone.Store, key string, p *plusone.Policy, now time.Time) *plusone.ContextCard {
	t.Helper()
	var c *plusone.ContextCard
	err := s.View(context.Background(), func(tx plusone.Tx) error {
		var err error
		c, err = memory.LoadCard(context.Background(), tx, key, p, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApplyJourney(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	ctx := context.Background()

	remember(t, s, a, order("1001", 120_00, t0.Add(-72*time.Hour)), order("1002", 100_00, t0.Add(-48*time.Hour)))
	remember(t, s, a, plusone.Event{Source: plusone.SourceShopify, ID: "chk", Type: plusone.EventCheckoutUpdated,
		OccurredAt: t0.Add(-3 * time.Hour), Customer: plusone.CustomerRef{Email: "jane@example.com"},
		Cart: &plusone.Cart{ID: "cart-9", Total: 89_00, Currency: "USD", URL: "https://shop/cart-9", UpdatedAt: t0.Add(-3 * time.Hour)}})
	id := remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "T-1", "open", t0))

	c := card(t, s, "generic:T-1", p, t0)
	cust := c.View.Customer
	if cust.ID != id || cust.Name != "Jane Doe" || cust.Email != "jane@example.com" {
		t.Fatalf("customer = %+v", cust)
	}
	if cust.Profile.Orders != 2 || cust.Profile.LifetimeValue != 220_00 || cust.Profile.Tier != plusone.TierSatisfied {
		t.Errorf("profile after 2 orders = %+v", cust.Profile)
	}
	if !plusone.Has(c.Signals, plusone.SignalAbandonedCart) {
		t.Errorf("no abandoned cart signal: %+v", c.Signals)
	}
	if len(c.View.Timeline) != 4 || c.View.Timeline[0].Kind != plusone.TouchTicketOpened {
		t.Errorf("timeline = %+v", c.View.Timeline)
	}
	var cs *plusone.CardState
	must(t, s.View(ctx, func(tx plusone.Tx) error { var err error; cs, err = tx.Card(ctx, "generic:T-1"); return err }))
	if cs.Channel != "CDEFAULT" || cs.Version != 1 {
		t.Errorf("card state = %+v", cs)
	}

	// A third order makes her loyal, completes the checkout and refreshes her open card.
	remember(t, s, a, order("1003", 90_00, t0.Add(time.Hour)))
	c = card(t, s, "generic:T-1", p, t0.Add(2*time.Hour))
	if c.View.Customer.Profile.Tier != plusone.TierLoyal || c.View.Customer.Profile.Orders != 3 {
		t.Errorf("after third order: %+v", c.View.Customer.Profile)
	}
	if plusone.Has(c.Signals, plusone.SignalAbandonedCart) {
		t.Errorf("abandoned cart still signalled after an order: %+v", c.Signals)
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error { var err error; cs, err = tx.Card(ctx, "generic:T-1"); return err }))
	if cs.Version != 2 {
		t.Errorf("open card not refreshed by the order: version %d", cs.Version)
	}
}

func TestAbandonedCartDelay(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	p.Signals.AbandonedCartAfter = 2 * time.Hour
	a := testWriter(p)
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "T-1", "open", t0),
		plusone.Event{Source: plusone.SourceShopify, ID: "chk", Type: plusone.EventCheckoutUpdated, OccurredAt: t0,
			Customer: plusone.CustomerRef{Email: "jane@example.com"},
			Cart:     &plusone.Cart{ID: "chk-7", Total: 89_00, Currency: "USD", UpdatedAt: t0}})
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"right away", t0, false},
		{"just before the delay", t0.Add(2*time.Hour - time.Second), false},
		{"at the delay", t0.Add(2 * time.Hour), true},
		{"days later", t0.Add(72 * time.Hour), true},
	}
	for _, tt := range tests {
		c := card(t, s, "generic:T-1", p, tt.now)
		if got := plusone.Has(c.Signals, plusone.SignalAbandonedCart); got != tt.want {
			t.Errorf("%s: abandoned=%v, want %v", tt.name, got, tt.want)
		}
	}
	// The order that completes the checkout clears it.
	remember(t, s, a, order("7", 89_00, t0.Add(3*time.Hour)))
	if c := card(t, s, "generic:T-1", p, t0.Add(4*time.Hour)); plusone.Has(c.Signals, plusone.SignalAbandonedCart) {
		t.Error("signal survives the completing order")
	}
}

func TestTicketEventsOutOfOrder(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	_ = p
	remember(t, s, a, ticketEvent(plusone.EventTicketUpdated, "T-2", "solved", t0.Add(time.Hour)))
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "T-2", "open", t0))
	ctx := context.Background()
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		tk, err := tx.Ticket(ctx, plusone.SourceGeneric, "T-2")
		if err != nil {
			return err
		}
		if tk.Status != "solved" || !tk.CreatedAt.Equal(t0) {
			t.Errorf("ticket = %+v; want solved, created at t0", tk)
		}
		// Learnt only once solved: no card is opened for it.
		if _, err := tx.Card(ctx, "generic:T-2"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("card of a ticket seen solved: %v", err)
		}
		return nil
	}))
}

func TestIdentitiesMerge(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	// An event-subscribed Zendesk webhook knows only the requester id.
	stub := remember(t, s, a, plusone.Event{Source: plusone.SourceZendesk, ID: "z1", Type: plusone.EventTicketCreated, OccurredAt: t0,
		Customer: plusone.CustomerRef{ExternalID: "777"}, Ticket: &plusone.Ticket{ID: "5158", Subject: "Cannot login"}})
	janeID := remember(t, s, a, order("1", 50_00, t0.Add(-time.Hour)))
	if stub == janeID {
		t.Fatal("expected two customers before the link is known")
	}
	// A trigger webhook carries both the requester id and her email: one person.
	got := remember(t, s, a, plusone.Event{Source: plusone.SourceZendesk, ID: "z2", Type: plusone.EventTicketUpdated, OccurredAt: t0.Add(time.Hour),
		Customer: plusone.CustomerRef{ExternalID: "777", Email: "jane@example.com", Name: "Jane Doe"},
		Ticket:   &plusone.Ticket{ID: "5158", Status: "pending"}})
	if got != min(stub, janeID) {
		t.Fatalf("merged into %d, want the older %d", got, min(stub, janeID))
	}
	c := card(t, s, "zendesk:5158", p, t0.Add(2*time.Hour))
	if c.View.Customer.Profile.Orders != 1 || c.View.Customer.Name != "Jane Doe" || len(c.View.Identities) != 3 {
		t.Errorf("merged view = %+v identities %+v", c.View.Customer, c.View.Identities)
	}
}

func TestRoutingAndCardTouches(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	p.Routing = []plusone.Route{
		{When: plusone.RouteMatch{Source: plusone.SourceZendesk, Tag: "vip"}, Channel: "CVIP"},
		{When: plusone.RouteMatch{Tier: plusone.TierLoyal}, Channel: "CLOYAL"},
	}
	a := testWriter(p)
	ctx := context.Background()
	remember(t, s, a, plusone.Event{Source: plusone.SourceZendesk, ID: "a", Type: plusone.EventTicketCreated, OccurredAt: t0,
		Customer: plusone.CustomerRef{Email: "vip@example.com"}, Ticket: &plusone.Ticket{ID: "1", Tags: []string{"VIP"}}})
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "2", "open", t0))
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "3", "solved", t0))
	channels := map[string]string{}
	versions := map[string]int64{}
	read := func() {
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			if _, err := tx.Card(ctx, "generic:3"); !errors.Is(err, plusone.ErrNotFound) {
				t.Errorf("a ticket first seen solved has a card: %v", err)
			}
			for _, k := range []string{"zendesk:1", "generic:2"} {
				c, err := tx.Card(ctx, k)
				if err != nil {
					return err
				}
				channels[k], versions[k] = c.Channel, c.Version
			}
			return nil
		}))
	}
	read()
	if channels["zendesk:1"] != "CVIP" || channels["generic:2"] != "CDEFAULT" {
		t.Errorf("channels = %v", channels)
	}
	// A feedback event outside any ticket refreshes only her open ticket's card.
	remember(t, s, a, plusone.Event{Source: plusone.SourceGeneric, ID: "fb", Type: plusone.EventFeedbackReceived, OccurredAt: t0.Add(time.Hour),
		Customer: jane(), Feedback: &plusone.Feedback{Score: 2, Scale: plusone.ScaleCSAT, Comment: "slow"}})
	read()
	if versions["generic:2"] != 2 || versions["zendesk:1"] != 1 {
		t.Errorf("versions after feedback = %v", versions)
	}
	c := card(t, s, "generic:2", p, t0.Add(2*time.Hour))
	if !plusone.Has(c.Signals, plusone.SignalLowCSAT) || c.View.Customer.Profile.CSAT == nil {
		t.Errorf("low csat not seen: %+v", c.Signals)
	}
}

// A sender whose clock runs ahead does not hold its ticket's card back:
// the card is due when the event was received, not at its stated time.
func TestACardIsDueWhenItsEventWasReceived(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	a := testWriter(plusone.DefaultPolicy())
	ctx := context.Background()
	received := t0
	ahead := ticketEvent(plusone.EventTicketCreated, "A", "open", received.Add(time.Hour))
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		_, _, err := a.Remember(ctx, tx, ahead, received)
		return err
	}))
	cards, err := s.ClaimCards(ctx, plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: received})
	must(t, err)
	if len(cards) != 1 || cards[0].Key != "generic:A" {
		t.Errorf("at the time it was received, the card of a ticket stated an hour later is not due: %+v", cards)
	}
}

// A ticket that opens or closes refreshes her other open tickets' cards
// (their count of open tickets and their list of the others change); an
// update that leaves it open, a ticket first seen closed, and another
// customer's ticket do not; nor does a new ticket of a customer with more
// than five others open.
func TestATicketOpeningOrClosingRefreshesHerOtherOpenCards(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	a := testWriter(plusone.DefaultPolicy())
	ctx := context.Background()
	versions := func() map[string]int64 {
		v := map[string]int64{}
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			for _, id := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I"} {
				c, err := tx.Card(ctx, "generic:"+id)
				if errors.Is(err, plusone.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				v[id] = c.Version
			}
			return nil
		}))
		return v
	}
	check := func(step string, want map[string]int64) {
		t.Helper()
		if got := versions(); !maps.Equal(got, want) {
			t.Errorf("after %s: card versions %v, want %v", step, got, want)
		}
	}
	at := t0
	event := func(typ plusone.EventType, id, status string) plusone.Event {
		at = at.Add(time.Hour)
		return ticketEvent(typ, id, status, at)
	}
	remember(t, s, a, event(plusone.EventTicketCreated, "A", "open"))
	check("her first ticket", map[string]int64{"A": 1})
	// Slack shows A's card: a refresh of it is a background one.
	posted, err := s.ClaimCards(ctx, plusone.Claim{Worker: "w", Limit: 1, Lease: time.Minute, Now: at})
	must(t, err)
	if len(posted) != 1 {
		t.Fatalf("claimed %d cards, want A's", len(posted))
	}
	must(t, s.CardDelivered(ctx, posted[0].Key, "w", "C1", "1700000000.000100", posted[0].Version))
	remember(t, s, a, event(plusone.EventTicketCreated, "B", "open"))
	check("her second ticket", map[string]int64{"A": 2, "B": 1})
	background := func(id string) bool {
		var bg bool
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			c, err := tx.Card(ctx, "generic:"+id)
			if err == nil {
				bg = c.Background
			}
			return err
		}))
		return bg
	}
	if !background("A") || background("B") {
		t.Errorf("after her second ticket: A's refresh in the background %v, B's new card %v; want true, false",
			background("A"), background("B"))
	}
	remember(t, s, a, event(plusone.EventTicketUpdated, "B", "pending"))
	check("an update that leaves the second open", map[string]int64{"A": 2, "B": 2})
	remember(t, s, a, event(plusone.EventTicketCreated, "C", "solved"))
	check("a ticket first seen solved", map[string]int64{"A": 2, "B": 2})
	other := event(plusone.EventTicketCreated, "D", "open")
	other.Customer = plusone.CustomerRef{Email: "someone.else@example.com"}
	remember(t, s, a, other)
	check("another customer's ticket", map[string]int64{"A": 2, "B": 2, "D": 1})
	c := card(t, s, "generic:A", plusone.DefaultPolicy(), at)
	if !slices.ContainsFunc(c.View.Tickets, func(tr plusone.TicketRecord) bool { return tr.ID == "B" && tr.Open() }) {
		t.Errorf("ticket A's card does not show her open ticket B: %+v", c.View.Tickets)
	}

	remember(t, s, a, event(plusone.EventTicketUpdated, "B", "solved"))
	check("the second solved", map[string]int64{"A": 3, "B": 3, "D": 1})
	remember(t, s, a, event(plusone.EventTicketUpdated, "B", "open"))
	check("the second reopened", map[string]int64{"A": 4, "B": 4, "D": 1})

	// Five others open: each new one still refreshes them all.
	for _, id := range []string{"E", "F", "G", "H"} {
		remember(t, s, a, event(plusone.EventTicketCreated, id, "open"))
	}
	check("four more", map[string]int64{"A": 8, "B": 8, "D": 1, "E": 4, "F": 3, "G": 2, "H": 1})
	// Six others open: a seventh leaves them as they were.
	remember(t, s, a, event(plusone.EventTicketCreated, "I", "open"))
	check("a seventh open ticket", map[string]int64{"A": 8, "B": 8, "D": 1, "E": 4, "F": 3, "G": 2, "H": 1, "I": 1})
	// Closing it leaves six others open: their cards, which never counted
	// it, are left as they are.
	remember(t, s, a, event(plusone.EventTicketUpdated, "I", "closed"))
	check("the seventh closed", map[string]int64{"A": 8, "B": 8, "D": 1, "E": 4, "F": 3, "G": 2, "H": 1, "I": 2})
	// Closing another leaves five: they are all refreshed again.
	remember(t, s, a, event(plusone.EventTicketUpdated, "H", "closed"))
	check("the sixth closed", map[string]int64{"A": 9, "B": 9, "D": 1, "E": 5, "F": 4, "G": 3, "H": 2, "I": 2})
}

func TestWaitingSince(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	msg := func(id string, fromCustomer bool, at time.Time) plusone.Event {
		e := ticketEvent(plusone.EventMessageReceived, "T-9", "", at)
		e.ID = id
		e.Message = &plusone.Message{ID: id, Text: "hello", FromCustomer: fromCustomer, Author: "Ana"}
		return e
	}
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "T-9", "open", t0))
	remember(t, s, a, msg("m1", false, t0.Add(time.Hour)))
	if c := card(t, s, "generic:T-9", p, t0.Add(48*time.Hour)); !c.Ticket.WaitingSince.IsZero() || plusone.Has(c.Signals, plusone.SignalLongWait) {
		t.Errorf("agent reply did not clear waiting: %+v", c.Ticket)
	}
	remember(t, s, a, msg("m2", true, t0.Add(2*time.Hour)), msg("m3", true, t0.Add(3*time.Hour)))
	c := card(t, s, "generic:T-9", p, t0.Add(30*time.Hour))
	if !c.Ticket.WaitingSince.Equal(t0.Add(2*time.Hour)) || !plusone.Has(c.Signals, plusone.SignalLongWait) {
		t.Errorf("waiting since %v, signals %+v", c.Ticket.WaitingSince, c.Signals)
	}
}

func TestApplyRejectsAnonymous(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	a := testWriter(plusone.DefaultPolicy())
	err := s.Update(context.Background(), func(tx plusone.Tx) error {
		_, _, err := a.Remember(context.Background(), tx, plusone.Event{Source: plusone.SourceGeneric, ID: "x", Type: plusone.EventTicketCreated,
			Ticket: &plusone.Ticket{ID: "1"}}, t0)
		return err
	})
	if plusone.ErrorCode(err) != plusone.EINVALID {
		t.Fatalf("anonymous event: %v", err)
	}
}

func TestRefundsAndPrivateNotes(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	remember(t, s, a, order("55", 100_00, t0), ticketEvent(plusone.EventTicketCreated, "T-5", "open", t0))
	refund := func(id string, amount plusone.Money) plusone.Event {
		return plusone.Event{Source: plusone.SourceShopify, ID: "r" + id, Type: plusone.EventOrderUpdated, OccurredAt: t0.Add(time.Hour),
			Order: &plusone.Order{ID: "55", Refunded: amount, RefundID: id, Currency: "USD"}}
	}
	// Two partial refunds add up; the same refund twice counts once.
	remember(t, s, a, refund("r1", 40_00), refund("r2", 15_00), refund("r1", 40_00))
	c := card(t, s, "generic:T-5", p, t0.Add(2*time.Hour))
	if c.View.Customer.Profile.LifetimeValue != 45_00 || c.View.Orders[0].Refunded != 55_00 {
		t.Errorf("after refunds: ltv %v, refunded %v", c.View.Customer.Profile.LifetimeValue, c.View.Orders[0].Refunded)
	}
	// A refund of an order we never saw names nobody: rejected, not guessed.
	err := s.Update(context.Background(), func(tx plusone.Tx) error {
		e := refund("r9", 5_00)
		e.Order.ID = "404"
		_, _, err := a.Remember(context.Background(), tx, e, t0)
		return err
	})
	if plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("refund of an unknown order: %v", err)
	}
	// A private note neither answers her nor counts as her message.
	note := ticketEvent(plusone.EventMessageReceived, "T-5", "", t0.Add(3*time.Hour))
	note.Message = &plusone.Message{ID: "n1", Text: "check the warehouse", Author: "Ana", Private: true}
	remember(t, s, a, note)
	c = card(t, s, "generic:T-5", p, t0.Add(3*time.Hour))
	if !c.Ticket.WaitingSince.Equal(t0) {
		t.Errorf("a private note changed waiting since: %v", c.Ticket.WaitingSince)
	}
}

func TestNoCardForATicketFirstSeenClosed(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	a := testWriter(plusone.DefaultPolicy())
	ctx := context.Background()
	remember(t, s, a, ticketEvent(plusone.EventTicketUpdated, "OLD", "solved", t0))
	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "NEW", "open", t0))
	remember(t, s, a, ticketEvent(plusone.EventTicketUpdated, "NEW", "solved", t0.Add(time.Hour)))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		if _, err := tx.Card(ctx, "generic:OLD"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("a ticket first seen solved got a card: %v", err)
		}
		c, err := tx.Card(ctx, "generic:NEW")
		if err != nil || c.Version != 2 {
			t.Errorf("the card of a ticket solved later was not updated: %+v %v", c, err)
		}
		return nil
	}))
	// Events outside any ticket refresh only the cards of open tickets.
	remember(t, s, a, plusone.Event{Source: plusone.SourceGeneric, ID: "fb", Type: plusone.EventFeedbackReceived, OccurredAt: t0.Add(2 * time.Hour),
		Customer: jane(), Feedback: &plusone.Feedback{Score: 9, Scale: plusone.ScaleNPS}})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		if c, err := tx.Card(ctx, "generic:NEW"); err != nil || c.Version != 2 {
			t.Errorf("a closed ticket's card was refreshed by an unrelated event: %+v %v", c, err)
		}
		return nil
	}))
}

// The same events delivered again add nothing to her timeline, count no
// order twice and create nobody.
func TestRedeliveryAddsNothing(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	msg := ticketEvent(plusone.EventMessageReceived, "T-1", "", t0.Add(time.Hour))
	msg.Message = &plusone.Message{ID: "m1", Text: "hello", FromCustomer: true}
	refund := order("1", 100_00, t0)
	refund.ID, refund.Order.Refunded, refund.Order.RefundID = "r", 10_00, "r1"
	events := []plusone.Event{order("1", 100_00, t0), ticketEvent(plusone.EventTicketCreated, "T-1", "open", t0), msg, refund,
		{Source: plusone.SourceGeneric, ID: "fb", Type: plusone.EventFeedbackReceived, OccurredAt: t0, Customer: jane(),
			Feedback: &plusone.Feedback{Score: 4, Scale: plusone.ScaleCSAT}}}
	id := remember(t, s, a, events...)
	first := card(t, s, "generic:T-1", p, t0.Add(2*time.Hour))
	ctx := context.Background()
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		for _, e := range events {
			cust, created, err := a.Remember(ctx, tx, e, t0)
			if err != nil {
				return err
			}
			if created || cust.ID != id {
				t.Errorf("event %s again: customer %d (created %v), want %d", e.ID, cust.ID, created, id)
			}
		}
		return nil
	}))
	again := card(t, s, "generic:T-1", p, t0.Add(2*time.Hour))
	if len(again.View.Timeline) != len(first.View.Timeline) || len(first.View.Timeline) != 5 {
		t.Errorf("timeline: %d entries, then %d again; want 5", len(first.View.Timeline), len(again.View.Timeline))
	}
	if !reflect.DeepEqual(again.View.Customer.Profile, first.View.Customer.Profile) {
		t.Errorf("profile: %+v, then %+v", first.View.Customer.Profile, again.View.Customer.Profile)
	}
	if again.View.Orders[0].Refunded != 10_00 || !again.Ticket.WaitingSince.Equal(first.Ticket.WaitingSince) {
		t.Errorf("refunded %v, waiting since %v then %v", again.View.Orders[0].Refunded, first.Ticket.WaitingSince, again.Ticket.WaitingSince)
	}
}

// A derived preference is written when its value changes, not again with
// every event that derives the same: its time is when it was first derived
// so, and an unchanged one costs the event no write.
func TestDerivedPreferenceKeepsItsTimeWhileUnchanged(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	p := plusone.DefaultPolicy()
	a := testWriter(p)
	ctx := context.Background()
	via := func(channel, id string, at time.Time) plusone.Event {
		e := ticketEvent(plusone.EventTicketCreated, id, "open", at)
		e.Ticket.Channel = channel
		return e
	}
	derived := func(id int64) plusone.Preference {
		t.Helper()
		var out plusone.Preference
		err := s.View(ctx, func(tx plusone.Tx) error {
			prefs, err := tx.Preferences(ctx, id)
			for _, pr := range prefs {
				if pr.Key == memory.PrefPreferredChannel {
					out = pr
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	id := remember(t, s, a, via("chat", "1", t0), via("chat", "2", t0.Add(time.Hour)))
	first := derived(id)
	if first.Value != "chat (Generic)" || first.Origin != memory.OriginDerived || !first.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after two chats: %+v, want chat (Generic), derived at the second", first)
	}
	remember(t, s, a, via("chat", "3", t0.Add(2*time.Hour)))
	if got := derived(id); got.Value != first.Value || !got.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("after a third chat: %+v, want it unchanged since %s", got, first.UpdatedAt)
	}
	remember(t, s, a, via("email", "4", t0.Add(3*time.Hour)), via("email", "5", t0.Add(4*time.Hour)), via("email", "6", t0.Add(5*time.Hour)))
	if got := derived(id); got.Value != "email (Generic)" || !got.UpdatedAt.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("after three emails: %+v, want email (Generic) derived at the last", got)
	}
}

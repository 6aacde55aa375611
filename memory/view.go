// Package memory is plusone's customer memory: what events tell about a
// customer, written in by Writer (remember.go: her record found, merged or
// created under her identity locks; her tickets, messages, orders, carts,
// feedback, preferences, profile and the cards to refresh), and the memory
// as agents and scripts use it: views of a customer and of a ticket's card,
// lookups, notes and preferences taken in Slack, an agent's App Home,
// merges and splits. It works through the store's transactions and keeps
// no state of its own.
package memory

import (
	"context"
	"time"

	"github.com/plusone-hq/plusone"
)

// How much of a customer's history a view carries.
const (
	viewTickets  = 20
	viewOrders   = 20
	viewCarts    = 10
	viewTimeline = 15
	viewNotes    = 5
	// maxCards bounds how many of a customer's cards one change refreshes.
	maxCards = 50
	// maxSiblingCards bounds the refresh that a ticket opening or closing
	// gives her other open tickets' cards: with up to this many, each is
	// updated (in the background: after every card with a change of its
	// own); with more, none is, and each shows the change with its own
	// next one. A customer with dozens of open tickets is most often a
	// system or a bulk sender, each of whose new tickets would otherwise
	// cost dozens of Slack updates against the channel's pace.
	maxSiblingCards = 5
)

// LoadView reads what we show about a customer.
func LoadView(ctx context.Context, tx plusone.Tx, customerID int64) (plusone.CustomerView, error) {
	v, err := LoadSignalView(ctx, tx, customerID)
	if err != nil {
		return v, err
	}
	if v.Identities, err = tx.Identities(ctx, customerID); err != nil {
		return v, err
	}
	if v.Preferences, err = tx.Preferences(ctx, customerID); err != nil {
		return v, err
	}
	if v.Notes, err = tx.Notes(ctx, customerID, viewNotes); err != nil {
		return v, err
	}
	if v.Merges, err = tx.Merges(ctx, customerID); err != nil {
		return v, err
	}
	return v, nil
}

// LoadSignalView reads the part of a customer's view that her tier and
// signals are computed from (SignalRules.Signals): the customer, her
// tickets, orders, carts and timeline, as LoadView reads them.
func LoadSignalView(ctx context.Context, tx plusone.Tx, customerID int64) (plusone.CustomerView, error) {
	var v plusone.CustomerView
	c, err := tx.Customer(ctx, customerID)
	if err != nil {
		return v, err
	}
	v.Customer = *c
	if v.Tickets, err = tx.Tickets(ctx, customerID, viewTickets); err != nil {
		return v, err
	}
	if v.Orders, err = tx.Orders(ctx, customerID, viewOrders); err != nil {
		return v, err
	}
	if v.Carts, err = tx.Carts(ctx, customerID, viewCarts); err != nil {
		return v, err
	}
	if v.Timeline, err = tx.Timeline(ctx, customerID, viewTimeline); err != nil {
		return v, err
	}
	return v, nil
}

// LoadCard assembles the context card of a ticket as of now.
func LoadCard(ctx context.Context, tx plusone.Tx, key string, policy *plusone.Policy, now time.Time) (*plusone.ContextCard, error) {
	cs, err := tx.Card(ctx, key)
	if err != nil {
		return nil, err
	}
	c, err := tx.Customer(ctx, cs.CustomerID)
	if err != nil {
		return nil, err
	}
	if !c.ErasedAt.IsZero() {
		// Her ticket is gone with the rest; the card says she was erased.
		return &plusone.ContextCard{Erased: true, Now: now,
			Ticket: plusone.TicketRecord{Ticket: plusone.Ticket{ID: cs.TicketID}, Source: cs.Source}}, nil
	}
	ticket, err := tx.Ticket(ctx, cs.Source, cs.TicketID)
	if err != nil {
		return nil, err
	}
	return newCard(ctx, tx, cs.CustomerID, *ticket, policy, now)
}

// newCard assembles the card of customer id about ticket (zero for none)
// as of now: her view, signals and the gestures the policy suggests.
func newCard(ctx context.Context, tx plusone.Tx, id int64, ticket plusone.TicketRecord, policy *plusone.Policy, now time.Time) (*plusone.ContextCard, error) {
	view, err := LoadView(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if ticket.ID == "" {
		// Her most recent open ticket stands in, or none.
		for _, t := range view.Tickets { // newest first
			if t.Open() {
				ticket = t
				break
			}
		}
	}
	card := &plusone.ContextCard{
		Ticket:   ticket,
		View:     view,
		Signals:  policy.Signals.Signals(view, now),
		Currency: policy.Currency,
		Hidden:   policy.Private,
		Facts:    plusone.CardFacts(ticket.Ticket, policy.CardFields),
		Now:      now,
	}
	return card, addGestures(ctx, tx, card, policy, now)
}

// cardGestures is how many suggestions and recent gestures a card shows.
const cardGestures = 3

// addGestures puts on a card the gestures the policy would let an agent
// offer her now, best first, and her recent gestures' outcomes (refusals
// are shown only to the agent who clicked, never on the card).
func addGestures(ctx context.Context, tx plusone.Tx, card *plusone.ContextCard, policy *plusone.Policy, now time.Time) error {
	id := card.View.Customer.ID
	recent, err := tx.Gestures(ctx, id, 2*cardGestures)
	if err != nil {
		return err
	}
	for _, e := range recent {
		if e.Status != plusone.StatusRefused && len(card.Gestures) < cardGestures {
			card.Gestures = append(card.Gestures, e)
		}
	}
	last := make(map[string]time.Time, len(policy.Gestures))
	for _, g := range policy.Gestures {
		if g.Paused {
			continue // never suggested
		}
		if last[g.ID], err = tx.LastGranted(ctx, id, g.ID); err != nil {
			return err
		}
	}
	var spent plusone.Money
	if b := policy.CustomerBudget; b != nil {
		if spent, err = tx.Spent(ctx, plusone.ScopeCustomer, plusone.CustomerBudgetKey(id), b.PeriodStart(now, policy.Location())); err != nil {
			return err
		}
	}
	// A gesture she is held out of is not suggested (issue 10: its effect
	// is measured against her); an agent may still offer it.
	assignments, err := tx.Assignments(ctx, id)
	if err != nil {
		return err
	}
	card.Suggestions = policy.WithoutHeldOut(assignments).Suggest(card.View.Customer, card.Signals, last, spent, now, cardGestures)
	return nil
}

// TouchOpenCards marks the cards of a customer's open tickets for refresh:
// a change of hers (an order, a note, a gesture) that each shows.
func TouchOpenCards(ctx context.Context, tx plusone.Tx, customerID int64, at time.Time) error {
	return touchOpenCards(ctx, tx, customerID, "", false, at)
}

// touchOpenCards marks the cards of a customer's open tickets for refresh,
// except the card whose key is except; background refreshes wait behind
// every card with a change of its own (plusone.CardState.Background).
func touchOpenCards(ctx context.Context, tx plusone.Tx, customerID int64, except string, background bool, at time.Time) error {
	cards, err := tx.CardsOfCustomer(ctx, customerID, maxCards)
	if err != nil || len(cards) == 0 {
		return err
	}
	tickets, err := tx.Tickets(ctx, customerID, maxCards)
	if err != nil {
		return err
	}
	open := map[string]bool{}
	for _, t := range tickets {
		if t.Open() {
			open[t.Key()] = true
		}
	}
	for _, c := range cards {
		if open[c.Key] && c.Key != except {
			c.Background = background
			if err := tx.TouchCard(ctx, c, at); err != nil {
				return err
			}
		}
	}
	return nil
}

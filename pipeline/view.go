package pipeline

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
)

// LoadView reads what we show about a customer.
func LoadView(ctx context.Context, tx plusone.Tx, customerID int64) (plusone.CustomerView, error) {
	var v plusone.CustomerView
	c, err := tx.Customer(ctx, customerID)
	if err != nil {
		return v, err
	}
	v.Customer = *c
	if v.Identities, err = tx.Identities(ctx, customerID); err != nil {
		return v, err
	}
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
	if v.Preferences, err = tx.Preferences(ctx, customerID); err != nil {
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
	ticket, err := tx.Ticket(ctx, cs.Source, cs.TicketID)
	if err != nil {
		return nil, err
	}
	view, err := LoadView(ctx, tx, cs.CustomerID)
	if err != nil {
		return nil, err
	}
	return &plusone.ContextCard{
		Ticket:   *ticket,
		View:     view,
		Signals:  policy.Signals.Signals(view, now),
		Currency: policy.Currency,
		Hidden:   policy.Private,
		Now:      now,
	}, nil
}

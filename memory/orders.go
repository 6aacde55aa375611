package memory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// recordOrder folds an event's order into the one we have, or starts it,
// puts it (and its refunds and status changes) on her timeline, and closes
// the checkout it came from.
func recordOrder(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	if e.Order == nil || e.Order.ID == "" {
		return nil
	}
	rec, err := foldOrder(ctx, tx, customerID, e, at)
	if err != nil {
		return err
	}
	if err := tx.SaveOrder(ctx, rec); err != nil {
		return err
	}
	if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrder, Ref: e.Order.ID,
		DedupeKey: "order:" + e.Order.ID + ":created", OccurredAt: rec.CreatedAt, URL: rec.URL,
		Amount: rec.Total, Currency: rec.Currency, Summary: orderSummary(rec.Order),
	}); err != nil {
		return err
	}
	if rec.CheckoutToken == "" {
		return nil
	}
	return completeCart(ctx, tx, e.Source, rec.CheckoutToken, rec.CreatedAt)
}

// foldOrder returns the order we have with e folded in, or the order e
// tells of for the first time; the caller saves it.
func foldOrder(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) (*plusone.OrderRecord, error) {
	rec, err := tx.Order(ctx, e.Source, e.Order.ID)
	switch {
	case errors.Is(err, plusone.ErrNotFound):
		return newOrder(ctx, tx, customerID, e, at)
	case err != nil:
		return nil, err
	}
	if err := updateOrder(ctx, tx, rec, customerID, e, at); err != nil {
		return nil, err
	}
	return rec, nil
}

// newOrder is the record of an order first seen in e.
func newOrder(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) (*plusone.OrderRecord, error) {
	rec := &plusone.OrderRecord{Order: *e.Order, Source: e.Source, CustomerID: customerID, UpdatedAt: at}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = at
	}
	if e.Order.RefundID == "" {
		return rec, nil
	}
	// One refund of an order seen first through it: counted once, by its
	// id, like any other.
	rec.Refunded = 0
	if err := recordRefund(ctx, tx, customerID, e, rec, at); err != nil {
		return nil, err
	}
	return rec, nil
}

// updateOrder folds e into an order we have: she owns it (she may have
// been merged), newer information wins, a refund is added, gaps are
// filled, and a change of status goes on her timeline.
func updateOrder(ctx context.Context, tx plusone.Tx, rec *plusone.OrderRecord, customerID int64, e plusone.Event, at time.Time) error {
	in := *e.Order
	prev := rec.Status
	rec.CustomerID = customerID
	if !at.Before(rec.UpdatedAt) {
		newerOrder(rec, in, at)
	}
	if err := recordRefund(ctx, tx, customerID, e, rec, at); err != nil {
		return err
	}
	fill(&rec.Name, in.Name)
	fill(&rec.URL, in.URL)
	fill(&rec.Currency, in.Currency)
	fill(&rec.CheckoutToken, in.CheckoutToken)
	if rec.Status == prev || rec.Status == "" {
		return nil
	}
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrderUpdated, Ref: in.ID,
		DedupeKey: "order:" + in.ID + ":" + rec.Status, OccurredAt: at, URL: rec.URL,
		Summary: fmt.Sprintf("Order %s %s", rec.Order.DisplayName(), rec.Status),
	})
	return err
}

// newerOrder takes what an event as new as at or newer says of an order:
// its status, total and items, where it says them.
func newerOrder(rec *plusone.OrderRecord, in plusone.Order, at time.Time) {
	rec.UpdatedAt = at
	if in.Status != "" {
		rec.Status = in.Status
	}
	if in.Total != 0 {
		rec.Total = in.Total
	}
	if len(in.Items) > 0 {
		rec.Items = in.Items
	}
}

// recordRefund records what an event says was refunded: one refund, added
// once per refund id, or the order's refunded total.
func recordRefund(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, rec *plusone.OrderRecord, at time.Time) error {
	in := e.Order
	if in.Refunded <= 0 {
		return nil
	}
	if in.RefundID == "" {
		rec.Refunded = max(rec.Refunded, in.Refunded)
		return nil
	}
	currency := orDefault(in.Currency, rec.Currency)
	added, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrderUpdated, Ref: in.ID,
		DedupeKey: "refund:" + in.RefundID, OccurredAt: at, URL: rec.URL,
		Amount: in.Refunded, Currency: currency,
		Summary: fmt.Sprintf("Refund of %s on order %s", in.Refunded.Format(currency), rec.Order.DisplayName()),
	})
	if err != nil {
		return err
	}
	if added {
		rec.Refunded += in.Refunded
	}
	return nil
}

// completeCart closes the checkout an order came from.
func completeCart(ctx context.Context, tx plusone.Tx, source plusone.Source, id string, at time.Time) error {
	cart, err := tx.Cart(ctx, source, id)
	if errors.Is(err, plusone.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !cart.CompletedAt.IsZero() {
		return nil
	}
	cart.CompletedAt = at
	return tx.SaveCart(ctx, cart)
}

// recordCart folds an event's checkout into the one we have, or starts
// it, and puts it on her timeline: started, then abandoned.
func recordCart(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	if e.Cart == nil || e.Cart.ID == "" {
		return nil
	}
	in := *e.Cart
	if in.UpdatedAt.IsZero() {
		in.UpdatedAt = at
	}
	rec, err := tx.Cart(ctx, e.Source, in.ID)
	switch {
	case errors.Is(err, plusone.ErrNotFound):
		rec = &plusone.CartRecord{Cart: in, Source: e.Source, CustomerID: customerID, CreatedAt: at}
	case err != nil:
		return err
	default:
		foldCart(rec, in, customerID)
	}
	if err := tx.SaveCart(ctx, rec); err != nil {
		return err
	}
	kind, verb := "started", "Started checkout"
	if rec.Abandoned {
		kind, verb = "abandoned", "Abandoned cart"
	}
	_, err = tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchCart, Ref: in.ID,
		DedupeKey: "cart:" + in.ID + ":" + kind, OccurredAt: rec.UpdatedAt, URL: rec.URL,
		Amount: rec.Total, Currency: rec.Currency,
		Summary: fmt.Sprintf("%s %s", verb, rec.Total.Format(rec.Currency)),
	})
	return err
}

// foldCart folds a checkout as an event tells it into the one we have: a
// newer state replaces ours but never reopens a completed or abandoned
// cart; an older one only tells when it was completed, if we did not know.
func foldCart(rec *plusone.CartRecord, in plusone.Cart, customerID int64) {
	rec.CustomerID = customerID
	if in.UpdatedAt.Before(rec.UpdatedAt) {
		if rec.CompletedAt.IsZero() {
			rec.CompletedAt = in.CompletedAt
		}
		return
	}
	completed, abandoned := rec.CompletedAt, rec.Abandoned
	rec.Cart = in
	if rec.CompletedAt.IsZero() {
		rec.CompletedAt = completed
	}
	rec.Abandoned = rec.Abandoned || abandoned
}

func orderSummary(o plusone.Order) string {
	s := fmt.Sprintf("Order %s · %s", o.DisplayName(), o.Total.Format(o.Currency))
	if len(o.Items) > 0 {
		it := o.Items[0]
		item := it.Title
		if it.Quantity > 1 {
			item = fmt.Sprintf("%d× %s", it.Quantity, it.Title)
		}
		if len(o.Items) > 1 {
			item += fmt.Sprintf(" +%d more", len(o.Items)-1)
		}
		s += " · " + clip(item, 80)
	}
	return s
}

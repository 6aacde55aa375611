// Package pipeline turns stored webhook deliveries into customer memory: a
// worker claims raw events, normalises them through their integration and
// has the memory remember them (memory.Writer) in one transaction per
// delivery, which also marks the delivery done; a customer seen for the
// first time gets her history back-filled from the vendors' APIs.
package pipeline

import (
	"context"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// Applier applies normalised events inside a store transaction.
type Applier struct {
	// Policy returns the policy in force (tiers, routing).
	Policy func() *plusone.Policy
	// DefaultChannel receives cards no routing rule claims.
	DefaultChannel string
	// History lists the sources whose API can back-fill a new customer's
	// past; a back-fill job per source is enqueued when she is first seen.
	History []plusone.Source
	// Applied, when set, is called in the transaction after each live
	// event is remembered, with her ID and the event's time (agents'
	// feedback looks there for customers coming back).
	Applied func(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error
}

// LockIdentities locks the identities of every event a transaction is
// about to apply, in one call, before it applies the first
// (memory.LockIdentities): a transaction applying several events must call
// it first; a lone event needs nothing.
func LockIdentities(ctx context.Context, tx plusone.Tx, events []plusone.Event) error {
	return memory.LockIdentities(ctx, tx, events)
}

// Apply records e for its customer (memory.Writer.Remember) and returns her
// ID; she is back-filled if e is the first we hear of her. received stands
// in for the event's time when the source gives none.
func (a *Applier) Apply(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (int64, error) {
	cust, created, err := a.writer().Remember(ctx, tx, e, received)
	if err != nil {
		return 0, err
	}
	if created {
		if err := a.enqueueBackfill(ctx, tx, cust, e, received); err != nil {
			return 0, err
		}
	}
	if a.Applied != nil {
		at := e.OccurredAt
		if at.IsZero() {
			at = received
		}
		if err := a.Applied(ctx, tx, cust.ID, e, at.UTC()); err != nil {
			return 0, err
		}
	}
	return cust.ID, nil
}

// ApplyHistory records a back-filled event (memory.Writer.RememberPast):
// like Apply, but it makes no card for a past ticket, does not treat old
// messages as waiting for an answer, and back-fills nobody. The caller
// refreshes her cards once the whole history is in (memory.TouchOpenCards).
func (a *Applier) ApplyHistory(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (int64, error) {
	cust, _, err := a.writer().RememberPast(ctx, tx, e, received)
	if err != nil {
		return 0, err
	}
	return cust.ID, nil
}

func (a *Applier) writer() memory.Writer {
	return memory.Writer{Policy: a.Policy, DefaultChannel: a.DefaultChannel}
}

package plusone

import (
	"context"
	"time"
)

// HistoryQuery names a customer whose past we fetch from a vendor's API.
type HistoryQuery struct {
	Email string
	// ExternalID is the vendor's own id of her, when known (then Email may
	// be empty).
	ExternalID string
	// Since bounds the history: nothing older is returned.
	Since time.Time
	// Limit bounds how many objects (tickets, conversations, orders) are
	// returned in all. An object may give several events, which count as
	// one: a rated ticket its ticket and its rating, an order its refunds.
	Limit int
}

// History fetches a customer's past from a vendor's API (tickets,
// conversations, orders) so that her timeline starts before plusone was
// installed. Implementations live beside the webhooks in integrations/*.
//
// The events must describe the same objects the vendor's webhooks do, with
// the same ids and types (a past ticket is EventTicketCreated with its
// Ticket.ID, a past order EventOrderCreated with its Order.ID), so that a
// back-filled item and a webhook of the same object are recorded once.
type History interface {
	Source() Source
	// History returns her past, newest first, the events of at most q.Limit
	// objects, none before q.Since; an object's later events may follow it
	// (an order's refunds, which must not be applied before their order).
	// A customer the vendor does not know gives no events and no error.
	// Rate limits are honoured inside (waiting for Retry-After); the error
	// is returned only when the history cannot be had now.
	History(ctx context.Context, q HistoryQuery) ([]Event, error)
}

// Enricher completes an event from a vendor's API before it is applied,
// e.g. the requester's email and name, which Zendesk's event payloads lack.
type Enricher interface {
	Source() Source
	// Enrich fills what it can into e. It returns an error only for a
	// transient failure worth retrying; a customer it cannot find is no
	// error.
	Enrich(ctx context.Context, e *Event) error
}

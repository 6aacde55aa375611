package memory

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// Writer writes what events tell into the customer memory, inside the
// caller's transaction: the customer found, merged or created under her
// identity locks, her timeline, tickets, orders, carts and preferences, her
// profile and tier, and the cards that must show the change.
//
// Locks are taken in the order of plusone's lock keys: an event's
// identities, then its customer. A transaction remembering several events
// locks all their identities first (LockIdentities).
type Writer struct {
	// Policy returns the policy in force (tiers, routing, time zone).
	Policy func() *plusone.Policy
	// DefaultChannel receives cards no routing rule claims.
	DefaultChannel string
}

// Remember records e for its customer and returns her as saved, and
// whether she was first seen through e. received stands in for the
// event's time when the source gives none. An event that names nobody, nor
// an order we know, is an EINVALID error. An event delivered again adds
// nothing to her timeline (every entry has its dedupe key, a refund its
// refund ID) and folds into the records it made, found by their IDs.
func (w Writer) Remember(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (cust *plusone.Customer, created bool, err error) {
	return w.remember(ctx, tx, e, received, false)
}

// RememberPast records a back-filled event: like Remember, but it makes no
// card for a past ticket and does not treat old messages as waiting for an
// answer. The caller refreshes her cards once the whole history is in
// (TouchOpenCards).
func (w Writer) RememberPast(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (cust *plusone.Customer, created bool, err error) {
	return w.remember(ctx, tx, e, received, true)
}

func (w Writer) remember(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time, past bool) (*plusone.Customer, bool, error) {
	at := e.OccurredAt
	if at.IsZero() {
		at = received
	}
	at = at.UTC()
	cust, created, err := resolveCustomer(ctx, tx, e, at)
	if err != nil {
		return nil, false, err
	}
	ticket, openChanged, err := recordFacts(ctx, tx, cust.ID, e, at, past)
	if err != nil {
		return nil, false, err
	}
	policy := w.Policy()
	if err := refreshAfter(ctx, tx, cust, e, policy, at); err != nil {
		return nil, false, err
	}
	if !past {
		if err := expose(ctx, tx, cust, policy, at); err != nil {
			return nil, false, err
		}
		if err := w.touchCards(ctx, tx, cust, ticket, openChanged, policy, cardTime(at, received)); err != nil {
			return nil, false, err
		}
	}
	return cust, created, nil
}

// cardTime is when an event's cards are due: its time, but never after it
// was received, so that a sender whose clock runs ahead does not hold its
// cards back.
func cardTime(at, received time.Time) time.Time {
	if !received.IsZero() && at.After(received) {
		return received.UTC()
	}
	return at
}

// LockIdentities locks the identities of every event a transaction is
// about to remember, in one call, before it remembers the first: Remember
// locks an event's identities and then its customer, so a transaction
// remembering several events that locked the second's identities only
// after the first one's customer could wait crosswise on another. A lone
// event needs nothing: Remember locks its identities.
func LockIdentities(ctx context.Context, tx plusone.Tx, events []plusone.Event) error {
	if len(events) < 2 {
		return nil
	}
	var ids []plusone.Identity
	for _, e := range events {
		ids = append(ids, e.Customer.Identities(e.Source)...)
	}
	return lockIdentities(ctx, tx, ids)
}

// lockIdentities locks ids in one call; none needs no call.
func lockIdentities(ctx context.Context, tx plusone.Tx, ids []plusone.Identity) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = plusone.IdentityLock(id)
	}
	return tx.Lock(ctx, keys...)
}

// recordFacts records what e tells besides who she is — preferences, the
// ticket and its message, an order, a cart, feedback — and returns the
// ticket, or nil for an event outside any, and whether the event opened or
// closed it.
func recordFacts(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time, past bool) (*plusone.TicketRecord, bool, error) {
	if err := recordPreferences(ctx, tx, customerID, e, at); err != nil {
		return nil, false, err
	}
	ticket, openChanged, err := recordConversation(ctx, tx, customerID, e, at, past)
	if err != nil {
		return nil, false, err
	}
	if err := recordOrder(ctx, tx, customerID, e, at); err != nil {
		return nil, false, err
	}
	if err := recordCart(ctx, tx, customerID, e, at); err != nil {
		return nil, false, err
	}
	if err := recordFeedback(ctx, tx, customerID, e, at); err != nil {
		return nil, false, err
	}
	return ticket, openChanged, nil
}

// recordPreferences records the preferences a source tells, skipping
// blank ones.
func recordPreferences(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	for k, v := range e.Customer.Preferences {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			continue
		}
		if err := tx.SetPreference(ctx, customerID, plusone.Preference{Key: k, Value: v, Origin: string(e.Source), UpdatedAt: at}); err != nil {
			return err
		}
	}
	return nil
}

// refreshAfter recomputes her profile and tier, saving what the event
// told about her, and, after an order or a ticket, the preferences derived
// from them.
func refreshAfter(ctx context.Context, tx plusone.Tx, cust *plusone.Customer, e plusone.Event, policy *plusone.Policy, at time.Time) error {
	if err := RefreshProfile(ctx, tx, cust, policy); err != nil {
		return err
	}
	if e.Order == nil && e.Ticket == nil {
		return nil
	}
	return DerivePreferences(ctx, tx, cust.ID, policy.Timezone, at)
}

// touchCards marks the cards that must show this change: the ticket's own
// card (created on the ticket's first event while it is open), or, for
// events outside any ticket, the cards of her open tickets. A ticket that
// opens or closes touches her other open tickets' cards too, whose count
// of open tickets and list of the others change, when she has no more
// than maxSiblingCards of them: in the background, so that they never
// delay a card with a change of its own (a new ticket's above all).
func (w Writer) touchCards(ctx context.Context, tx plusone.Tx, cust *plusone.Customer, ticket *plusone.TicketRecord, openChanged bool, policy *plusone.Policy, at time.Time) error {
	if ticket == nil {
		return TouchOpenCards(ctx, tx, cust.ID, at)
	}
	if openChanged {
		others := cust.Profile.OpenTickets // counted after this event
		if ticket.Open() {
			others--
		}
		if others > 0 && others <= maxSiblingCards {
			if err := touchOpenCards(ctx, tx, cust.ID, ticket.Key(), true, at); err != nil {
				return err
			}
		}
	}
	if !ticket.Open() {
		// A closed ticket's card is updated, but none is opened for it.
		_, err := tx.Card(ctx, ticket.Key())
		if errors.Is(err, plusone.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	channel := policy.Channel(plusone.RouteInput{
		Source: ticket.Source, Tier: cust.Profile.Tier, Tags: ticket.Tags, Brand: ticket.Brand,
	}, w.DefaultChannel)
	return tx.TouchCard(ctx, plusone.CardState{
		Key: ticket.Key(), CustomerID: cust.ID, Source: ticket.Source, TicketID: ticket.ID, Channel: channel,
	}, at)
}

// fill sets *dst to v if it is empty.
func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// orDefault is s, or def when s is blank.
func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// clip shortens s to at most n runes, ending with an ellipsis if cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

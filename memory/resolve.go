package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// resolveCustomer finds the customer an event is about by any of its
// identities, merging customers that turn out to be the same person, or
// creates her; then it records what the event tells about her (saved with
// her profile, by RefreshProfile). An event that names no customer but an
// order we know (a Shopify refund) belongs to the order's customer.
func resolveCustomer(ctx context.Context, tx plusone.Tx, e plusone.Event, at time.Time) (cust *plusone.Customer, created bool, err error) {
	ids := e.Customer.Identities(e.Source)
	if len(ids) == 0 {
		cust, err := customerOfOrder(ctx, tx, e)
		return cust, false, err
	}
	// Whoever has one of these identities is found, or created, by one
	// transaction at a time: replicas applying events of one new customer
	// at once create her once. A merge or split takes these locks too.
	if err := lockIdentities(ctx, tx, ids); err != nil {
		return nil, false, err
	}
	found, err := customersWith(ctx, tx, ids)
	if err != nil {
		return nil, false, err
	}
	created = len(found) == 0
	if created {
		cust, err = createCustomer(ctx, tx, e.Customer, at)
	} else {
		cust, err = mergeFound(ctx, tx, found, e.Source, ids, at)
	}
	if err != nil {
		return nil, false, err
	}
	for _, id := range ids {
		if err := tx.AddIdentity(ctx, cust.ID, id, at); err != nil {
			return nil, false, err
		}
	}
	learn(cust, e.Customer, at)
	return cust, created, nil
}

// customerOfOrder is the customer of an event that names nobody, by its
// order.
func customerOfOrder(ctx context.Context, tx plusone.Tx, e plusone.Event) (*plusone.Customer, error) {
	if e.Order == nil || e.Order.ID == "" {
		return nil, plusone.Errorf(plusone.EINVALID, "event names no customer (email or external id)")
	}
	return orderCustomer(ctx, tx, e.Source, e.Order.ID)
}

// customersWith returns the customers who have any of ids, each once,
// in the order of ids. The caller holds the identities' locks.
func customersWith(ctx context.Context, tx plusone.Tx, ids []plusone.Identity) ([]*plusone.Customer, error) {
	var found []*plusone.Customer
	for _, id := range ids {
		c, err := tx.CustomerByIdentity(ctx, id)
		if errors.Is(err, plusone.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(found, func(f *plusone.Customer) bool { return f.ID == c.ID }) {
			found = append(found, c)
		}
	}
	return found, nil
}

// createCustomer creates a customer first seen at at, or since ref.Since
// when that is earlier.
func createCustomer(ctx context.Context, tx plusone.Tx, ref plusone.CustomerRef, at time.Time) (*plusone.Customer, error) {
	since := at
	if !ref.Since.IsZero() && ref.Since.Before(since) {
		since = ref.Since.UTC()
	}
	cust := &plusone.Customer{CreatedAt: since, Profile: plusone.Profile{Tier: plusone.TierNew}}
	if err := tx.CreateCustomer(ctx, cust); err != nil {
		return nil, err
	}
	return cust, nil
}

// mergeFound makes the customers found one person: the oldest record
// survives; the others are the same person seen through another identity
// before the link was known, which an event from source with ids tells.
// It returns the survivor, locked and read again.
func mergeFound(ctx context.Context, tx plusone.Tx, found []*plusone.Customer, source plusone.Source, ids []plusone.Identity, at time.Time) (*plusone.Customer, error) {
	slices.SortFunc(found, func(a, b *plusone.Customer) int { return int(a.ID - b.ID) })
	survivor := found[0].ID
	for _, other := range found[1:] {
		reason := fmt.Sprintf("%s event links %s", source, describeIdentities(ids))
		if err := tx.MergeCustomers(ctx, survivor, other.ID, reason, at); err != nil {
			return nil, err
		}
	}
	// Her events found through her other identities wait for this one;
	// read her again once they are done (merges locked her too).
	if err := tx.Lock(ctx, plusone.CustomerLock(survivor)); err != nil {
		return nil, err
	}
	return tx.Customer(ctx, survivor)
}

// learn puts into cust what an event tells about her: her name and phone
// as they are now, an email if she had none, and since when she is a
// customer — the earliest thing we know of her, whatever order the events
// arrive in.
func learn(cust *plusone.Customer, ref plusone.CustomerRef, at time.Time) {
	if n := strings.TrimSpace(ref.Name); n != "" {
		cust.Name = n
	}
	if e := plusone.NormalizeEmail(ref.Email); e != "" && cust.Email == "" {
		cust.Email = e
	}
	if p := strings.TrimSpace(ref.Phone); p != "" {
		cust.Phone = p
	}
	for _, t := range []time.Time{ref.Since, at} {
		if !t.IsZero() && (cust.CreatedAt.IsZero() || t.Before(cust.CreatedAt)) {
			cust.CreatedAt = t.UTC()
		}
	}
}

// orderCustomer is the customer of a known order, locked: a split may move
// the order to another customer until she is.
func orderCustomer(ctx context.Context, tx plusone.Tx, source plusone.Source, orderID string) (*plusone.Customer, error) {
	var locked int64
	for range 3 {
		o, err := tx.Order(ctx, source, orderID)
		if errors.Is(err, plusone.ErrNotFound) {
			return nil, plusone.Errorf(plusone.EINVALID, "event names no customer and order %s is unknown", orderID)
		}
		if err != nil {
			return nil, err
		}
		if o.CustomerID == locked {
			return tx.Customer(ctx, locked)
		}
		if err := tx.Lock(ctx, plusone.CustomerLock(o.CustomerID)); err != nil {
			return nil, err
		}
		locked = o.CustomerID
	}
	return nil, plusone.Errorf(plusone.ECONFLICT, "order %s kept moving between customers", orderID)
}

func describeIdentities(ids []plusone.Identity) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Kind + ":" + id.Value
	}
	return strings.Join(parts, " and ")
}

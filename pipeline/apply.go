// Package pipeline turns stored webhook deliveries into customer memory: a
// worker claims raw events, normalises them through their integration and
// applies them to the store in one transaction per delivery — customer
// found or created, timeline, tickets, orders, carts, profile and tier — and
// marks the context cards that must change.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
}

// LockIdentities locks the identities of every event a transaction is
// about to apply, in one call, before it applies the first: Apply locks an
// event's identities and then its customer, so a transaction applying
// several events that locked the second's identities only after the first
// one's customer could wait crosswise on another. A lone event needs
// nothing: Apply locks its identities.
func LockIdentities(ctx context.Context, tx plusone.Tx, events []plusone.Event) error {
	if len(events) < 2 {
		return nil
	}
	var keys []string
	for _, e := range events {
		for _, id := range e.Customer.Identities(e.Source) {
			keys = append(keys, plusone.IdentityLock(id))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return tx.Lock(ctx, keys...)
}

// Apply records e for its customer and returns her ID. received stands in
// for the event's time when the source gives none.
func (a *Applier) Apply(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (int64, error) {
	return a.apply(ctx, tx, e, received, false)
}

// ApplyHistory records a back-filled event: like Apply, but it makes no
// card for a past ticket, does not treat old messages as waiting for an
// answer, and back-fills nobody. The caller refreshes her cards once the
// whole history is in (memory.TouchOpenCards).
func (a *Applier) ApplyHistory(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (int64, error) {
	return a.apply(ctx, tx, e, received, true)
}

func (a *Applier) apply(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time, history bool) (int64, error) {
	at := e.OccurredAt
	if at.IsZero() {
		at = received
	}
	at = at.UTC()
	cust, created, err := resolveCustomer(ctx, tx, e, at)
	if err != nil {
		return 0, err
	}
	if created && !history {
		if err := a.enqueueBackfill(ctx, tx, cust, e, received); err != nil {
			return 0, err
		}
	}
	for k, v := range e.Customer.Preferences {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			continue
		}
		if err := tx.SetPreference(ctx, cust.ID, plusone.Preference{Key: k, Value: v, Origin: string(e.Source), UpdatedAt: at}); err != nil {
			return 0, err
		}
	}
	var ticket *plusone.TicketRecord
	if e.Ticket != nil && e.Ticket.ID != "" {
		if ticket, err = applyTicket(ctx, tx, cust.ID, e, at, history); err != nil {
			return 0, err
		}
	}
	if e.Message != nil {
		if err := applyMessage(ctx, tx, cust.ID, ticket, e, at, history); err != nil {
			return 0, err
		}
	}
	if ticket != nil {
		if err := tx.SaveTicket(ctx, ticket); err != nil {
			return 0, err
		}
	}
	if e.Order != nil && e.Order.ID != "" {
		if err := applyOrder(ctx, tx, cust.ID, e, at); err != nil {
			return 0, err
		}
	}
	if e.Cart != nil && e.Cart.ID != "" {
		if err := applyCart(ctx, tx, cust.ID, e, at); err != nil {
			return 0, err
		}
	}
	if e.Feedback != nil {
		if err := applyFeedback(ctx, tx, cust.ID, e, at); err != nil {
			return 0, err
		}
	}
	policy := a.Policy()
	if err := memory.RefreshProfile(ctx, tx, cust, policy); err != nil {
		return 0, err
	}
	if e.Order != nil || e.Ticket != nil {
		if err := memory.DerivePreferences(ctx, tx, cust.ID, policy.Timezone, at); err != nil {
			return 0, err
		}
	}
	if history {
		return cust.ID, nil
	}
	if err := a.touchCards(ctx, tx, cust, ticket, at); err != nil {
		return 0, err
	}
	return cust.ID, nil
}

// resolveCustomer finds the customer an event is about by any of its
// identities, merging customers that turn out to be the same person, or
// creates her; then it records what the event tells about her. An event that
// names no customer but an order we know (a Shopify refund) belongs to the
// order's customer.
func resolveCustomer(ctx context.Context, tx plusone.Tx, e plusone.Event, at time.Time) (cust *plusone.Customer, created bool, err error) {
	source, ref := e.Source, e.Customer
	ids := ref.Identities(source)
	if len(ids) == 0 {
		if e.Order != nil && e.Order.ID != "" {
			c, err := orderCustomer(ctx, tx, source, e.Order.ID)
			return c, false, err
		}
		return nil, false, plusone.Errorf(plusone.EINVALID, "event names no customer (email or external id)")
	}
	// Whoever has one of these identities is found, or created, by one
	// transaction at a time: replicas applying events of one new customer
	// at once create her once. A merge or split takes these locks too.
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = plusone.IdentityLock(id)
	}
	if err := tx.Lock(ctx, keys...); err != nil {
		return nil, false, err
	}
	var found []*plusone.Customer
	for _, id := range ids {
		c, err := tx.CustomerByIdentity(ctx, id)
		if errors.Is(err, plusone.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if !slices.ContainsFunc(found, func(f *plusone.Customer) bool { return f.ID == c.ID }) {
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 0:
		created = true
		since := at
		if !ref.Since.IsZero() && ref.Since.Before(since) {
			since = ref.Since.UTC()
		}
		cust = &plusone.Customer{CreatedAt: since, Profile: plusone.Profile{Tier: plusone.TierNew}}
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return nil, false, err
		}
	default:
		// The oldest record survives; the others are the same person seen
		// through another identity before the link was known.
		slices.SortFunc(found, func(a, b *plusone.Customer) int { return int(a.ID - b.ID) })
		cust = found[0]
		for _, other := range found[1:] {
			reason := fmt.Sprintf("%s event links %s", source, describeIdentities(ids))
			if err := tx.MergeCustomers(ctx, cust.ID, other.ID, reason, at); err != nil {
				return nil, false, err
			}
		}
		// Her events found through her other identities wait for this
		// one; read her again once they are done (merges locked her too).
		if err := tx.Lock(ctx, plusone.CustomerLock(cust.ID)); err != nil {
			return nil, false, err
		}
		c, err := tx.Customer(ctx, cust.ID)
		if err != nil {
			return nil, false, err
		}
		cust = c
	}
	for _, id := range ids {
		if err := tx.AddIdentity(ctx, cust.ID, id, at); err != nil {
			return nil, false, err
		}
	}
	if n := strings.TrimSpace(ref.Name); n != "" {
		cust.Name = n
	}
	if e := plusone.NormalizeEmail(ref.Email); e != "" && cust.Email == "" {
		cust.Email = e
	}
	if p := strings.TrimSpace(ref.Phone); p != "" {
		cust.Phone = p
	}
	// She is a customer since the earliest thing we know of her, whatever
	// order the events arrive in.
	for _, t := range []time.Time{ref.Since, at} {
		if !t.IsZero() && (cust.CreatedAt.IsZero() || t.Before(cust.CreatedAt)) {
			cust.CreatedAt = t.UTC()
		}
	}
	return cust, created, nil
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

func applyTicket(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time, history bool) (*plusone.TicketRecord, error) {
	in := *e.Ticket
	rec, err := tx.Ticket(ctx, e.Source, in.ID)
	isNew := errors.Is(err, plusone.ErrNotFound)
	if err != nil && !isNew {
		return nil, err
	}
	if isNew {
		rec = &plusone.TicketRecord{Ticket: in, Source: e.Source, CustomerID: customerID, CreatedAt: at, UpdatedAt: at}
		if rec.Status == "" {
			rec.Status = "open"
		}
		if !history {
			rec.CustomerSpoke(at) // a new ticket awaits its first answer
		}
	} else {
		rec.CustomerID = customerID
		newer := !at.Before(rec.UpdatedAt)
		prevStatus := rec.Status
		mergeTicket(&rec.Ticket, in, newer)
		if newer {
			rec.UpdatedAt = at
		}
		if e.Type == plusone.EventTicketCreated && at.Before(rec.CreatedAt) {
			rec.CreatedAt = at
			if !history {
				rec.CustomerSpoke(at)
			}
		}
		if !rec.Open() {
			rec.WaitingSince = time.Time{}
		}
		if statusWorthNoting(prevStatus, rec.Status) {
			if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
				CustomerID: customerID, Source: e.Source, Kind: plusone.TouchTicketUpdated, Ref: in.ID,
				DedupeKey:  fmt.Sprintf("ticket:%s:status:%s:%d", in.ID, rec.Status, at.UnixMicro()),
				OccurredAt: at, URL: rec.URL,
				Summary: fmt.Sprintf("Ticket %s: %s", rec.Status, clip(rec.Subject, 120)),
			}); err != nil {
				return nil, err
			}
		}
	}
	if isNew || e.Type == plusone.EventTicketCreated {
		if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
			CustomerID: customerID, Source: e.Source, Kind: plusone.TouchTicketOpened, Ref: in.ID,
			DedupeKey: "ticket:" + in.ID + ":opened", OccurredAt: rec.CreatedAt, URL: rec.URL,
			Summary: "Opened ticket: " + clip(orDefault(rec.Subject, "(no subject)"), 160),
		}); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// statusWorthNoting reports whether a status change belongs on the
// timeline: solving, closing, pausing or reopening a ticket does; a new
// ticket becoming open does not.
func statusWorthNoting(prev, next string) bool {
	if prev == next || next == "" {
		return false
	}
	return !(next == "open" && (prev == "new" || prev == ""))
}

// mergeTicket folds what an event says into the ticket. Newer information
// replaces what we had; older information only fills gaps, so that events
// applied out of order still leave the latest state.
func mergeTicket(dst *plusone.Ticket, in plusone.Ticket, newer bool) {
	set := func(d *string, v string) {
		if v != "" && (newer || *d == "") {
			*d = v
		}
	}
	set(&dst.Subject, in.Subject)
	set(&dst.URL, in.URL)
	set(&dst.Status, in.Status)
	set(&dst.Priority, in.Priority)
	set(&dst.Brand, in.Brand)
	set(&dst.Channel, in.Channel)
	if in.Tags != nil && (newer || dst.Tags == nil) {
		dst.Tags = in.Tags
	}
}

func applyMessage(ctx context.Context, tx plusone.Tx, customerID int64, ticket *plusone.TicketRecord, e plusone.Event, at time.Time, history bool) error {
	m := e.Message
	id := m.ID
	if id == "" {
		id = e.ID
	}
	who := orDefault(m.Author, "Customer")
	if !m.FromCustomer && m.Author == "" {
		who = "Agent"
	}
	ref := ""
	if m.Private {
		who = "Internal note by " + orDefault(m.Author, "an agent")
	}
	if ticket != nil {
		ref = ticket.ID
	}
	if ticket != nil && !m.Private && !history {
		if m.FromCustomer {
			ticket.CustomerSpoke(at)
		} else {
			ticket.AgentReplied(at)
		}
	}
	text := strings.Join(strings.Fields(m.Text), " ")
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchMessage, Ref: ref,
		DedupeKey: "message:" + id, OccurredAt: at,
		Summary: clip(who+": "+orDefault(text, "(no text)"), 200),
	})
	return err
}

func applyOrder(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	in := *e.Order
	rec, err := tx.Order(ctx, e.Source, in.ID)
	isNew := errors.Is(err, plusone.ErrNotFound)
	if err != nil && !isNew {
		return err
	}
	if isNew {
		rec = &plusone.OrderRecord{Order: in, Source: e.Source, CustomerID: customerID, UpdatedAt: at}
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = at
		}
		if in.RefundID != "" {
			// One refund of an order seen first through it: counted once,
			// by its id, like any other.
			rec.Refunded = 0
			if err := applyRefund(ctx, tx, customerID, e, rec, at); err != nil {
				return err
			}
		}
	} else {
		prev := rec.Status
		rec.CustomerID = customerID
		if newer := !at.Before(rec.UpdatedAt); newer {
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
		if err := applyRefund(ctx, tx, customerID, e, rec, at); err != nil {
			return err
		}
		fill(&rec.Name, in.Name)
		fill(&rec.URL, in.URL)
		fill(&rec.Currency, in.Currency)
		fill(&rec.CheckoutToken, in.CheckoutToken)
		if rec.Status != prev && rec.Status != "" {
			if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
				CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrderUpdated, Ref: in.ID,
				DedupeKey: "order:" + in.ID + ":" + rec.Status, OccurredAt: at, URL: rec.URL,
				Summary: fmt.Sprintf("Order %s %s", rec.Order.DisplayName(), rec.Status),
			}); err != nil {
				return err
			}
		}
	}
	if err := tx.SaveOrder(ctx, rec); err != nil {
		return err
	}
	if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrder, Ref: in.ID,
		DedupeKey: "order:" + in.ID + ":created", OccurredAt: rec.CreatedAt, URL: rec.URL,
		Amount: rec.Total, Currency: rec.Currency, Summary: orderSummary(rec.Order),
	}); err != nil {
		return err
	}
	if rec.CheckoutToken != "" {
		return completeCart(ctx, tx, e.Source, rec.CheckoutToken, rec.CreatedAt)
	}
	return nil
}

// applyRefund records what an event says was refunded: one refund, added
// once per refund id, or the order's refunded total.
func applyRefund(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, rec *plusone.OrderRecord, at time.Time) error {
	in := e.Order
	if in.Refunded <= 0 {
		return nil
	}
	if in.RefundID == "" {
		if in.Refunded > rec.Refunded {
			rec.Refunded = in.Refunded
		}
		return nil
	}
	added, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchOrderUpdated, Ref: in.ID,
		DedupeKey: "refund:" + in.RefundID, OccurredAt: at, URL: rec.URL,
		Amount: in.Refunded, Currency: orDefault(in.Currency, rec.Currency),
		Summary: fmt.Sprintf("Refund of %s on order %s", in.Refunded.Format(orDefault(in.Currency, rec.Currency)), rec.Order.DisplayName()),
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

func applyCart(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	in := *e.Cart
	if in.UpdatedAt.IsZero() {
		in.UpdatedAt = at
	}
	rec, err := tx.Cart(ctx, e.Source, in.ID)
	isNew := errors.Is(err, plusone.ErrNotFound)
	if err != nil && !isNew {
		return err
	}
	if isNew {
		rec = &plusone.CartRecord{Cart: in, Source: e.Source, CustomerID: customerID, CreatedAt: at}
	} else {
		rec.CustomerID = customerID
		if !in.UpdatedAt.Before(rec.UpdatedAt) {
			completed, abandoned := rec.CompletedAt, rec.Abandoned
			rec.Cart = in
			if rec.CompletedAt.IsZero() {
				rec.CompletedAt = completed
			}
			rec.Abandoned = rec.Abandoned || abandoned
		} else if rec.CompletedAt.IsZero() {
			rec.CompletedAt = in.CompletedAt
		}
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

func applyFeedback(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	f := e.Feedback
	score := f.Score
	scale := f.Scale
	if scale == "" {
		scale = plusone.ScaleCSAT
	}
	summary := fmt.Sprintf("%s %d", strings.ToUpper(scale), score)
	if scale == plusone.ScaleCSAT {
		summary += "/5"
	} else {
		summary += "/10"
	}
	if c := strings.Join(strings.Fields(f.Comment), " "); c != "" {
		summary += ": “" + clip(c, 160) + "”"
	}
	ref := f.TicketID
	if e.Ticket != nil {
		ref = e.Ticket.ID
	}
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchFeedback, Ref: ref,
		DedupeKey: "feedback:" + e.ID, OccurredAt: at, Score: &score, Scale: scale, Summary: summary,
	})
	return err
}

// touchCards marks the cards that must show this change: the ticket's own
// card (created on the ticket's first event while it is open), or, for
// events outside any ticket, the cards of her open tickets.
func (a *Applier) touchCards(ctx context.Context, tx plusone.Tx, cust *plusone.Customer, ticket *plusone.TicketRecord, at time.Time) error {
	if ticket != nil && !ticket.Open() {
		// A closed ticket's card is updated, but none is opened for it.
		_, err := tx.Card(ctx, ticket.Key())
		if errors.Is(err, plusone.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	if ticket != nil {
		channel := a.Policy().Channel(plusone.RouteInput{
			Source: ticket.Source, Tier: cust.Profile.Tier, Tags: ticket.Tags, Brand: ticket.Brand,
		}, a.DefaultChannel)
		return tx.TouchCard(ctx, plusone.CardState{
			Key: ticket.Key(), CustomerID: cust.ID, Source: ticket.Source, TicketID: ticket.ID, Channel: channel,
		}, at)
	}
	return memory.TouchOpenCards(ctx, tx, cust.ID, at)
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

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

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

package plusone

import (
	"fmt"
	"sort"
	"time"
)

// SignalKind names something a customer does not say out loud.
type SignalKind string

// The signals plusone detects.
const (
	SignalAbandonedCart SignalKind = "abandoned_cart"
	SignalRepeatContact SignalKind = "repeat_contact"
	SignalLowCSAT       SignalKind = "low_csat"
	SignalDelayedOrder  SignalKind = "delayed_order"
	SignalLongWait      SignalKind = "long_wait"
	SignalFirstContact  SignalKind = "first_contact"
	SignalBigSpender    SignalKind = "big_spender"
)

// SignalKinds lists every signal in the order cards show them.
func SignalKinds() []SignalKind {
	return []SignalKind{SignalAbandonedCart, SignalDelayedOrder, SignalLongWait, SignalRepeatContact,
		SignalLowCSAT, SignalBigSpender, SignalFirstContact}
}

// Valid reports whether k is a known signal.
func (k SignalKind) Valid() bool {
	for _, x := range SignalKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Signal is a detected signal with the evidence an agent sees on the card.
type Signal struct {
	Kind     SignalKind
	Evidence string // "abandoned $89 cart 2 days ago"
	Amount   Money
	Currency string
	URL      string
	Since    time.Time
}

// SignalRules are the thresholds of each signal.
type SignalRules struct {
	AbandonedCartAfter  time.Duration // an open checkout counts as abandoned after this
	RepeatContactCount  int           // this many tickets …
	RepeatContactWindow time.Duration // … within this window
	LowCSATMax          int           // latest CSAT (1-5) at or below this
	LowNPSMax           int           // latest NPS (0-10) at or below this
	DelayedOrderAfter   time.Duration // unfulfilled order older than this
	LongWaitAfter       time.Duration // customer waiting for a reply longer than this
	BigSpenderMin       Money         // lifetime value at least this
}

// DefaultSignalRules are the thresholds used when the policy sets none.
func DefaultSignalRules() SignalRules {
	return SignalRules{
		AbandonedCartAfter:  time.Hour,
		RepeatContactCount:  3,
		RepeatContactWindow: 7 * 24 * time.Hour,
		LowCSATMax:          2,
		LowNPSMax:           6,
		DelayedOrderAfter:   5 * 24 * time.Hour,
		LongWaitAfter:       24 * time.Hour,
		BigSpenderMin:       1000_00,
	}
}

// CustomerView is everything we show about a customer: her record, recent
// tickets, orders and carts, timeline and preferences, each newest first.
type CustomerView struct {
	Customer    Customer
	Identities  []Identity
	Tickets     []TicketRecord
	Orders      []OrderRecord
	Carts       []CartRecord
	Timeline    []Touchpoint
	Preferences []Preference
	Notes       []Note // newest first
	Merges      []Merge
}

// Signals detects the signals of a customer at time now.
func (r SignalRules) Signals(v CustomerView, now time.Time) []Signal {
	var out []Signal
	if s, ok := r.abandonedCart(v, now); ok {
		out = append(out, s)
	}
	if s, ok := r.delayedOrder(v, now); ok {
		out = append(out, s)
	}
	if s, ok := r.longWait(v, now); ok {
		out = append(out, s)
	}
	if s, ok := r.repeatContact(v, now); ok {
		out = append(out, s)
	}
	if s, ok := r.lowCSAT(v); ok {
		out = append(out, s)
	}
	if r.BigSpenderMin > 0 && v.Customer.Profile.LifetimeValue >= r.BigSpenderMin {
		p := v.Customer.Profile
		out = append(out, Signal{Kind: SignalBigSpender, Amount: p.LifetimeValue, Currency: p.Currency,
			Evidence: fmt.Sprintf("%s lifetime over %d orders", p.LifetimeValue.Format(p.Currency), p.Orders)})
	}
	if len(v.Tickets) == 1 && len(v.Orders) == 0 && v.Tickets[0].Open() {
		out = append(out, Signal{Kind: SignalFirstContact, Since: v.Tickets[0].CreatedAt, Evidence: "first contact with us"})
	}
	return out
}

// Has reports whether signals contain kind.
func Has(signals []Signal, kind SignalKind) bool {
	for _, s := range signals {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

func (r SignalRules) abandonedCart(v CustomerView, now time.Time) (Signal, bool) {
	var latestOrder time.Time
	for _, o := range v.Orders {
		if o.CreatedAt.After(latestOrder) {
			latestOrder = o.CreatedAt
		}
	}
	for _, c := range v.Carts { // newest first: the newest abandoned cart wins
		if !c.CompletedAt.IsZero() || c.Total <= 0 {
			continue
		}
		if !latestOrder.IsZero() && !latestOrder.Before(c.UpdatedAt) {
			continue // she ordered after leaving the cart: not abandoned
		}
		if !c.Abandoned && now.Sub(c.UpdatedAt) < r.AbandonedCartAfter {
			continue
		}
		return Signal{
			Kind: SignalAbandonedCart, Amount: c.Total, Currency: c.Currency, URL: c.URL, Since: c.UpdatedAt,
			Evidence: fmt.Sprintf("abandoned %s cart %s", c.Total.Format(c.Currency), Ago(now, c.UpdatedAt)),
		}, true
	}
	return Signal{}, false
}

func (r SignalRules) delayedOrder(v CustomerView, now time.Time) (Signal, bool) {
	if r.DelayedOrderAfter <= 0 {
		return Signal{}, false
	}
	for _, o := range v.Orders {
		if o.Status != OrderOpen {
			continue // fulfilled, cancelled, or a source that does not say
		}
		if now.Sub(o.CreatedAt) >= r.DelayedOrderAfter {
			return Signal{
				Kind: SignalDelayedOrder, Amount: o.Total, Currency: o.Currency, URL: o.URL, Since: o.CreatedAt,
				Evidence: fmt.Sprintf("order %s not fulfilled, placed %s", o.Order.DisplayName(), Ago(now, o.CreatedAt)),
			}, true
		}
	}
	return Signal{}, false
}

func (r SignalRules) longWait(v CustomerView, now time.Time) (Signal, bool) {
	if r.LongWaitAfter <= 0 {
		return Signal{}, false
	}
	for _, t := range v.Tickets {
		if !t.Open() || t.WaitingSince.IsZero() {
			continue
		}
		if now.Sub(t.WaitingSince) >= r.LongWaitAfter {
			return Signal{Kind: SignalLongWait, URL: t.URL, Since: t.WaitingSince,
				Evidence: fmt.Sprintf("waiting %s for a reply", Duration(now.Sub(t.WaitingSince)))}, true
		}
	}
	return Signal{}, false
}

func (r SignalRules) repeatContact(v CustomerView, now time.Time) (Signal, bool) {
	if r.RepeatContactCount <= 1 {
		return Signal{}, false
	}
	var times []time.Time
	for _, t := range v.Tickets {
		if now.Sub(t.CreatedAt) <= r.RepeatContactWindow {
			times = append(times, t.CreatedAt)
		}
	}
	if len(times) < r.RepeatContactCount {
		return Signal{}, false
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return Signal{Kind: SignalRepeatContact, Since: times[0],
		Evidence: fmt.Sprintf("%d tickets in %s", len(times), Duration(r.RepeatContactWindow))}, true
}

func (r SignalRules) lowCSAT(v CustomerView) (Signal, bool) {
	for _, tp := range v.Timeline { // newest first: only the latest rating counts
		if tp.Kind != TouchFeedback || tp.Score == nil {
			continue
		}
		low := false
		scale := "CSAT"
		if tp.Scale == ScaleNPS {
			scale = "NPS"
			low = *tp.Score <= r.LowNPSMax
		} else {
			low = *tp.Score <= r.LowCSATMax
		}
		if !low {
			return Signal{}, false
		}
		return Signal{Kind: SignalLowCSAT, Since: tp.OccurredAt,
			Evidence: fmt.Sprintf("rated us %s %d", scale, *tp.Score)}, true
	}
	return Signal{}, false
}

// Ago says how long before now t was, for people: "just now", "5 minutes
// ago", "2 days ago".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return Duration(d) + " ago"
}

// Duration renders d coarsely: "5 minutes", "26 hours", "3 days".
func Duration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", unit)
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return plural(int64(d/time.Second), "second")
	case d < time.Hour:
		return plural(int64(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	default:
		return plural(int64(d/(30*24*time.Hour)), "month")
	}
}

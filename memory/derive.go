package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plusone-hq/plusone"
)

// Keys of the preferences plusone derives, and their origin.
const (
	PrefFavouriteProduct = "favourite product"
	PrefPreferredChannel = "preferred channel"
	PrefContactHours     = "usual contact hours"
	OriginDerived        = "derived"
)

// deriveWindow bounds how much history derivation reads.
const deriveWindow = 50

// DerivePreferences works out what a customer likes from what she did:
// the product she buys most (bought at least twice), the channel she
// contacts us through most (at least two tickets), and the part of the day
// she usually writes (at least three tickets, most in one part, in the
// policy's time zone). A preference a source or an agent set under the
// same name is never overwritten; one derived as before is not written
// again (its time is when it was first derived with that value).
func DerivePreferences(ctx context.Context, tx plusone.Tx, customerID int64, loc *time.Location, now time.Time) error {
	if loc == nil {
		loc = time.UTC
	}
	prefs, err := tx.Preferences(ctx, customerID)
	if err != nil {
		return err
	}
	explicit := map[string]bool{}
	had := map[string]string{} // what was derived before
	for _, p := range prefs {
		if p.Origin != OriginDerived {
			explicit[p.Key] = true
		} else {
			had[p.Key] = p.Value
		}
	}
	orders, err := tx.Orders(ctx, customerID, deriveWindow)
	if err != nil {
		return err
	}
	tickets, err := tx.TicketContacts(ctx, customerID, deriveWindow)
	if err != nil {
		return err
	}
	derived := map[string]string{
		PrefFavouriteProduct: favouriteProduct(orders),
		PrefPreferredChannel: preferredChannel(tickets),
		PrefContactHours:     contactHours(tickets, loc),
	}
	for _, key := range []string{PrefFavouriteProduct, PrefPreferredChannel, PrefContactHours} {
		value := derived[key]
		if value == "" || explicit[key] {
			continue
		}
		if prev, ok := had[key]; ok && prev == value {
			continue // unchanged: its time stays when it was first derived so
		}
		if err := tx.SetPreference(ctx, customerID, plusone.Preference{Key: key, Value: value, Origin: OriginDerived, UpdatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

type tally struct {
	name string
	n    int
}

// top returns the most frequent name (ties to the earliest seen) and how
// often it came, out of how many in all.
func top(names []string) (best string, n, total int) {
	var counts []tally
	for _, name := range names {
		if name == "" {
			continue
		}
		total++
		if i := slices.IndexFunc(counts, func(c tally) bool { return c.name == name }); i >= 0 {
			counts[i].n++
			continue
		}
		counts = append(counts, tally{name: name, n: 1})
	}
	if len(counts) == 0 {
		return "", 0, 0
	}
	slices.SortStableFunc(counts, func(a, b tally) int { return cmp.Compare(b.n, a.n) })
	return counts[0].name, counts[0].n, total
}

func favouriteProduct(orders []plusone.OrderRecord) string {
	var bought []string
	for _, o := range orders {
		if o.Cancelled() {
			continue
		}
		for _, it := range o.Items {
			for range max(it.Quantity, 1) {
				bought = append(bought, it.Title)
			}
		}
	}
	name, n, _ := top(bought)
	if n < 2 {
		return ""
	}
	return fmt.Sprintf("%s (bought %d)", name, n)
}

func preferredChannel(tickets []plusone.TicketContact) string {
	var via []string
	for _, t := range tickets {
		via = append(via, channelName(t))
	}
	name, n, total := top(via)
	if n < 2 || n*2 < total {
		return ""
	}
	return name
}

func channelName(t plusone.TicketContact) string {
	if t.Channel == "" {
		return t.Source.Title()
	}
	return t.Channel + " (" + t.Source.Title() + ")"
}

func contactHours(tickets []plusone.TicketContact, loc *time.Location) string {
	var parts []string
	for _, t := range tickets {
		if t.CreatedAt.IsZero() {
			continue
		}
		switch h := t.CreatedAt.In(loc).Hour(); {
		case h >= 6 && h < 12:
			parts = append(parts, "mornings")
		case h >= 12 && h < 17:
			parts = append(parts, "afternoons")
		case h >= 17 && h < 22:
			parts = append(parts, "evenings")
		default:
			parts = append(parts, "nights")
		}
	}
	name, n, total := top(parts)
	if total < 3 || n*10 < total*6 {
		return ""
	}
	return name
}

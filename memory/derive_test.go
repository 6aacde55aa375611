package memory

import (
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestDerivations(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	at := func(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, ny) }
	tk := func(src plusone.Source, channel string, created time.Time) plusone.TicketContact {
		return plusone.TicketContact{Source: src, Channel: channel, CreatedAt: created}
	}
	item := func(title string, q int) plusone.LineItem { return plusone.LineItem{Title: title, Quantity: q} }
	tests := []struct {
		name           string
		orders         []plusone.OrderRecord
		tickets        []plusone.TicketContact
		product, chans string
		hours          string
	}{
		{name: "nothing yet"},
		{name: "one of each", orders: []plusone.OrderRecord{{Order: plusone.Order{Items: []plusone.LineItem{item("Tire", 1), item("Cap", 1)}}}},
			tickets: []plusone.TicketContact{tk(plusone.SourceZendesk, "email", at(9))}},
		{name: "four tires at once", orders: []plusone.OrderRecord{{Order: plusone.Order{Items: []plusone.LineItem{item("Tire", 4), item("Cap", 1)}}}},
			product: "Tire (bought 4)"},
		{name: "cancelled orders do not count", orders: []plusone.OrderRecord{
			{Order: plusone.Order{Status: plusone.OrderCancelled, Items: []plusone.LineItem{item("Tire", 4)}}},
			{Order: plusone.Order{Items: []plusone.LineItem{item("Cap", 2)}}}}, product: "Cap (bought 2)"},
		{name: "mostly email mornings", tickets: []plusone.TicketContact{tk(plusone.SourceZendesk, "email", at(8)),
			tk(plusone.SourceZendesk, "email", at(10)), tk(plusone.SourceIntercom, "", at(11)), tk(plusone.SourceZendesk, "email", at(20))},
			chans: "email (Zendesk)", hours: "mornings"},
		{name: "no clear habit", tickets: []plusone.TicketContact{tk(plusone.SourceZendesk, "", at(8)), tk(plusone.SourceIntercom, "", at(14)),
			tk(plusone.SourceHelpScout, "", at(20)), tk(plusone.SourceSlack, "", at(23))}},
	}
	for _, tt := range tests {
		if got := favouriteProduct(tt.orders); got != tt.product {
			t.Errorf("%s: product %q, want %q", tt.name, got, tt.product)
		}
		if got := preferredChannel(tt.tickets); got != tt.chans {
			t.Errorf("%s: channel %q, want %q", tt.name, got, tt.chans)
		}
		if got := contactHours(tt.tickets, ny); got != tt.hours {
			t.Errorf("%s: hours %q, want %q", tt.name, got, tt.hours)
		}
	}
}

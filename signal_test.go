package plusone

import (
	"strings"
	"testing"
	"time"
)

func TestSignals(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	rules := DefaultSignalRules()
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	ticket := func(id, status string, created time.Time) TicketRecord {
		return TicketRecord{Ticket: Ticket{ID: id, Status: status, URL: "https://t/" + id}, CreatedAt: created, Source: SourceZendesk}
	}
	score := func(n int) *int { return &n }
	tests := []struct {
		name     string
		view     CustomerView
		want     SignalKind
		present  bool
		evidence string
	}{
		{"cart left 2h ago", CustomerView{Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 89_00, Currency: "USD", UpdatedAt: ago(2 * time.Hour)}}}},
			SignalAbandonedCart, true, "abandoned $89 cart 2 hours ago"},
		{"cart left 30 min ago", CustomerView{Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 89_00, UpdatedAt: ago(30 * time.Minute)}}}},
			SignalAbandonedCart, false, ""},
		{"cart declared abandoned", CustomerView{Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 10_00, Abandoned: true, UpdatedAt: ago(time.Minute)}}}},
			SignalAbandonedCart, true, "abandoned $10 cart 1 minute ago"},
		{"cart then order", CustomerView{Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 10_00, UpdatedAt: ago(5 * time.Hour)}}},
			Orders: []OrderRecord{{Order: Order{ID: "1", CreatedAt: ago(4 * time.Hour)}}}}, SignalAbandonedCart, false, ""},
		{"completed cart", CustomerView{Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 10_00, UpdatedAt: ago(5 * time.Hour), CompletedAt: ago(4 * time.Hour)}}}},
			SignalAbandonedCart, false, ""},
		{"three tickets in a week", CustomerView{Tickets: []TicketRecord{ticket("1", "open", ago(time.Hour)), ticket("2", "solved", ago(3*24*time.Hour)), ticket("3", "solved", ago(6*24*time.Hour))}},
			SignalRepeatContact, true, "3 tickets in 7 days"},
		{"three tickets, one old", CustomerView{Tickets: []TicketRecord{ticket("1", "open", ago(time.Hour)), ticket("2", "solved", ago(3*24*time.Hour)), ticket("3", "solved", ago(9*24*time.Hour))}},
			SignalRepeatContact, false, ""},
		{"latest CSAT 2", CustomerView{Timeline: []Touchpoint{{Kind: TouchFeedback, Score: score(2), Scale: ScaleCSAT}, {Kind: TouchFeedback, Score: score(5), Scale: ScaleCSAT}}},
			SignalLowCSAT, true, "rated us CSAT 2"},
		{"latest NPS 9 after a bad one", CustomerView{Timeline: []Touchpoint{{Kind: TouchFeedback, Score: score(9), Scale: ScaleNPS}, {Kind: TouchFeedback, Score: score(1), Scale: ScaleCSAT}}},
			SignalLowCSAT, false, ""},
		{"NPS 6", CustomerView{Timeline: []Touchpoint{{Kind: TouchFeedback, Score: score(6), Scale: ScaleNPS}}}, SignalLowCSAT, true, "rated us NPS 6"},
		{"unfulfilled 6 days", CustomerView{Orders: []OrderRecord{{Order: Order{ID: "1003", Name: "#1003", Status: OrderOpen, CreatedAt: ago(6 * 24 * time.Hour)}}}},
			SignalDelayedOrder, true, "order #1003 not fulfilled, placed 6 days ago"},
		{"unfulfilled 2 days", CustomerView{Orders: []OrderRecord{{Order: Order{ID: "1", Status: OrderOpen, CreatedAt: ago(2 * 24 * time.Hour)}}}},
			SignalDelayedOrder, false, ""},
		{"fulfilled long ago", CustomerView{Orders: []OrderRecord{{Order: Order{ID: "1", Status: OrderFulfilled, CreatedAt: ago(60 * 24 * time.Hour)}}}},
			SignalDelayedOrder, false, ""},
		{"status unknown", CustomerView{Orders: []OrderRecord{{Order: Order{ID: "1", CreatedAt: ago(60 * 24 * time.Hour)}}}},
			SignalDelayedOrder, false, ""},
		{"waiting 26 hours", CustomerView{Tickets: []TicketRecord{func() TicketRecord {
			tk := ticket("1", "open", ago(30*time.Hour))
			tk.WaitingSince = ago(26 * time.Hour)
			return tk
		}()}},
			SignalLongWait, true, "waiting 26 hours for a reply"},
		{"waiting 2 hours", CustomerView{Tickets: []TicketRecord{func() TicketRecord {
			tk := ticket("1", "open", ago(3*time.Hour))
			tk.WaitingSince = ago(2 * time.Hour)
			return tk
		}()}},
			SignalLongWait, false, ""},
		{"solved while waiting", CustomerView{Tickets: []TicketRecord{func() TicketRecord {
			tk := ticket("1", "solved", ago(30*time.Hour))
			tk.WaitingSince = ago(26 * time.Hour)
			return tk
		}()}},
			SignalLongWait, false, ""},
		{"first ticket, no orders", CustomerView{Tickets: []TicketRecord{ticket("1", "open", ago(time.Hour))}}, SignalFirstContact, true, "first contact"},
		{"first ticket of a customer", CustomerView{Tickets: []TicketRecord{ticket("1", "open", ago(time.Hour))}, Orders: []OrderRecord{{Order: Order{ID: "1"}}}},
			SignalFirstContact, false, ""},
		{"$1,200 lifetime", CustomerView{Customer: Customer{Profile: Profile{LifetimeValue: 1200_00, Orders: 7, Currency: "USD"}}},
			SignalBigSpender, true, "$1,200 lifetime over 7 orders"},
		{"$999 lifetime", CustomerView{Customer: Customer{Profile: Profile{LifetimeValue: 999_00}}}, SignalBigSpender, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Signal
			for _, s := range rules.Signals(tt.view, now) {
				if s.Kind == tt.want {
					got = &s
				}
			}
			switch {
			case tt.present && got == nil:
				t.Fatalf("no %s signal", tt.want)
			case !tt.present && got != nil:
				t.Fatalf("unexpected %s: %+v", tt.want, *got)
			case tt.present && !strings.Contains(got.Evidence, tt.evidence):
				t.Errorf("evidence %q, want %q", got.Evidence, tt.evidence)
			}
		})
	}
}

func TestSignalThresholdsAreConfigurable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	view := CustomerView{Customer: Customer{Profile: Profile{LifetimeValue: 500_00}},
		Carts: []CartRecord{{Cart: Cart{ID: "c", Total: 5_00, UpdatedAt: now.Add(-10 * time.Minute)}}}}
	rules := DefaultSignalRules()
	if Has(rules.Signals(view, now), SignalBigSpender) || Has(rules.Signals(view, now), SignalAbandonedCart) {
		t.Fatal("defaults flag a $500 customer and a 10-minute cart")
	}
	rules.BigSpenderMin, rules.AbandonedCartAfter = 500_00, 5*time.Minute
	if s := rules.Signals(view, now); !Has(s, SignalBigSpender) || !Has(s, SignalAbandonedCart) {
		t.Errorf("lowered thresholds: %+v", s)
	}
	rules.BigSpenderMin, rules.LongWaitAfter, rules.DelayedOrderAfter, rules.RepeatContactCount = 0, 0, 0, 0
	if s := rules.Signals(view, now); Has(s, SignalBigSpender) {
		t.Errorf("a zero threshold turns the signal off: %+v", s)
	}
}

package plusone

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// suggestPolicy has gestures of every kind of rank, in an order that is not
// the ranking; the comments say what each is for a loyal customer with an
// abandoned cart and a delayed order.
func suggestPolicy(t testing.TB) *Policy {
	t.Helper()
	p := contractPolicy(t)
	p.CustomerBudget = nil
	cartOrDelay := []SignalKind{SignalAbandonedCart, SignalDelayedOrder}
	p.Gestures = []Gesture{
		// generic
		{ID: "note", Title: "Handwritten note", Value: 4_00, Cooldown: 2160 * time.Hour},
		// 2 signals + tier
		{ID: "shipping", Value: 15_00, Eligible: Eligibility{Tiers: []Tier{TierLoyal, TierAdvocate}, Signals: cartOrDelay}},
		// tier
		{ID: "loyal_discount", Value: 10_00, Eligible: Eligibility{Tiers: []Tier{TierLoyal}}},
		// 1 signal
		{ID: "cart_coupon", Value: 5_00, Eligible: Eligibility{Signals: []SignalKind{SignalAbandonedCart}}},
		// generic, costlier
		{ID: "gift", Value: 30_00},
		// 2 signals
		{ID: "rescue", Value: 20_00, Eligible: Eligibility{Signals: cartOrDelay}},
		// not her tier
		{ID: "advocate_gift", Value: 50_00, Eligible: Eligibility{Tiers: []Tier{TierAdvocate}}},
		// not her signal
		{ID: "csat_call", Value: 1_00, Eligible: Eligibility{Signals: []SignalKind{SignalLowCSAT}}},
		// generic, ties with note
		{ID: "mug", Value: 4_00},
		// paused
		{ID: "paused_gift", Value: 99_00, Paused: true},
		// ties with rescue
		{ID: "cart_rescue_same", Value: 20_00, Eligible: Eligibility{Signals: []SignalKind{SignalDelayedOrder, SignalAbandonedCart}}},
	}
	return p
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, ny)
	both := []Signal{cartSignal, delayedSignal}

	tests := []struct {
		name        string
		policy      func(p *Policy)
		customer    Customer
		signals     []Signal
		lastGranted map[string]time.Time
		spent       Money
		limit       int
		want        []string // gesture ids, best first
		scores      []int    // when set, the scores of want
	}{
		{name: "ranking", customer: customer(TierLoyal), signals: both, limit: 20,
			want:   []string{"shipping", "rescue", "cart_rescue_same", "cart_coupon", "loyal_discount", "gift", "note", "mug"},
			scores: []int{5, 4, 4, 2, 1, 0, 0, 0}},
		{name: "a card shows three", customer: customer(TierLoyal), signals: both, limit: 3,
			want: []string{"shipping", "rescue", "cart_rescue_same"}},
		{name: "one signal: tier-specific first, then by value", customer: customer(TierLoyal), signals: []Signal{cartSignal}, limit: 4,
			// Shipping, rescue and the coupon each answer her one signal.
			want: []string{"shipping", "rescue", "cart_rescue_same", "cart_coupon"}, scores: []int{3, 2, 2, 2}},
		{name: "no signals: tier-specific first, then by value", customer: customer(TierLoyal), signals: nil, limit: 20,
			want: []string{"loyal_discount", "gift", "note", "mug"}},
		{name: "other tier", customer: customer(TierAdvocate), signals: nil, limit: 20,
			want: []string{"advocate_gift", "gift", "note", "mug"}},
		{name: "no limit asked", customer: customer(TierLoyal), signals: both, limit: 0, want: nil},

		{name: "cooldown not over", customer: customer(TierLoyal), signals: both, limit: 2,
			policy:      func(p *Policy) { p.Gestures[1].Cooldown = 720 * time.Hour },
			lastGranted: map[string]time.Time{"shipping": now.Add(-time.Minute)},
			want:        []string{"rescue", "cart_rescue_same"}},
		{name: "no cooldown: granted a minute ago", customer: customer(TierLoyal), signals: both, limit: 2,
			lastGranted: map[string]time.Time{"shipping": now.Add(-time.Minute)},
			want:        []string{"shipping", "rescue"}},
		{name: "cooldown: one second before its end", customer: customer(TierLoyal), signals: nil, limit: 20,
			lastGranted: map[string]time.Time{"note": now.Add(-2160*time.Hour + time.Second)},
			want:        []string{"loyal_discount", "gift", "mug"}},
		{name: "cooldown: at its end", customer: customer(TierLoyal), signals: nil, limit: 20,
			lastGranted: map[string]time.Time{"note": now.Add(-2160 * time.Hour)},
			want:        []string{"loyal_discount", "gift", "note", "mug"}},

		{name: "customer budget: only what it still covers", customer: customer(TierLoyal), signals: both, limit: 20,
			policy: func(p *Policy) { p.CustomerBudget = &Budget{Amount: 50_00, Per: PerMonth} }, spent: 40_00,
			want: []string{"cart_coupon", "loyal_discount", "note", "mug"}},
		{name: "customer budget: exactly covers", customer: customer(TierLoyal), signals: both, limit: 20,
			policy: func(p *Policy) { p.CustomerBudget = &Budget{Amount: 50_00, Per: PerMonth} }, spent: 35_00,
			want: []string{"shipping", "cart_coupon", "loyal_discount", "note", "mug"}},
		{name: "customer budget: spent", customer: customer(TierLoyal), signals: both, limit: 20,
			policy: func(p *Policy) { p.CustomerBudget = &Budget{Amount: 50_00, Per: PerMonth} }, spent: 50_00,
			want: nil},
		{name: "paused gestures are not suggested", customer: customer(TierLoyal), signals: both, limit: 1,
			policy: func(p *Policy) { p.Gestures[1].Paused = true },
			want:   []string{"rescue"}},
		{name: "nothing fits", customer: customer(TierNew), signals: nil, limit: 3,
			policy: func(p *Policy) { p.Gestures = p.Gestures[1:4] },
			want:   nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := suggestPolicy(t)
			if tt.policy != nil {
				tt.policy(p)
			}
			got := p.Suggest(tt.customer, tt.signals, tt.lastGranted, tt.spent, now, tt.limit)
			var ids []string
			var scores []int
			for _, s := range got {
				ids = append(ids, s.Gesture.ID)
				scores = append(scores, s.Score)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Suggest = %v, want %v", ids, tt.want)
			}
			if tt.scores != nil && !slices.Equal(scores, tt.scores) {
				t.Errorf("scores = %v, want %v", scores, tt.scores)
			}
		})
	}
}

// TestSuggestAgreesWithDecide checks that every suggestion, offered by an
// agent with room in her budgets, is granted.
func TestSuggestAgreesWithDecide(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, p.Location())
	for _, tier := range Tiers() {
		for _, signals := range [][]Signal{nil, {cartSignal}, {csatSignal}} {
			for _, s := range p.Suggest(customer(tier), signals, nil, 0, now, 10) {
				d := p.Decide(Offer{Gesture: s.Gesture.ID, Agent: senior, Customer: customer(tier), Signals: signals, Now: now})
				if d.Status != StatusGranted {
					t.Errorf("%s with %v: suggested %s is %s: %s", tier, signals, s.Gesture.ID, d.Status, d.Reason)
				}
			}
		}
	}
}

func TestSuggestionReason(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	long := Signal{Kind: SignalDelayedOrder, Evidence: "order #1001-ALL-SEASON-TIRES-AND-RIMS not fulfilled, placed 6 days ago"}
	tests := []struct {
		name     string
		gesture  string
		customer Customer
		signals  []Signal
		want     string
	}{
		{"her tier and the evidence", "shipping", customer(TierLoyal), []Signal{cartSignal}, "loyal · abandoned $89 cart 2 days ago"},
		{"the first of her signals it answers", "shipping", customer(TierLoyal), []Signal{csatSignal, delayedSignal, cartSignal},
			"loyal · order #1001 not fulfilled, placed 6 days ago"},
		{"a generic gesture", "note", customer(TierLoyal), []Signal{cartSignal}, "loyal customer"},
		{"a tier gesture", "loyal_discount", customer(TierLoyal), []Signal{cartSignal}, "loyal customer"},
		{"no tier yet", "note", customer(""), nil, "new customer"},
		{"no evidence", "cart_coupon", customer(TierAdvocate), []Signal{{Kind: SignalAbandonedCart}}, "advocate · abandoned cart"},
		{"cut when long", "rescue", customer(TierSatisfied), []Signal{long},
			"satisfied · order #1001-ALL-SEASON-TIRES-AND-RIMS not fulfi…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := suggestPolicy(t)
			for _, s := range p.Suggest(tt.customer, tt.signals, nil, 0, now, 20) {
				if s.Gesture.ID != tt.gesture {
					continue
				}
				if s.Reason != tt.want {
					t.Errorf("Reason = %q, want %q", s.Reason, tt.want)
				}
				if n := utf8.RuneCountInString(s.Reason); n > maxReason {
					t.Errorf("Reason %q is %d characters, more than %d", s.Reason, n, maxReason)
				}
				return
			}
			t.Fatalf("%s not suggested", tt.gesture)
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"short", "short"},
		{strings.Repeat("a", 60), strings.Repeat("a", 60)},
		{strings.Repeat("a", 61), strings.Repeat("a", 59) + "…"},
		{strings.Repeat("é", 61), strings.Repeat("é", 59) + "…"},
		{strings.Repeat("a", 58) + " · b", strings.Repeat("a", 58) + "…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, 60); got != tt.want {
			t.Errorf("clip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSuggestDoesNotShareThePolicy checks that a caller changing a
// suggestion cannot change the policy.
func TestSuggestDoesNotShareThePolicy(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	got := p.Suggest(customer(TierLoyal), []Signal{cartSignal}, nil, 0, now, 3)
	if len(got) == 0 || got[0].Gesture.ID != "free_express_shipping" {
		t.Fatalf("Suggest = %+v", got)
	}
	got[0].Gesture.Eligible.Tiers[0] = TierNew
	if p.Gestures[0].Eligible.Tiers[0] != TierLoyal {
		t.Error("changing a suggestion changed the policy")
	}
}

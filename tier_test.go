package plusone

import "testing"

func TestTierRules(t *testing.T) {
	t.Parallel()
	ptr := func(i int) *int { return &i }
	rules := DefaultTierRules()
	tests := []struct {
		name string
		p    Profile
		want Tier
	}{
		{"no orders", Profile{}, TierNew},
		{"no orders but spend", Profile{LifetimeValue: 5000_00}, TierNew},
		{"one order", Profile{Orders: 1, LifetimeValue: 20_00}, TierSatisfied},
		{"three orders below spend", Profile{Orders: 3, LifetimeValue: 299_99}, TierSatisfied},
		{"loyal at threshold", Profile{Orders: 3, LifetimeValue: 300_00}, TierLoyal},
		{"advocate without nps", Profile{Orders: 12, LifetimeValue: 2000_00}, TierLoyal},
		{"advocate nps too low", Profile{Orders: 12, LifetimeValue: 2000_00, NPS: ptr(8)}, TierLoyal},
		{"advocate", Profile{Orders: 10, LifetimeValue: 1000_00, NPS: ptr(9)}, TierAdvocate},
		{"advocate spend short", Profile{Orders: 10, LifetimeValue: 999_99, NPS: ptr(10)}, TierLoyal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.Tier(tt.p); got != tt.want {
				t.Errorf("Tier(%+v) = %s, want %s", tt.p, got, tt.want)
			}
		})
	}
}

func TestTierRulesCSATAndDisabled(t *testing.T) {
	t.Parallel()
	four := 4
	rules := TierRules{
		Loyal:    TierRule{MinOrders: 2},
		Advocate: TierRule{MinOrders: 2, MinCSAT: &four},
	}
	csat := 5
	if got := rules.Tier(Profile{Orders: 2, CSAT: &csat}); got != TierAdvocate {
		t.Errorf("csat 5 = %s, want advocate", got)
	}
	if got := (TierRules{}).Tier(Profile{Orders: 50, LifetimeValue: 1e9}); got != TierSatisfied {
		t.Errorf("no rules = %s, want satisfied", got)
	}
}

func TestTierTitle(t *testing.T) {
	t.Parallel()
	for tier, want := range map[Tier]string{TierLoyal: "Loyal", TierNew: "New", "": "New", TierAdvocate: "Advocate"} {
		if got := tier.Title(); got != want {
			t.Errorf("%q.Title() = %q, want %q", tier, got, want)
		}
	}
}

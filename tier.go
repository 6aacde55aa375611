package plusone

// Tier is where a customer stands in the hierarchy of engagement.
type Tier string

// Tiers, lowest first.
const (
	TierNew       Tier = "new"       // no order yet
	TierSatisfied Tier = "satisfied" // has ordered
	TierLoyal     Tier = "loyal"
	TierAdvocate  Tier = "advocate"
)

// Tiers lists every tier, lowest first.
func Tiers() []Tier { return []Tier{TierNew, TierSatisfied, TierLoyal, TierAdvocate} }

// Rank orders tiers: new 0 … advocate 3; unknown tiers rank -1.
func (t Tier) Rank() int {
	for i, x := range Tiers() {
		if x == t {
			return i
		}
	}
	return -1
}

// Valid reports whether t is one of the four tiers.
func (t Tier) Valid() bool { return t.Rank() >= 0 }

// Title is the tier for people: "Loyal".
func (t Tier) Title() string {
	if t == "" {
		return "New"
	}
	return string(t[0]-'a'+'A') + string(t[1:])
}

// TierRule lists the conditions of a tier; every condition set must hold.
type TierRule struct {
	MinOrders int
	MinSpend  Money
	MinNPS    *int // latest NPS score at least this
	MinCSAT   *int // latest CSAT score at least this
}

// Empty reports whether the rule sets no condition at all (tier disabled).
func (r TierRule) Empty() bool {
	return r.MinOrders == 0 && r.MinSpend == 0 && r.MinNPS == nil && r.MinCSAT == nil
}

func (r TierRule) holds(p Profile) bool {
	if r.Empty() {
		return false
	}
	if p.Orders < r.MinOrders || p.LifetimeValue < r.MinSpend {
		return false
	}
	if r.MinNPS != nil && (p.NPS == nil || *p.NPS < *r.MinNPS) {
		return false
	}
	if r.MinCSAT != nil && (p.CSAT == nil || *p.CSAT < *r.MinCSAT) {
		return false
	}
	return true
}

// TierRules are the policy's thresholds for the upper tiers.
type TierRules struct {
	Loyal    TierRule
	Advocate TierRule
}

// DefaultTierRules are the thresholds of the contract's example policy.
func DefaultTierRules() TierRules {
	nine := 9
	return TierRules{
		Loyal:    TierRule{MinOrders: 3, MinSpend: 300_00},
		Advocate: TierRule{MinOrders: 10, MinSpend: 1000_00, MinNPS: &nine},
	}
}

// Tier places a profile: new without orders, satisfied with one, then the
// highest rule that holds.
func (r TierRules) Tier(p Profile) Tier {
	switch {
	case p.Orders == 0:
		return TierNew
	case r.Advocate.holds(p):
		return TierAdvocate
	case r.Loyal.holds(p):
		return TierLoyal
	default:
		return TierSatisfied
	}
}

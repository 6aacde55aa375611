package plusone

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the tests use real zones whatever the machine has installed
)

// zone loads an IANA time zone.
func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Slack users of the contract's example policy.
const (
	agent1 = "U0AGENT01" // agent, team frontline
	senior = "U0SENIOR1" // senior, no team
	loner  = "U0LONER01" // agent, no team
)

// contractPolicy is the contract's example policy file, plus an upgrade only
// advocates may get (it is over the agent's $25 limit).
func contractPolicy(t testing.TB) *Policy {
	t.Helper()
	p := DefaultPolicy()
	p.Timezone = zone(t, "America/New_York")
	p.Gestures = append(p.Gestures, Gesture{ID: "premium_upgrade", Title: "Upgrade to premium tires", Kind: "upgrade",
		Value: 40_00, Eligible: Eligibility{Tiers: []Tier{TierAdvocate}}, Cooldown: 8760 * time.Hour})
	p.Roles["senior"] = Role{MaxPerGesture: 75_00, Budget: &Budget{Amount: 300_00, Per: PerDay}}
	p.Members = map[string]string{senior: "senior"}
	p.Teams = []Team{{ID: "frontline", Members: []string{agent1, "U0AGENT02"}, Budget: &Budget{Amount: 1000_00, Per: PerWeek}}}
	p.Approvals = Approvals{Channel: "C0SUPERVISORS", Supervisors: []string{"U0SUPER01"}, Expire: 24 * time.Hour}
	return p
}

// customer returns a customer of tier (zero: no tier yet).
func customer(tier Tier) Customer {
	return Customer{ID: 42, Name: "Jane Doe", Email: "jane@example.com",
		Profile: Profile{Orders: 4, LifetimeValue: 420_00, Currency: "USD", Tier: tier}}
}

var (
	cartSignal    = Signal{Kind: SignalAbandonedCart, Evidence: "abandoned $89 cart 2 days ago", Amount: 89_00, Currency: "USD"}
	delayedSignal = Signal{Kind: SignalDelayedOrder, Evidence: "order #1001 not fulfilled, placed 6 days ago"}
	csatSignal    = Signal{Kind: SignalLowCSAT, Evidence: "rated us CSAT 1"}
)

func TestDecide(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, ny) // a Friday afternoon in New York
	const within = "within your limits"

	tests := []struct {
		name     string
		policy   func(p *Policy) // changes to the contract's policy
		offer    Offer           // Gesture free_express_shipping, agent1, a loyal customer with a cart, now: unless set
		status   LedgerStatus
		reason   string
		blocking []string
	}{
		{name: "granted", status: StatusGranted, reason: within},
		{name: "unknown gesture", offer: Offer{Gesture: "free_car"},
			status: StatusRefused, reason: `unknown gesture "free_car"`},
		{name: "paused", policy: func(p *Policy) { p.Gestures[0].Paused = true },
			status: StatusRefused, reason: "Free express shipping on the next order is paused by a supervisor"},
		{name: "paused gesture without a title is named by id",
			policy: func(p *Policy) { p.Gestures[0].Paused, p.Gestures[0].Title = true, "" },
			status: StatusRefused, reason: "free_express_shipping is paused by a supervisor"},

		// Eligibility by tier.
		{name: "tier: satisfied is not eligible", offer: Offer{Customer: customer(TierSatisfied)},
			status: StatusRefused, reason: "not eligible: she is satisfied; needs loyal or advocate"},
		{name: "tier: no tier counts as new", offer: Offer{Customer: customer("")},
			status: StatusRefused, reason: "not eligible: she is new; needs loyal or advocate"},
		{name: "tier: advocate is eligible", offer: Offer{Customer: customer(TierAdvocate)},
			status: StatusGranted, reason: within},
		{name: "tier: three tiers listed", policy: func(p *Policy) {
			p.Gestures[0].Eligible.Tiers = []Tier{TierSatisfied, TierLoyal, TierAdvocate}
		}, offer: Offer{Customer: customer(TierNew)},
			status: StatusRefused, reason: "not eligible: she is new; needs satisfied, loyal or advocate"},
		{name: "tier: a gesture for every tier", offer: Offer{Gesture: "handwritten_note", Customer: customer(TierNew)},
			status: StatusGranted, reason: within},

		// Eligibility by signal.
		{name: "signal: none of hers applies", offer: Offer{Signals: []Signal{csatSignal}},
			status: StatusRefused, reason: "not eligible: none of abandoned cart, delayed order, repeat contact applies now"},
		{name: "signal: she has none", offer: Offer{Signals: []Signal{}},
			status: StatusRefused, reason: "not eligible: none of abandoned cart, delayed order, repeat contact applies now"},
		{name: "signal: any one of them is enough", offer: Offer{Signals: []Signal{csatSignal, delayedSignal}},
			status: StatusGranted, reason: within},
		{name: "signal: a gesture for one signal", policy: func(p *Policy) {
			p.Gestures[0].Eligible.Signals = []SignalKind{SignalLowCSAT}
		}, status: StatusRefused, reason: "not eligible: low CSAT does not apply now"},
		{name: "tier and signal both fail: the tier is named", offer: Offer{Customer: customer(TierSatisfied), Signals: []Signal{}},
			status: StatusRefused, reason: "not eligible: she is satisfied; needs loyal or advocate"},

		// Cooldown: 720h for free express shipping.
		{name: "cooldown: one second before its end", offer: Offer{LastGranted: now.Add(-720*time.Hour + time.Second)},
			status: StatusRefused, reason: "granted to her 29 days ago; again after Nov 20"},
		{name: "cooldown: at its end", offer: Offer{LastGranted: now.Add(-720 * time.Hour)},
			status: StatusGranted, reason: within},
		{name: "cooldown: recent", offer: Offer{LastGranted: now.Add(-3 * 24 * time.Hour)},
			status: StatusRefused, reason: "granted to her 3 days ago; again after Dec 17"},
		{name: "cooldown: ends next year", offer: Offer{Gesture: "handwritten_note", LastGranted: now.Add(-24 * time.Hour)},
			status: StatusRefused, reason: "granted to her 24 hours ago; again after Feb 17, 2027"},
		{name: "cooldown: refused before any limit", offer: Offer{LastGranted: now.Add(-time.Hour), Spent: Spend{Agent: 100_00}},
			status: StatusRefused, reason: "granted to her 1 hour ago; again after Dec 20"},

		// The role's limit per gesture.
		{name: "role: over the agent's limit", offer: Offer{Gesture: "premium_upgrade", Customer: customer(TierAdvocate)},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: over the $25 limit per gesture of your role (agent)",
			blocking: []string{"over the $25 limit per gesture of your role (agent)"}},
		{name: "role: within the senior's limit", offer: Offer{Gesture: "premium_upgrade", Agent: senior, Customer: customer(TierAdvocate)},
			status: StatusGranted, reason: within},
		{name: "role: value exactly at the limit", policy: func(p *Policy) { p.Roles["agent"] = Role{MaxPerGesture: 15_00} },
			status: StatusGranted, reason: within},
		{name: "role: one cent over the limit", policy: func(p *Policy) { p.Roles["agent"] = Role{MaxPerGesture: 14_99} },
			status: StatusPendingApproval, reason: "needs a supervisor's approval: over the $14.99 limit per gesture of your role (agent)",
			blocking: []string{"over the $14.99 limit per gesture of your role (agent)"}},
		{name: "role: a zero limit sends everything for approval", policy: func(p *Policy) { p.Roles["agent"] = Role{} },
			offer: Offer{Gesture: "handwritten_note"}, status: StatusPendingApproval,
			reason:   "needs a supervisor's approval: your role (agent) needs approval for every gesture",
			blocking: []string{"your role (agent) needs approval for every gesture"}},
		{name: "role: a member of an undefined role gets the built-in agent role",
			policy: func(p *Policy) { p.Members[loner] = "lead"; p.Roles["agent"] = Role{MaxPerGesture: 1_00} },
			offer:  Offer{Gesture: "premium_upgrade", Agent: loner, Customer: customer(TierAdvocate)},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: over the $25 limit per gesture of your role (agent)",
			blocking: []string{"over the $25 limit per gesture of your role (agent)"}},

		// The agent's budget: $100 a day for agents.
		{name: "agent budget: exactly covers", offer: Offer{Spent: Spend{Agent: 85_00}},
			status: StatusGranted, reason: within},
		{name: "agent budget: one cent short", offer: Offer{Spent: Spend{Agent: 85_01}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: agent budget: $14.99 left of $100 today",
			blocking: []string{"agent budget: $14.99 left of $100 today"}},
		{name: "agent budget: overspent shows nothing left", offer: Offer{Spent: Spend{Agent: 120_00}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: agent budget: $0 left of $100 today",
			blocking: []string{"agent budget: $0 left of $100 today"}},
		{name: "agent budget: the senior's own", offer: Offer{Agent: senior, Spent: Spend{Agent: 290_00}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: agent budget: $10 left of $300 today",
			blocking: []string{"agent budget: $10 left of $300 today"}},
		{name: "agent budget: a budget of her own replaces the role's",
			policy: func(p *Policy) { p.AgentBudgets = map[string]Budget{agent1: {Amount: 10_00, Per: PerWeek}} },
			status: StatusPendingApproval, reason: "needs a supervisor's approval: agent budget: $10 left of $10 this week",
			blocking: []string{"agent budget: $10 left of $10 this week"}},
		{name: "agent budget: a larger one of her own", offer: Offer{Spent: Spend{Agent: 95_00}},
			policy: func(p *Policy) { p.AgentBudgets = map[string]Budget{agent1: {Amount: 500_00, Per: PerDay}} },
			status: StatusGranted, reason: within},
		{name: "agent budget: a role without budget has none", offer: Offer{Spent: Spend{Agent: 1_000_000_00}},
			policy: func(p *Policy) { p.Roles["agent"] = Role{MaxPerGesture: 25_00} },
			status: StatusGranted, reason: within},

		// The team's budget: $1,000 a week for frontline.
		{name: "team budget: exactly covers", offer: Offer{Spent: Spend{Team: 985_00}},
			status: StatusGranted, reason: within},
		{name: "team budget: one cent short", offer: Offer{Spent: Spend{Team: 985_01}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: team budget (frontline): $14.99 left of $1,000 this week",
			blocking: []string{"team budget (frontline): $14.99 left of $1,000 this week"}},
		{name: "team budget: an agent in no team has none", offer: Offer{Agent: loner, Spent: Spend{Team: 1000_00}},
			status: StatusGranted, reason: within},
		{name: "team budget: a team without budget", offer: Offer{Spent: Spend{Team: 1000_00}},
			policy: func(p *Policy) { p.Teams[0].Budget = nil },
			status: StatusGranted, reason: within},

		// The customer's budget: $50 a month.
		{name: "customer budget: exactly covers", offer: Offer{Spent: Spend{Customer: 35_00}},
			status: StatusGranted, reason: within},
		{name: "customer budget: one cent short", offer: Offer{Spent: Spend{Customer: 35_01}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: customer budget: $14.99 left of $50 this month",
			blocking: []string{"customer budget: $14.99 left of $50 this month"}},
		{name: "customer budget: spent", offer: Offer{Spent: Spend{Customer: 50_00}},
			status: StatusPendingApproval, reason: "needs a supervisor's approval: customer budget: $0 left of $50 this month",
			blocking: []string{"customer budget: $0 left of $50 this month"}},
		{name: "customer budget: none", offer: Offer{Spent: Spend{Customer: 50_00}},
			policy: func(p *Policy) { p.CustomerBudget = nil },
			status: StatusGranted, reason: within},
		{name: "customer budget: zero is a budget", policy: func(p *Policy) { p.CustomerBudget = &Budget{Per: PerDay} },
			status: StatusPendingApproval, reason: "needs a supervisor's approval: customer budget: $0 left of $0 today",
			blocking: []string{"customer budget: $0 left of $0 today"}},

		{name: "everything blocks at once", offer: Offer{Gesture: "premium_upgrade", Customer: customer(TierAdvocate),
			Spent: Spend{Agent: 96_00, Team: 999_00, Customer: 46_00}},
			status: StatusPendingApproval,
			reason: "needs a supervisor's approval: over the $25 limit per gesture of your role (agent); " +
				"agent budget: $4 left of $100 today; team budget (frontline): $1 left of $1,000 this week; " +
				"customer budget: $4 left of $50 this month",
			blocking: []string{"over the $25 limit per gesture of your role (agent)", "agent budget: $4 left of $100 today",
				"team budget (frontline): $1 left of $1,000 this week", "customer budget: $4 left of $50 this month"}},
		{name: "amounts in the policy's currency", offer: Offer{Spent: Spend{Customer: 40_00}},
			policy: func(p *Policy) { p.Currency = "EUR" },
			status: StatusPendingApproval, reason: "needs a supervisor's approval: customer budget: €10 left of €50 this month",
			blocking: []string{"customer budget: €10 left of €50 this month"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := contractPolicy(t)
			if tt.policy != nil {
				tt.policy(p)
			}
			o := tt.offer
			if o.Gesture == "" {
				o.Gesture = "free_express_shipping"
			}
			if o.Agent == "" {
				o.Agent = agent1
			}
			if o.Customer.ID == 0 {
				o.Customer = customer(TierLoyal)
			}
			if o.Signals == nil {
				o.Signals = []Signal{cartSignal}
			}
			if o.Now.IsZero() {
				o.Now = now
			}
			got := p.Decide(o)
			if got.Status != tt.status || got.Reason != tt.reason || !slices.Equal(got.Blocking, tt.blocking) {
				t.Errorf("Decide =\n  %s %q %q\nwant\n  %s %q %q", got.Status, got.Reason, got.Blocking, tt.status, tt.reason, tt.blocking)
			}
		})
	}
}

// TestDecideAfterMidnight shows a budget rolling over at local midnight in
// the policy's zone: the caller sums what was charged since
// Budget.PeriodStart and Decide sees only today's spend.
func TestDecideAfterMidnight(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	type charge struct {
		at     time.Time
		amount Money
	}
	// $90 charged at 23:59 in New York, which is already 04:59 UTC the next day.
	charges := []charge{{time.Date(2026, 11, 19, 23, 59, 0, 0, ny), 90_00}}
	spentSince := func(start time.Time) Money {
		var sum Money
		for _, c := range charges {
			if !c.at.Before(start) {
				sum += c.amount
			}
		}
		return sum
	}

	tests := []struct {
		name   string
		tz     *time.Location
		now    time.Time
		status LedgerStatus
		reason string
	}{
		{"New York, 23:59:30 the same evening", ny, time.Date(2026, 11, 19, 23, 59, 30, 0, ny),
			StatusPendingApproval, "needs a supervisor's approval: agent budget: $10 left of $100 today"},
		{"New York, 00:00:30 the next day", ny, time.Date(2026, 11, 20, 0, 0, 30, 0, ny),
			StatusGranted, "within your limits"},
		{"New York, at midnight exactly", ny, time.Date(2026, 11, 20, 0, 0, 0, 0, ny),
			StatusGranted, "within your limits"},
		// The same instants in a UTC policy: the charge and now fall on the same UTC day.
		{"UTC, 00:00:30 New York time", time.UTC, time.Date(2026, 11, 20, 0, 0, 30, 0, ny),
			StatusPendingApproval, "needs a supervisor's approval: agent budget: $10 left of $100 today"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := contractPolicy(t)
			p.Timezone = tt.tz
			b, ok := p.AgentBudget(agent1)
			if !ok {
				t.Fatal("agent1 has no budget")
			}
			spent := spentSince(b.PeriodStart(tt.now, p.Location()))
			got := p.Decide(Offer{Gesture: "free_express_shipping", Agent: agent1, Customer: customer(TierLoyal),
				Signals: []Signal{cartSignal}, Spent: Spend{Agent: spent}, Now: tt.now})
			if got.Status != tt.status || got.Reason != tt.reason {
				t.Errorf("spent %s: Decide = %s %q, want %s %q", spent.Format("USD"), got.Status, got.Reason, tt.status, tt.reason)
			}
		})
	}
}

func TestRoleOf(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	p.Members["U0LEAD001"] = "lead" // a role the policy does not define
	tests := []struct {
		agent, name string
		max         Money
	}{
		{agent1, "agent", 25_00},
		{"U0UNKNOWN", "agent", 25_00},
		{senior, "senior", 75_00},
		{"U0LEAD001", "agent", 25_00},
	}
	for _, tt := range tests {
		name, role := p.RoleOf(tt.agent)
		if name != tt.name || role.MaxPerGesture != tt.max {
			t.Errorf("RoleOf(%s) = %s %+v, want %s with max %d", tt.agent, name, role, tt.name, tt.max)
		}
	}

	// Without an agent role every unlisted user gets the built-in one.
	p.Roles = map[string]Role{"senior": p.Roles["senior"]}
	if name, role := p.RoleOf(agent1); name != DefaultAgentRole || role.MaxPerGesture != 25_00 || role.Budget == nil || role.Budget.Amount != 100_00 {
		t.Errorf("RoleOf without an agent role = %s %+v, want the built-in agent role", name, role)
	}
}

func TestTeamOfAndAgentBudget(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	if team, ok := p.TeamOf(agent1); !ok || team.ID != "frontline" {
		t.Errorf("TeamOf(%s) = %+v, %v; want frontline", agent1, team, ok)
	}
	if team, ok := p.TeamOf(loner); ok {
		t.Errorf("TeamOf(%s) = %+v, want none", loner, team)
	}

	p.AgentBudgets = map[string]Budget{loner: {Amount: 7_00, Per: PerMonth}}
	p.Roles["intern"] = Role{MaxPerGesture: 5_00}
	p.Members["U0INTERN1"] = "intern"
	tests := []struct {
		agent string
		want  Budget
		ok    bool
	}{
		{agent1, Budget{Amount: 100_00, Per: PerDay}, true},
		{senior, Budget{Amount: 300_00, Per: PerDay}, true},
		{loner, Budget{Amount: 7_00, Per: PerMonth}, true},
		{"U0INTERN1", Budget{}, false},
	}
	for _, tt := range tests {
		if got, ok := p.AgentBudget(tt.agent); got != tt.want || ok != tt.ok {
			t.Errorf("AgentBudget(%s) = %+v, %v; want %+v, %v", tt.agent, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGestureByID(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	if g, ok := p.GestureByID("handwritten_note"); !ok || g.Value != 4_00 {
		t.Errorf("GestureByID(handwritten_note) = %+v, %v", g, ok)
	}
	if g, ok := p.GestureByID("free_car"); ok {
		t.Errorf("GestureByID(free_car) = %+v, want none", g)
	}
}

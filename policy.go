package plusone

import (
	"slices"
	"strings"
	"time"
)

// Policy is what supervisors decide: tiers, signal thresholds, gestures and
// the empowerment limits and budgets around them, approvals and routing. It
// is loaded from PLUSONE_POLICY_FILE (config.LoadPolicy) or is DefaultPolicy.
type Policy struct {
	Currency string
	Timezone *time.Location
	Tiers    TierRules
	Signals  SignalRules
	Gestures []Gesture
	Roles    map[string]Role
	Members  map[string]string // Slack user ID -> role
	// AgentBudgets are budgets of single agents, set by supervisors in
	// Slack; they replace the role's budget for that agent.
	AgentBudgets     map[string]Budget
	Teams            []Team
	CustomerBudget   *Budget
	Approvals        Approvals
	CustomerChannels map[string]string // Slack channel ID -> customer email or email domain
	Routing          []Route
	// Private lists customer fields never shown in Slack (e.g. "phone").
	Private []string
	// Outcomes says how gestures are measured and what comes back to
	// agents and supervisors.
	Outcomes OutcomesPolicy
	// Retention erases customers with no event for this long; zero keeps
	// them.
	Retention time.Duration
	// LinkDomains are hosts, lower case, where a helpdesk is served on the
	// customer's own domain (support.acme.example): its ticket links are
	// known by their path (LinkPattern.Path) and unfurl.
	LinkDomains []string
	// CardFields are the helpdesk's facts the card shows, in this order:
	// assignee, organization, plan (CardFieldAssignee…) or a vendor's
	// custom field by its name.
	CardFields []string
	// Escalations are the rules for tickets left unanswered; the first
	// matching one applies (Policy.Escalation).
	Escalations []Escalation
}

// Gesture is a "plus one" an agent may grant.
type Gesture struct {
	ID       string
	Title    string
	Kind     string // shipping, discount, gift, add_on, note, upgrade
	Value    Money
	Eligible Eligibility
	Cooldown time.Duration
	Paused   bool
	// Holdout is the share of customers (0 to 1) held out from the
	// gesture to measure it: its own, else the policy's Outcomes.Holdout.
	Holdout float64
}

// Gesture kinds.
var gestureKinds = []string{"shipping", "discount", "gift", "add_on", "note", "upgrade"}

// GestureKinds lists the valid gesture kinds.
func GestureKinds() []string { return slices.Clone(gestureKinds) }

// Eligibility lists conditions on the customer; every listed one must hold.
type Eligibility struct {
	Tiers   []Tier       // her tier is one of these
	Signals []SignalKind // any one of these signals is present
}

// Role is an empowerment limit.
type Role struct {
	MaxPerGesture Money
	Budget        *Budget
}

// Period is a calendar budget period in the policy's timezone.
type Period string

// Budget periods.
const (
	PerDay   Period = "day"
	PerWeek  Period = "week"
	PerMonth Period = "month"
)

// Budget is an amount that may be spent per period.
type Budget struct {
	Amount Money
	Per    Period
}

// Team groups agents under a shared budget.
type Team struct {
	ID      string
	Members []string
	Budget  *Budget
}

// Approvals says where approval requests go and who may decide them.
type Approvals struct {
	Channel     string
	Supervisors []string
	Expire      time.Duration
}

// Route sends cards matching When to Channel.
type Route struct {
	When    RouteMatch
	Channel string
}

// RouteMatch holds a route's conditions; every one set must match.
type RouteMatch struct {
	Source Source
	Tier   Tier
	Tag    string
	Brand  string
}

// RouteInput is what routing looks at.
type RouteInput struct {
	Source Source
	Tier   Tier
	Tags   []string
	Brand  string
}

// DefaultAgentRole is the role of every Slack user the policy does not list.
const DefaultAgentRole = "agent"

// DefaultPolicy is the conservative built-in policy used when no policy file
// is set: the contract's tiers, default signal thresholds, two modest
// gestures, a small agent limit and budget, and no routing rules.
func DefaultPolicy() *Policy {
	return &Policy{
		Currency: "USD",
		Timezone: time.UTC,
		Tiers:    DefaultTierRules(),
		Signals:  DefaultSignalRules(),
		Gestures: []Gesture{
			{ID: "free_express_shipping", Title: "Free express shipping on the next order", Kind: "shipping",
				Value:    15_00,
				Eligible: Eligibility{Tiers: []Tier{TierLoyal, TierAdvocate}, Signals: []SignalKind{SignalAbandonedCart, SignalDelayedOrder, SignalRepeatContact}},
				Cooldown: 720 * time.Hour},
			{ID: "handwritten_note", Title: "Handwritten thank-you note", Kind: "note", Value: 4_00, Cooldown: 2160 * time.Hour},
		},
		Roles: map[string]Role{
			DefaultAgentRole: {MaxPerGesture: 25_00, Budget: &Budget{Amount: 100_00, Per: PerDay}},
		},
		Members:        map[string]string{},
		CustomerBudget: &Budget{Amount: 50_00, Per: PerMonth},
		Approvals:      Approvals{Expire: 24 * time.Hour},
		Outcomes:       OutcomesPolicy{Windows: DefaultOutcomeWindows()},
	}
}

// Channel returns the channel a card goes to: the first matching route, or
// fallback.
func (p *Policy) Channel(in RouteInput, fallback string) string {
	for _, r := range p.Routing {
		if r.When.matches(in) {
			return r.Channel
		}
	}
	return fallback
}

func (m RouteMatch) matches(in RouteInput) bool {
	if m.Source != "" && m.Source != in.Source {
		return false
	}
	if m.Tier != "" && m.Tier != in.Tier {
		return false
	}
	if m.Brand != "" && !strings.EqualFold(m.Brand, in.Brand) {
		return false
	}
	if m.Tag != "" && !slices.ContainsFunc(in.Tags, func(t string) bool { return strings.EqualFold(t, m.Tag) }) {
		return false
	}
	return true
}

// IsPrivate reports whether the policy hides field (e.g. "phone") from Slack.
func (p *Policy) IsPrivate(field string) bool {
	return slices.ContainsFunc(p.Private, func(f string) bool { return strings.EqualFold(f, field) })
}

// CustomerChannel returns the customer (email or email domain) a shared Slack
// channel belongs to.
func (p *Policy) CustomerChannel(channel string) (string, bool) {
	c, ok := p.CustomerChannels[channel]
	return c, ok
}

package plusone

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RoleOf returns the role of a Slack user and its name: the role Members
// gives her, else DefaultAgentRole. When the policy does not define that
// role (config always defines "agent", a policy built by hand may not), she
// gets the agent role of DefaultPolicy and name is DefaultAgentRole, so
// messages name the limits that really apply.
func (p *Policy) RoleOf(agent string) (name string, role Role) {
	name = p.Members[agent]
	if name == "" {
		name = DefaultAgentRole
	}
	if r, ok := p.Roles[name]; ok {
		return name, r
	}
	return DefaultAgentRole, DefaultPolicy().Roles[DefaultAgentRole]
}

// TeamOf returns the first team that lists agent among its members; config
// lets an agent belong to one team at most.
func (p *Policy) TeamOf(agent string) (Team, bool) {
	for _, t := range p.Teams {
		if slices.Contains(t.Members, agent) {
			return t, true
		}
	}
	return Team{}, false
}

// AgentBudget returns the budget of one agent: the one a supervisor set for
// her in AgentBudgets, else her role's. It reports false when neither sets
// one: the agent then has no budget of her own (not a zero budget).
func (p *Policy) AgentBudget(agent string) (Budget, bool) {
	if b, ok := p.AgentBudgets[agent]; ok {
		return b, true
	}
	if _, r := p.RoleOf(agent); r.Budget != nil {
		return *r.Budget, true
	}
	return Budget{}, false
}

// GestureByID returns the policy's gesture with that id.
func (p *Policy) GestureByID(id string) (Gesture, bool) {
	for _, g := range p.Gestures {
		if g.ID == id {
			return g, true
		}
	}
	return Gesture{}, false
}

// Decide applies the policy to an agent's offer and returns its verdict,
// checking in this order:
//
//  1. an unknown gesture is refused;
//  2. a paused gesture is refused;
//  3. a gesture she is not eligible for is refused: when Eligible.Tiers is
//     set her tier must be one of them (no tier counts as new), and when
//     Eligible.Signals is set one of her signals must be among them; the
//     reason names the first condition that fails, tier before signals;
//  4. a gesture granted to her less than its Cooldown before o.Now is
//     refused (at exactly Cooldown it is allowed again);
//  5. every limit and budget that does not cover the gesture's value is
//     listed in Blocking and makes the offer pending_approval: the role's
//     MaxPerGesture, and the remaining agent, team and customer budgets
//     (budget minus o.Spent). A role's MaxPerGesture is taken literally, so
//     0 sends every offer of that role for approval; a nil budget is no
//     budget at all, never a zero one.
//
// Otherwise the offer is granted. o.Spent must be what was charged in the
// current period of each budget (see Budget.PeriodStart); Decide itself
// reads no clock. Amounts are shown in the policy's currency.
func (p *Policy) Decide(o Offer) Decision {
	g, ok := p.GestureByID(o.Gesture)
	if !ok {
		return refused(fmt.Sprintf("unknown gesture %q", o.Gesture))
	}
	if g.Paused {
		return refused(g.name() + " is paused by a supervisor")
	}
	if why, ok := eligible(g, o.Customer, o.Signals); !ok {
		return refused("not eligible: " + why)
	}
	if why, ok := p.cooledDown(g, o.LastGranted, o.Now); !ok {
		return refused(why)
	}
	if blocking := p.blocking(g, o.Agent, o.Spent); len(blocking) > 0 {
		return Decision{
			Status:   StatusPendingApproval,
			Reason:   "needs a supervisor's approval: " + strings.Join(blocking, "; "),
			Blocking: blocking,
		}
	}
	return Decision{Status: StatusGranted, Reason: "within your limits"}
}

func refused(reason string) Decision {
	return Decision{Status: StatusRefused, Reason: reason}
}

// name is the gesture for people.
func (g Gesture) name() string {
	if g.Title != "" {
		return g.Title
	}
	return g.ID
}

// tierOf is her tier; a profile without one is new.
func tierOf(c Customer) Tier {
	if c.Profile.Tier == "" {
		return TierNew
	}
	return c.Profile.Tier
}

// eligible checks the gesture's conditions on the customer and, when one
// fails, says which: "she is satisfied; needs loyal or advocate".
func eligible(g Gesture, c Customer, signals []Signal) (string, bool) {
	if tiers := g.Eligible.Tiers; len(tiers) > 0 {
		t := tierOf(c)
		if !slices.Contains(tiers, t) {
			names := make([]string, len(tiers))
			for i, x := range tiers {
				names[i] = string(x)
			}
			return fmt.Sprintf("she is %s; needs %s", t, joinOr(names)), false
		}
	}
	if kinds := g.Eligible.Signals; len(kinds) > 0 && answered(g, signals) == 0 {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = signalWords(k)
		}
		if len(names) == 1 {
			return names[0] + " does not apply now", false
		}
		return "none of " + strings.Join(names, ", ") + " applies now", false
	}
	return "", true
}

// answered counts the distinct kinds of her signals that the gesture is
// meant for (its Eligible.Signals).
func answered(g Gesture, signals []Signal) int {
	n := 0
	for _, k := range g.Eligible.Signals {
		if Has(signals, k) {
			n++
		}
	}
	return n
}

// cooledDown reports whether the gesture's cooldown since it was last
// granted to her has passed at now, and if not says when it will.
func (p *Policy) cooledDown(g Gesture, last, now time.Time) (string, bool) {
	if last.IsZero() || now.Sub(last) >= g.Cooldown {
		return "", true
	}
	loc := p.Location()
	again := last.Add(g.Cooldown).In(loc)
	layout := "Jan 2"
	if again.Year() != now.In(loc).Year() {
		layout = "Jan 2, 2006"
	}
	return fmt.Sprintf("granted to her %s; again after %s", Ago(now, last), again.Format(layout)), false
}

// blocking lists each limit and budget that does not cover the gesture.
func (p *Policy) blocking(g Gesture, agent string, spent Spend) []string {
	cur := p.Currency
	var out []string
	roleName, role := p.RoleOf(agent)
	switch {
	case role.MaxPerGesture <= 0:
		out = append(out, fmt.Sprintf("your role (%s) needs approval for every gesture", roleName))
	case g.Value > role.MaxPerGesture:
		out = append(out, fmt.Sprintf("over the %s limit per gesture of your role (%s)",
			role.MaxPerGesture.Format(cur), roleName))
	}
	short := func(scope string, b Budget, spent Money) {
		left := b.Amount - spent
		if left >= g.Value {
			return
		}
		out = append(out, fmt.Sprintf("%s: %s left of %s %s",
			scope, max(left, 0).Format(cur), b.Amount.Format(cur), periodWords(b.Per)))
	}
	if b, ok := p.AgentBudget(agent); ok {
		short("agent budget", b, spent.Agent)
	}
	if t, ok := p.TeamOf(agent); ok && t.Budget != nil {
		short(fmt.Sprintf("team budget (%s)", t.ID), *t.Budget, spent.Team)
	}
	if b := p.CustomerBudget; b != nil {
		short("customer budget", *b, spent.Customer)
	}
	return out
}

// signalWords names a signal for people: "abandoned cart", "low CSAT".
func signalWords(k SignalKind) string {
	if k == SignalLowCSAT {
		return "low CSAT"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// joinOr joins words as people list alternatives: "a", "a or b",
// "a, b or c".
func joinOr(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

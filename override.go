package plusone

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// overridePaths lists the settings supervisors may override, for errors.
const overridePaths = "roles.<role>.max_per_gesture, roles.<role>.budget, agents.<user>.budget, " +
	"teams.<team>.budget, customer_budget or gestures.<id>.paused"

// budgetSyntax says how to write a budget, for errors.
const budgetSyntax = "write an amount per day, week or month, e.g. 100/day, 300/week or 1000/month, or none"

// WithOverrides returns a copy of the policy with supervisors' overrides
// applied in order, so a later override of a path wins over an earlier one.
// An override whose NewValue is "" removes the overrides of its path before
// it: the value of p applies again. Call it on the policy file's policy
// with every override in force, not on a policy already overridden, or ""
// brings back that policy's value instead of the file's. p is not changed,
// and the copy shares no map, slice or pointer with it (see Clone).
//
// Every override is checked, including those a later one replaces. An
// unknown path, an unknown role, team or gesture, or a value that does not
// parse is an *Error with code EINVALID that names the path and the value;
// callers refuse such an edit.
func (p *Policy) WithOverrides(overrides []Override) (*Policy, error) {
	q := p.Clone()
	for _, o := range overrides {
		s, err := p.setting(o.Path, o.NewValue)
		if err != nil {
			return nil, err
		}
		if err := set(q, p, s, o.NewValue); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// OverrideValue returns the current value of an overridable setting in the
// syntax of Override values ("25", "100/day", "none", "true"), to record as
// an Override's OldValue. An agent without a budget of her own has "": her
// role's budget applies. Paths are checked as by WithOverrides.
func (p *Policy) OverrideValue(path string) (string, error) {
	s, err := p.setting(path, "")
	if err != nil {
		return "", err
	}
	switch s.kind {
	case setRoleMax:
		return plainMoney(p.Roles[s.name].MaxPerGesture), nil
	case setRoleBudget:
		return FormatBudget(p.Roles[s.name].Budget), nil
	case setAgentBudget:
		if b, ok := p.AgentBudgets[s.name]; ok {
			return FormatBudget(&b), nil
		}
		return "", nil
	case setTeamBudget:
		return FormatBudget(p.Teams[s.team].Budget), nil
	case setCustomerBudget:
		return FormatBudget(p.CustomerBudget), nil
	default: // setPaused
		return strconv.FormatBool(p.Gestures[s.gesture].Paused), nil
	}
}

// ParseBudget reads a budget as supervisors write it in Slack: an amount,
// "/" and a period, "100/day", "300/week", "1000.50/month"; or "none", for
// which it returns nil and no error (no budget at all, not a zero one). A
// zero amount is a budget that sends every gesture for approval.
func ParseBudget(s string) (*Budget, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return nil, nil
	}
	amount, per, ok := strings.Cut(s, "/")
	if !ok {
		return nil, Errorf(EINVALID, "%q is not a budget: %s", s, budgetSyntax)
	}
	m, err := ParseMoney(amount)
	if err != nil || m < 0 {
		return nil, Errorf(EINVALID, "%q is not a budget: %q is not an amount (%s)", s, strings.TrimSpace(amount), budgetSyntax)
	}
	period := Period(strings.ToLower(strings.TrimSpace(per)))
	if period != PerDay && period != PerWeek && period != PerMonth {
		return nil, Errorf(EINVALID, "%q is not a budget: unknown period %q (%s)", s, strings.TrimSpace(per), budgetSyntax)
	}
	return &Budget{Amount: m, Per: period}, nil
}

// FormatBudget writes a budget as ParseBudget reads it: "100/day",
// "12.50/week", or "none" for nil.
func FormatBudget(b *Budget) string {
	if b == nil {
		return "none"
	}
	return plainMoney(b.Amount) + "/" + string(b.Per)
}

// plainMoney writes an amount as the policy file does: "25", "12.50".
func plainMoney(m Money) string {
	if m%100 == 0 {
		return strconv.FormatInt(int64(m/100), 10)
	}
	return m.Decimal()
}

// settingKind is what an override path points at.
type settingKind int

const (
	setRoleMax settingKind = iota
	setRoleBudget
	setAgentBudget
	setTeamBudget
	setCustomerBudget
	setPaused
)

// setting is a checked override path.
type setting struct {
	path    string
	kind    settingKind
	name    string // the role or agent
	team    int    // index in Teams
	gesture int    // index in Gestures
}

// setting checks path against the policy; value is only for errors.
func (p *Policy) setting(path, value string) (setting, error) {
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "%s = %q: %s", path, value, fmt.Sprintf(format, args...))
	}
	s := setting{path: path}
	if path == "customer_budget" {
		s.kind = setCustomerBudget
		return s, nil
	}
	parts := strings.Split(path, ".")
	if len(parts) != 3 || parts[1] == "" || strings.TrimSpace(parts[1]) != parts[1] {
		return s, bad("unknown setting (want %s)", overridePaths)
	}
	scope, name, field := parts[0], parts[1], parts[2]
	s.name = name
	switch {
	case scope == "roles" && (field == "max_per_gesture" || field == "budget"):
		if _, ok := p.Roles[name]; !ok {
			return s, bad("no role %q (the policy defines %s)", name, joinOr(slices.Sorted(maps.Keys(p.Roles))))
		}
		s.kind = setRoleMax
		if field == "budget" {
			s.kind = setRoleBudget
		}
	case scope == "agents" && field == "budget":
		s.kind = setAgentBudget
	case scope == "teams" && field == "budget":
		s.team = slices.IndexFunc(p.Teams, func(t Team) bool { return t.ID == name })
		if s.team < 0 {
			ids := make([]string, len(p.Teams))
			for i, t := range p.Teams {
				ids[i] = t.ID
			}
			return s, bad("no team %q (%s)", name, defines(ids))
		}
		s.kind = setTeamBudget
	case scope == "gestures" && field == "paused":
		s.gesture = slices.IndexFunc(p.Gestures, func(g Gesture) bool { return g.ID == name })
		if s.gesture < 0 {
			ids := make([]string, len(p.Gestures))
			for i, g := range p.Gestures {
				ids[i] = g.ID
			}
			return s, bad("no gesture %q (%s)", name, defines(ids))
		}
		s.kind = setPaused
	default:
		return s, bad("unknown setting (want %s)", overridePaths)
	}
	return s, nil
}

// set applies value at s on q; "" restores the value of file.
func set(q, file *Policy, s setting, value string) error {
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "%s = %q: %s", s.path, value, fmt.Sprintf(format, args...))
	}
	budget := func() (*Budget, error) {
		b, err := ParseBudget(value)
		if err != nil {
			return nil, bad("not a budget: %s", budgetSyntax)
		}
		return b, nil
	}
	switch s.kind {
	case setRoleMax:
		r := q.Roles[s.name]
		if value == "" {
			r.MaxPerGesture = file.Roles[s.name].MaxPerGesture
		} else {
			m, err := ParseMoney(value)
			if err != nil || m < 0 {
				return bad("not an amount: write e.g. 25 or 25.00 (0 sends every gesture for approval)")
			}
			r.MaxPerGesture = m
		}
		q.Roles[s.name] = r
	case setRoleBudget:
		r := q.Roles[s.name]
		if value == "" {
			r.Budget = cloneBudget(file.Roles[s.name].Budget)
		} else {
			b, err := budget()
			if err != nil {
				return err
			}
			r.Budget = b
		}
		q.Roles[s.name] = r
	case setAgentBudget:
		if value == "" {
			if b, ok := file.AgentBudgets[s.name]; ok {
				q.AgentBudgets[s.name] = b
			} else {
				delete(q.AgentBudgets, s.name)
			}
			return nil
		}
		b, err := budget()
		if err != nil {
			return err
		}
		if b == nil {
			// AgentBudgets holds values: "no budget" for one agent cannot be
			// told apart from "the role's budget".
			return bad("an agent's budget cannot be none; remove the override to give her the role's budget again")
		}
		if q.AgentBudgets == nil {
			q.AgentBudgets = map[string]Budget{}
		}
		q.AgentBudgets[s.name] = *b
	case setTeamBudget:
		if value == "" {
			q.Teams[s.team].Budget = cloneBudget(file.Teams[s.team].Budget)
			return nil
		}
		b, err := budget()
		if err != nil {
			return err
		}
		q.Teams[s.team].Budget = b
	case setCustomerBudget:
		if value == "" {
			q.CustomerBudget = cloneBudget(file.CustomerBudget)
			return nil
		}
		b, err := budget()
		if err != nil {
			return err
		}
		q.CustomerBudget = b
	case setPaused:
		if value == "" {
			q.Gestures[s.gesture].Paused = file.Gestures[s.gesture].Paused
			return nil
		}
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "true":
			q.Gestures[s.gesture].Paused = true
		case "false":
			q.Gestures[s.gesture].Paused = false
		default:
			return bad("want true or false")
		}
	}
	return nil
}

// defines says which names exist: "the policy defines a, b or c".
func defines(names []string) string {
	if len(names) == 0 {
		return "the policy defines none"
	}
	return "the policy defines " + joinOr(names)
}

// Clone returns a deep copy of the policy: changing a map, slice or pointer
// of one never changes the other. Time zones are shared; they are never
// changed.
func (p *Policy) Clone() *Policy {
	if p == nil {
		return nil
	}
	q := *p
	q.Tiers = TierRules{Loyal: p.Tiers.Loyal.clone(), Advocate: p.Tiers.Advocate.clone()}
	q.Gestures = slices.Clone(p.Gestures)
	for i, g := range q.Gestures {
		q.Gestures[i] = cloneGesture(g)
	}
	q.Roles = maps.Clone(p.Roles)
	for name, r := range q.Roles {
		r.Budget = cloneBudget(r.Budget)
		q.Roles[name] = r
	}
	q.Members = maps.Clone(p.Members)
	q.AgentBudgets = maps.Clone(p.AgentBudgets)
	q.Teams = slices.Clone(p.Teams)
	for i, t := range q.Teams {
		q.Teams[i].Members = slices.Clone(t.Members)
		q.Teams[i].Budget = cloneBudget(t.Budget)
	}
	q.CustomerBudget = cloneBudget(p.CustomerBudget)
	q.Approvals.Supervisors = slices.Clone(p.Approvals.Supervisors)
	q.CustomerChannels = maps.Clone(p.CustomerChannels)
	q.Routing = slices.Clone(p.Routing)
	q.Private = slices.Clone(p.Private)
	q.Outcomes.Windows = slices.Clone(p.Outcomes.Windows)
	if d := p.Outcomes.Digest; d != nil {
		dc := *d
		q.Outcomes.Digest = &dc
	}
	q.LinkDomains = slices.Clone(p.LinkDomains)
	q.CardFields = slices.Clone(p.CardFields)
	q.Escalations = slices.Clone(p.Escalations)
	return &q
}

func (r TierRule) clone() TierRule {
	r.MinNPS = cloneInt(r.MinNPS)
	r.MinCSAT = cloneInt(r.MinCSAT)
	return r
}

func cloneGesture(g Gesture) Gesture {
	g.Eligible.Tiers = slices.Clone(g.Eligible.Tiers)
	g.Eligible.Signals = slices.Clone(g.Eligible.Signals)
	return g
}

func cloneBudget(b *Budget) *Budget {
	if b == nil {
		return nil
	}
	c := *b
	return &c
}

func cloneInt(i *int) *int {
	if i == nil {
		return nil
	}
	c := *i
	return &c
}

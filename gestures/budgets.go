package gestures

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

func line(ctx context.Context, tx plusone.Tx, p *plusone.Policy, scope plusone.BudgetScope, key string, b plusone.Budget, now time.Time) (plusone.BudgetLine, error) {
	spent, err := tx.Spent(ctx, scope, key, b.PeriodStart(now, p.Location()))
	if err != nil {
		return plusone.BudgetLine{}, err
	}
	return plusone.BudgetLine{Scope: scope, Key: key, Budget: b, Spent: spent, Remaining: max(b.Amount-spent, 0),
		Period: b.PeriodLabel(now, p.Location())}, nil
}

// Budgets are an agent's budgets this period: her own, her team's, and the
// customer's when customerID is not zero. Budgets not set are left out.
func (s *Service) Budgets(ctx context.Context, agent string, customerID int64) ([]plusone.BudgetLine, error) {
	now, p := s.Clock(), s.Policies.Current()
	var out []plusone.BudgetLine
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		out, err = offerLines(ctx, tx, p, agent, customerID, now)
		return err
	})
	return out, err
}

// offerLines are the budgets an offer by agent to customerID (0: none)
// draws on, in the current periods: the agent's, her team's and the
// customer's, those set.
func offerLines(ctx context.Context, tx plusone.Tx, p *plusone.Policy, agent string, customerID int64, now time.Time) ([]plusone.BudgetLine, error) {
	var out []plusone.BudgetLine
	add := func(scope plusone.BudgetScope, key string, b plusone.Budget) error {
		l, err := line(ctx, tx, p, scope, key, b, now)
		if err == nil {
			out = append(out, l)
		}
		return err
	}
	if b, ok := p.AgentBudget(agent); ok {
		if err := add(plusone.ScopeAgent, agent, b); err != nil {
			return nil, err
		}
	}
	if t, ok := p.TeamOf(agent); ok && t.Budget != nil {
		if err := add(plusone.ScopeTeam, t.ID, *t.Budget); err != nil {
			return nil, err
		}
	}
	if customerID != 0 && p.CustomerBudget != nil {
		if err := add(plusone.ScopeCustomer, plusone.CustomerBudgetKey(customerID), *p.CustomerBudget); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TeamBudgets are every team's budget this period.
func (s *Service) TeamBudgets(ctx context.Context) ([]plusone.BudgetLine, error) {
	now, p := s.Clock(), s.Policies.Current()
	var out []plusone.BudgetLine
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		out = out[:0]
		for _, t := range p.Teams {
			if t.Budget == nil {
				continue
			}
			l, err := line(ctx, tx, p, plusone.ScopeTeam, t.ID, *t.Budget, now)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// AllBudgets are, for the current periods, the budget of every agent the
// policy names or who spent this month, of every team, and of every
// customer something was spent on this month.
func (s *Service) AllBudgets(ctx context.Context) ([]plusone.BudgetLine, error) {
	return s.allBudgets(ctx, true)
}

// StaffBudgets are AllBudgets without the customers': the agents' and the
// teams' (the console's overview, where thousands of customers' lines
// would bury them).
func (s *Service) StaffBudgets(ctx context.Context) ([]plusone.BudgetLine, error) {
	return s.allBudgets(ctx, false)
}

func (s *Service) allBudgets(ctx context.Context, withCustomers bool) ([]plusone.BudgetLine, error) {
	now, p := s.Clock(), s.Policies.Current()
	month := plusone.Budget{Per: plusone.PerMonth}.PeriodStart(now, p.Location())
	var out []plusone.BudgetLine
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		out = out[:0]
		entries, err := tx.Ledger(ctx, plusone.LedgerFilter{Since: month, Limit: 1_000_000})
		if err != nil {
			return err
		}
		agents := knownAgents(p)
		customers := map[int64]bool{}
		for _, e := range entries {
			agents[e.Agent] = true
			customers[e.CustomerID] = true
		}
		for _, a := range slices.Sorted(maps.Keys(agents)) {
			if b, ok := p.AgentBudget(a); ok {
				l, err := line(ctx, tx, p, plusone.ScopeAgent, a, b, now)
				if err != nil {
					return err
				}
				out = append(out, l)
			}
		}
		for _, t := range p.Teams {
			if t.Budget != nil {
				l, err := line(ctx, tx, p, plusone.ScopeTeam, t.ID, *t.Budget, now)
				if err != nil {
					return err
				}
				out = append(out, l)
			}
		}
		if p.CustomerBudget != nil && withCustomers {
			ids := make([]int64, 0, len(customers))
			for c := range customers {
				ids = append(ids, c)
			}
			slices.Sort(ids)
			for _, c := range ids {
				l, err := line(ctx, tx, p, plusone.ScopeCustomer, plusone.CustomerBudgetKey(c), *p.CustomerBudget, now)
				if err != nil {
					return err
				}
				out = append(out, l)
			}
		}
		return nil
	})
	return out, err
}

// knownAgents are the agents the policy names: members with a role, agents
// with a budget of their own, and team members.
func knownAgents(p *plusone.Policy) map[string]bool {
	agents := map[string]bool{}
	for a := range p.Members {
		agents[a] = true
	}
	for a := range p.AgentBudgets {
		agents[a] = true
	}
	for _, t := range p.Teams {
		for _, m := range t.Members {
			agents[m] = true
		}
	}
	return agents
}

// Settings lists what supervisors can change: each role's limit and
// budget, each team's budget, the customer budget, each known agent's own
// budget, and each gesture's pause.
func (s *Service) Settings() []plusone.Setting {
	p := s.Policies.Current()
	var out []plusone.Setting
	add := func(path, label string) {
		v, err := p.OverrideValue(path)
		if err == nil {
			out = append(out, plusone.Setting{Path: path, Label: label, Current: v})
		}
	}
	roles := make([]string, 0, len(p.Roles))
	for r := range p.Roles {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	for _, r := range roles {
		add("roles."+r+".max_per_gesture", "Role "+r+": limit per gesture")
		add("roles."+r+".budget", "Role "+r+": budget")
	}
	for _, t := range p.Teams {
		add("teams."+t.ID+".budget", "Team "+t.ID+": budget")
	}
	add("customer_budget", "Budget per customer")
	for _, a := range slices.Sorted(maps.Keys(knownAgents(p))) {
		add("agents."+a+".budget", "Agent "+a+": own budget")
	}
	for _, g := range p.Gestures {
		add("gestures."+g.ID+".paused", "Pause "+g.Title)
	}
	return out
}

// LoadOverrides applies the stored overrides to the policy in force (at
// start, and after a change).
func (s *Service) LoadOverrides(ctx context.Context) error {
	var os []plusone.Override
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		os, err = tx.Overrides(ctx)
		return err
	})
	if err != nil {
		return err
	}
	return s.Policies.SetOverrides(os)
}

// SetOverride records a supervisor's change of the policy and puts it in
// force at once; the next decision uses it. A change that does not fit the
// policy is refused with what is wrong.
func (s *Service) SetOverride(ctx context.Context, actor, path, value string) (plusone.Override, error) {
	now := s.Clock()
	p := s.Policies.Current()
	if !IsSupervisor(p, actor) {
		_ = s.Store.Update(ctx, func(tx plusone.Tx) error {
			return tx.Audit(ctx, actor, "edit policy", path+" = "+value, "refused: not a supervisor", now)
		})
		return plusone.Override{}, ErrNotSupervisor
	}
	old, err := p.OverrideValue(path)
	if err != nil {
		return plusone.Override{}, err
	}
	o := plusone.Override{Path: path, OldValue: old, NewValue: value, By: actor, At: now}
	var all []plusone.Override
	err = s.Store.Update(ctx, func(tx plusone.Tx) error {
		// Checked against every change made before it, on any replica.
		if err := tx.Lock(ctx, plusone.OverridesLock); err != nil {
			return err
		}
		existing, err := tx.Overrides(ctx)
		if err != nil {
			return err
		}
		all = append(existing, o)
		if _, err := s.Policies.File().WithOverrides(all); err != nil {
			return err
		}
		if err := tx.AddOverride(ctx, &o); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "edit policy", fmt.Sprintf("%s: %s -> %s", path, old, value), "done", now)
	})
	if err != nil {
		return plusone.Override{}, err
	}
	all[len(all)-1] = o
	if err := s.Policies.SetOverrides(all); err != nil {
		return o, err
	}
	s.Log.Info("policy changed in Slack", "path", path, "old", old, "new", value, "by", actor)
	s.changed()
	return o, nil
}

// Recent lists an agent's latest gestures (the latest entry of each
// request she offered).
func (s *Service) Recent(ctx context.Context, agent string, limit int) ([]plusone.LedgerEntry, map[int64]string, error) {
	var out []plusone.LedgerEntry
	names := map[int64]string{}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		entries, err := tx.Ledger(ctx, plusone.LedgerFilter{Agent: agent, Limit: 200})
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, e := range entries { // newest first: the first seen of a request is its latest
			if seen[e.RequestID] || len(out) == limit {
				continue
			}
			seen[e.RequestID] = true
			out = append(out, e)
		}
		return nameCustomers(ctx, tx, out, names)
	})
	return out, names, err
}

// PendingApprovals lists the requests awaiting a supervisor.
func (s *Service) PendingApprovals(ctx context.Context, limit int) ([]plusone.LedgerEntry, map[int64]string, error) {
	var out []plusone.LedgerEntry
	names := map[int64]string{}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if out, err = tx.Pending(ctx, limit); err != nil {
			return err
		}
		return nameCustomers(ctx, tx, out, names)
	})
	return out, names, err
}

// Changes lists the latest policy changes made in Slack, newest first.
func (s *Service) Changes(ctx context.Context, limit int) ([]plusone.Override, error) {
	var os []plusone.Override
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		os, err = tx.Overrides(ctx)
		return err
	})
	slices.Reverse(os)
	if len(os) > limit {
		os = os[:limit]
	}
	return os, err
}

func nameCustomers(ctx context.Context, tx plusone.Tx, entries []plusone.LedgerEntry, names map[int64]string) error {
	for _, e := range entries {
		if _, ok := names[e.CustomerID]; ok {
			continue
		}
		c, err := tx.Customer(ctx, e.CustomerID)
		if err != nil {
			names[e.CustomerID] = fmt.Sprintf("Customer #%d", e.CustomerID)
			continue
		}
		names[e.CustomerID] = c.DisplayName()
	}
	return nil
}

// Ledger lists ledger entries matching f, newest first.
func (s *Service) Ledger(ctx context.Context, f plusone.LedgerFilter) ([]plusone.LedgerEntry, error) {
	var out []plusone.LedgerEntry
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		out, err = tx.Ledger(ctx, f)
		return err
	})
	return out, err
}

// CustomerID resolves a customer given by id or email (for the API).
func (s *Service) CustomerID(ctx context.Context, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	email := plusone.NormalizeEmail(ref)
	if email == "" {
		return 0, plusone.Errorf(plusone.EINVALID, "customer %q is neither an id nor an email", ref)
	}
	var id int64
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		id, err = memory.CustomerIDByEmail(ctx, tx, email)
		return err
	})
	return id, err
}

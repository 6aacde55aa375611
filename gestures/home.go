package gestures

import (
	"context"
	"maps"

	"github.com/plusone-hq/plusone"
)

// Home is what an agent's App Home shows of gestures: her budgets and
// latest gestures and, for a supervisor, every team's budget, the requests
// awaiting a decision and the latest policy changes.
func (s *Service) Home(ctx context.Context, agent string) (plusone.HomeGestures, error) {
	h := plusone.HomeGestures{Currency: s.Currency(), Supervisor: IsSupervisor(s.Policies.Current(), agent)}
	var err error
	if h.Budgets, err = s.Budgets(ctx, agent, 0); err != nil {
		return h, err
	}
	if h.Recent, h.Names, err = s.Recent(ctx, agent, 10); err != nil {
		return h, err
	}
	if !h.Supervisor {
		return h, nil
	}
	if h.Teams, err = s.TeamBudgets(ctx); err != nil {
		return h, err
	}
	var names map[int64]string
	if h.Pending, names, err = s.PendingApprovals(ctx, 20); err != nil {
		return h, err
	}
	maps.Copy(h.Names, names)
	h.Changes, err = s.Changes(ctx, 10)
	return h, err
}

// EditableSettings are what actor may change in Slack (Settings), or
// ErrNotSupervisor when she is not a supervisor.
func (s *Service) EditableSettings(_ context.Context, actor string) ([]plusone.Setting, error) {
	if !IsSupervisor(s.Policies.Current(), actor) {
		return nil, ErrNotSupervisor
	}
	return s.Settings(), nil
}

// Currency is the policy's currency, that budgets are in.
func (s *Service) Currency() string { return s.Policies.Current().Currency }

// Package cluster makes a plusone process a member of the instances that
// share one store: it beats in the store, takes over the work of an
// instance whose heartbeat stopped, and holds by lease the roles that one
// instance at a time may play (the Slack sender).
//
// Timing, in heartbeats (PLUSONE_HEARTBEAT): an instance is dead when its
// last beat is older than DeadAfter (three beats); the next beat of any
// live instance then gives back its leases, so that its work is claimed
// again within about four beats instead of when its leases run out. A role
// is held for three beats from the start of its last renewal and renewed
// every beat; its holder acts in it only until one beat before that term
// ends (Role.Term), which leaves a beat's worth of clock difference between
// replicas before two holders could act at once.
//
// A process alone on its store (SQLite: one process per file) takes over
// every lease at start: whoever held them is dead.
package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
)

// DeadAfter is how many heartbeats an instance may miss before its work is
// taken over, and how many a role's term lasts.
const DeadAfter = 3

// startTimeout bounds Start's store calls.
const startTimeout = 30 * time.Second

// forgetAfter is how long a dead instance stays listed in the store.
const forgetAfter = 24 * time.Hour

// Member is this process among the instances sharing the store.
type Member struct {
	Store plusone.Instances
	// Name is the instance's name: its workers are "<Name>/<role>".
	Name string
	// Every is the heartbeat interval.
	Every time.Duration
	// Alone says that no other process uses the store (SQLite): Start
	// takes over every lease at once.
	Alone bool
	Clock func() time.Time
	Log   *slog.Logger

	roles []*Role // fixed before Start
}

// Role is a part that one instance at a time plays, elected by lease.
type Role struct {
	name string

	mu           sync.Mutex
	since, until time.Time
}

// Role returns the role name, to be held by this member from Start on.
// Call it before Start.
func (m *Member) Role(name string) *Role {
	r := &Role{name: name}
	m.roles = append(m.roles, r)
	return r
}

// Term says since when this process holds the role without a break, and
// until when it may act in it; until is zero (or past) when it may not.
// Safe for concurrent use.
func (r *Role) Term() (since, until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.since, r.until
}

func (r *Role) set(since, until time.Time) (gained, lost bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	had := !r.until.IsZero()
	gained = !until.IsZero() && !since.Equal(r.since)
	lost = had && until.IsZero()
	r.since, r.until = since, until
	if until.IsZero() {
		r.since = time.Time{}
	}
	return gained, lost
}

// ttl is how long a heartbeat or a role's renewal counts.
func (m *Member) ttl() time.Duration { return DeadAfter * m.Every }

// Start registers the instance, takes over every lease if it is alone, and
// takes its roles if they are free, before the workers start.
func (m *Member) Start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if m.Alone {
		others, err := m.Store.TakeOver(ctx, m.Name, m.Clock())
		if err != nil {
			return fmt.Errorf("take over the store: %w", err)
		}
		if len(others) > 0 {
			m.Log.Info("taking over the work of earlier processes on this store at once (one process per SQLite file)",
				"instances", others)
		}
	}
	if err := m.Store.Heartbeat(ctx, m.Name, m.Clock()); err != nil {
		return fmt.Errorf("register instance: %w", err)
	}
	m.beat(ctx)
	return nil
}

// Run beats every Every until ctx ends, then leaves the store: its roles
// are freed for another instance to take at its next beat, and whatever
// its workers still hold is given back by the next reap. Cancel ctx only
// once the workers have stopped (or shutdown gave up waiting for them).
func (m *Member) Run(ctx context.Context) {
	tick := time.NewTicker(m.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			m.leave(context.WithoutCancel(ctx))
			return
		case <-tick.C:
			m.beat(ctx)
		}
	}
}

// beat records the heartbeat, renews or takes the roles, and gives back
// the leases of dead instances. Each store call gets one beat's time; a
// role whose renewal fails lapses at the end of its term.
func (m *Member) beat(ctx context.Context) {
	call := func(what string, fn func(ctx context.Context) error) {
		cctx, cancel := context.WithTimeout(ctx, m.Every)
		defer cancel()
		if err := fn(cctx); err != nil && ctx.Err() == nil {
			m.Log.Warn("cluster: "+what, "err", err)
		}
	}
	now := m.Clock()
	call("heartbeat", func(ctx context.Context) error { return m.Store.Heartbeat(ctx, m.Name, now) })
	for _, r := range m.roles {
		call("hold role "+r.name, func(ctx context.Context) error {
			since, ok, err := m.Store.HoldRole(ctx, r.name, m.Name, now, m.ttl())
			if err != nil {
				return err
			}
			var until time.Time
			if ok {
				// One beat short of the term: room for clocks that differ.
				until = now.Add(m.ttl() - m.Every)
			}
			switch gained, lost := r.set(since, until); {
			case gained:
				m.Log.Info("cluster: this instance now plays a role", "role", r.name, "instance", m.Name)
			case lost:
				m.Log.Warn("cluster: this instance no longer plays a role", "role", r.name, "instance", m.Name)
			}
			return nil
		})
	}
	call("reap dead instances", func(ctx context.Context) error {
		reaped, err := m.Store.ReapInstances(ctx, now, now.Add(-m.ttl()), now.Add(-forgetAfter))
		for _, name := range reaped {
			m.Log.Warn("cluster: an instance stopped beating; its claimed work was given back", "dead", name)
		}
		return err
	})
}

// leave frees the roles and marks the instance stopped, within one beat's
// time (at least a second).
func (m *Member) leave(ctx context.Context) {
	for _, r := range m.roles {
		r.set(time.Time{}, time.Time{})
	}
	ctx, cancel := context.WithTimeout(ctx, max(m.Every, time.Second))
	defer cancel()
	if err := m.Store.Leave(ctx, m.Name); err != nil {
		m.Log.Warn("cluster: leave", "err", err)
	}
}

// Package digest assembles the supervisors' digest from the store and
// queues it on the policy's schedule, once per period whatever the number
// of replicas: each period's digest is an outbox notice whose job key
// names the period, and a key is enqueued once ever. It composes those
// notices when they are sent (the digest and its chart), and the digest
// a supervisor asks for now.
package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/chart"
)

// How much of a period the digest reads at most.
const (
	maxTickets     = 20000
	maxTouchpoints = 20000
	maxLedger      = 20000
	maxPending     = 1000
)

// Builder assembles digests.
type Builder struct {
	Store  plusone.Store
	Policy func() *plusone.Policy
	// Budgets are the team budgets as they stand (gestures.Service's
	// TeamBudgets); nil shows none.
	Budgets func(ctx context.Context) ([]plusone.BudgetLine, error)
	// Effects are the gestures' measured effects at now; nil shows none.
	// A digest shows them as measured when it is built, the latest there
	// are, whatever its period.
	Effects func(ctx context.Context, now time.Time) ([]plusone.GestureEffect, error)
	Clock   func() time.Time
}

// Build returns the digest of [from, to), with the period of the same
// length before it for trends.
func (b *Builder) Build(ctx context.Context, from, to time.Time) (plusone.Digest, error) {
	p := b.Policy()
	f := plusone.DigestFacts{From: from, To: to, PrevFrom: from.Add(-to.Sub(from)), Currency: p.Currency,
		Requested: map[int64]time.Time{}, Names: map[int64]string{}, Rules: p.Signals}
	err := b.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if f.Ledger, err = tx.Ledger(ctx, plusone.LedgerFilter{Since: from, Limit: maxLedger}); err != nil {
			return err
		}
		for _, e := range f.Ledger {
			if e.Status != plusone.StatusApproved && e.Status != plusone.StatusDeclined {
				continue
			}
			chain, err := tx.Request(ctx, e.RequestID)
			if err != nil {
				return err
			}
			f.Requested[e.RequestID] = chain[0].CreatedAt
		}
		pending, err := tx.Pending(ctx, maxPending)
		if err != nil {
			return err
		}
		f.Waiting = len(pending)
		if f.Tickets, err = tx.TicketsCreated(ctx, f.PrevFrom, to, maxTickets); err != nil {
			return err
		}
		if f.Touchpoints, err = tx.TouchpointsBetween(ctx, f.PrevFrom, to,
			[]plusone.TouchpointKind{plusone.TouchFeedback, plusone.TouchCart}, maxTouchpoints); err != nil {
			return err
		}
		for _, id := range plusone.RepeatContactIDs(f.Tickets, from, to) {
			c, err := tx.Customer(ctx, id)
			if err != nil {
				return err
			}
			f.Names[id] = c.DisplayName()
		}
		return nil
	})
	if err != nil {
		return plusone.Digest{}, fmt.Errorf("digest from %s: %w", from.Format(time.RFC3339), err)
	}
	if b.Budgets != nil {
		if f.Budgets, err = b.Budgets(ctx); err != nil {
			return plusone.Digest{}, fmt.Errorf("digest budgets: %w", err)
		}
	}
	if b.Effects != nil {
		if f.Effects, err = b.Effects(ctx, b.Clock()); err != nil {
			return plusone.Digest{}, fmt.Errorf("digest effects: %w", err)
		}
	}
	return plusone.BuildDigest(f), nil
}

// Recipients are where a digest goes: the schedule's channel, or each
// supervisor (a direct message).
func Recipients(p *plusone.Policy, s plusone.DigestSchedule) []string {
	if s.Channel != "" {
		return []string{s.Channel}
	}
	return p.Approvals.Supervisors
}

// onDemand is the schedule a digest asked for now follows when the policy
// schedules none: a week.
var onDemand = plusone.DigestSchedule{Every: plusone.PerWeek, Weekday: time.Monday, Hour: 9}

// Now is the digest of the schedule's period up to now (a week when the
// policy schedules none), for `/plusone digest`, with the zone its dates
// are shown in; an error with code EUNAUTHORIZED when user is not a
// supervisor.
func (b *Builder) Now(ctx context.Context, user string) (plusone.Digest, *time.Location, error) {
	p := b.Policy()
	if !slices.Contains(p.Approvals.Supervisors, user) {
		return plusone.Digest{}, nil, plusone.Errorf(plusone.EUNAUTHORIZED,
			"Sorry, the digest is for the supervisors listed in your team's policy. Ask one of them if you would like to see it.")
	}
	s := onDemand
	if d := p.Outcomes.Digest; d != nil {
		s = *d
	}
	now := b.Clock()
	d, err := b.Build(ctx, s.Back(now, p.Location()), now)
	return d, p.Location(), err
}

// Compose composes a digest notice (plusone.NoticeDigest) or its chart
// (plusone.NoticeDigestChart) from the store as it is now: the digest of
// the period the notice names, to its recipient, and the chart's PNG. A
// chart with no effect to draw is skipped. Other kinds are EINVALID.
func (b *Builder) Compose(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind}
	if n.Kind != plusone.NoticeDigest && n.Kind != plusone.NoticeDigestChart {
		return c, plusone.Errorf(plusone.EINVALID, "not a digest notice: %q", n.Kind)
	}
	var per Period
	if err := json.Unmarshal([]byte(n.Text), &per); err != nil {
		return c, plusone.Errorf(plusone.EINVALID, "digest notice: %v", err)
	}
	d, err := b.Build(ctx, per.From, per.To)
	if err != nil {
		return c, err
	}
	c.Channel, c.Digest, c.Location = per.Channel, d, b.Policy().Location()
	if n.Kind == plusone.NoticeDigestChart {
		if len(d.Effects) == 0 {
			c.Skip = true
			return c, nil
		}
		if c.Chart, err = effectsChart(d); err != nil {
			return c, fmt.Errorf("digest chart: %w", err)
		}
	}
	return c, nil
}

// effectsChart draws the digest's effects as a PNG, in percentage points.
func effectsChart(d plusone.Digest) ([]byte, error) {
	var bars []chart.Bar
	for _, e := range d.Effects {
		label := e.Title
		if label == "" {
			label = e.Gesture
		}
		bars = append(bars, chart.Bar{Label: label, Diff: e.Diff * 100, Low: e.Low * 100, High: e.High * 100})
	}
	return chart.EffectsPNG("Effect of each gesture on repeat purchase", "percentage points of repeat purchase", bars)
}

// Scheduler queues the digest when it is due. Its Due is the work of a
// jobs.Periodic on every replica: the job keys make one digest per
// period and recipient whichever replicas look.
type Scheduler struct {
	Store  plusone.Store
	Policy func() *plusone.Policy
	// Chart says whether a digest comes with a chart of the effects.
	Chart bool
	Clock func() time.Time
	Log   *slog.Logger
	// Queued is told when a digest was queued (to wake the Slack sender).
	Queued func()

	// queued is the latest send time this process queued (or found
	// queued) for every recipient; owned by the goroutine calling Due.
	// Looking again at the same send time costs nothing but a clock
	// reading.
	queued time.Time
}

// Due queues the digest of the latest period due, unless it was queued
// before (by this or another replica); nothing when the policy schedules
// none.
func (s *Scheduler) Due(ctx context.Context) error {
	p := s.Policy()
	sched := p.Outcomes.Digest
	if sched == nil {
		return nil
	}
	at := sched.Last(s.Clock(), p.Location())
	if at.Equal(s.queued) {
		return nil
	}
	from, _ := sched.Covers(at, p.Location())
	queued := 0
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		queued = 0
		for _, to := range Recipients(p, *sched) {
			n, err := Enqueue(ctx, tx, Period{From: from, To: at, Channel: to}, s.Chart, s.Clock())
			if err != nil {
				return err
			}
			queued += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("digest of %s: %w", at.Format(time.RFC3339), err)
	}
	s.queued = at
	if queued == 0 {
		// Once per send time and process: another replica (or this one
		// before a restart) queued it.
		s.Log.Info("digest already queued", "to", at)
		return nil
	}
	s.Log.Info("digest queued", "from", from, "to", at, "messages", queued)
	if s.Queued != nil {
		s.Queued()
	}
	return nil
}

// Period is the payload of a digest notice (its Text): which period, to
// whom.
type Period struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Channel string    `json:"channel"`
}

// Enqueue queues the digest of a period to one recipient, and its chart
// when chart is set, once ever per period and recipient; it returns how
// many notices it queued.
func Enqueue(ctx context.Context, tx plusone.Tx, per Period, chart bool, now time.Time) (int, error) {
	text, err := json.Marshal(per)
	if err != nil {
		return 0, err
	}
	kinds := []plusone.NoticeKind{plusone.NoticeDigest}
	if chart {
		kinds = append(kinds, plusone.NoticeDigestChart)
	}
	n := 0
	for _, kind := range kinds {
		payload, err := json.Marshal(plusone.Notice{Kind: kind, Text: string(text)})
		if err != nil {
			return n, err
		}
		added, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, CreatedAt: now, Payload: payload,
			Key: fmt.Sprintf("msg:%s:%s:%s", kind, per.To.UTC().Format(time.RFC3339), per.Channel)}, now)
		if err != nil {
			return n, fmt.Errorf("queue %s: %w", kind, err)
		}
		if added {
			n++
		}
	}
	return n, nil
}

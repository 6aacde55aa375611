// Package escalations tells people when a ticket waits too long for an
// agent (the policy's escalations): each wait of a ticket that may need
// one gets a durable timer — a job in the store, due when the wait's
// first rule runs out, keyed by ticket and wait so that it is enqueued
// once — queued in the transaction of the event that starts the wait
// (Applied). One replica claims the due timer (Run), decides it on the
// ticket as it is then (plusone.DecideEscalation) and, in one
// transaction with the timer's completion, queues one message in the
// card's thread and one to the rule's notify (a channel, or each
// supervisor) in the outbox; an agent's reply, another status or no rule
// matching cancels it. The messages are composed when sent (Compose).
package escalations

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
	"github.com/plusone-hq/plusone/memory"
)

// Counter counts what became of each timer (metrics.Metrics does).
type Counter interface {
	Escalation(v plusone.EscalationVerdict)
}

// Service schedules, fires and composes escalations.
type Service struct {
	Store plusone.Store
	// Policy returns the policy in force (escalations, signals, the
	// supervisors).
	Policy func() *plusone.Policy
	Clock  func() time.Time
	Log    *slog.Logger
	// Changed wakes the Slack sender: notices were queued.
	Changed func()
	// Metrics counts timers fired and cancelled; nil counts nothing.
	Metrics Counter
	// Poll (1 s when unset) is the longest a due timer waits to be
	// claimed; MaxAttempts (10 when unset), RetryBase and RetryMax bound
	// the retries of a failing one.
	Poll                time.Duration
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
}

var _ plusone.NoticeComposer = (*Service)(nil)

// Applied looks at a live event just applied, in its transaction: when
// its ticket now waits for an agent and some escalation rule may apply,
// a timer is queued, due when the shortest rule runs out (the timer
// decides on the rule that matches when it is due). Its key names the
// ticket, the wait's start and the ticket's latest change, so that the
// same event applied again queues nothing, while a wait that a status
// cancelled is watched again when the ticket reopens; a wait is escalated
// once whatever its timers (its messages' keys).
func (s *Service) Applied(ctx context.Context, tx plusone.Tx, _ int64, e plusone.Event, at time.Time) error {
	if e.Ticket == nil || e.Ticket.ID == "" {
		return nil
	}
	t, err := tx.Ticket(ctx, e.Source, e.Ticket.ID)
	if errors.Is(err, plusone.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("escalation of %s: %w", plusone.TicketKey(e.Source, e.Ticket.ID), err)
	}
	if !t.Open() || !plusone.Escalates(t.Status) {
		return nil
	}
	due, ok := s.Policy().FirstEscalation(t.WaitingSince)
	if !ok {
		return nil
	}
	payload, err := json.Marshal(plusone.EscalationTimer{Ticket: t.Key(), Since: t.WaitingSince})
	if err != nil {
		return err
	}
	if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobEscalation, Key: plusone.EscalationTimerKey(t.Key(), t.WaitingSince, t.UpdatedAt),
		Payload: payload, CreatedAt: at}, due); err != nil {
		return fmt.Errorf("escalation timer of %s: %w", t.Key(), err)
	}
	return nil
}

// Run works through due timers until ctx ends, on the job runner.
func (s *Service) Run(ctx context.Context, instance string) {
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.Job]{
			Name: "escalation", Queue: jobs.StoreJobs{Store: s.Store, Kind: plusone.JobEscalation}, Handler: s,
			Batch: 16, Lease: time.Minute, MaxAttempts: cmp.Or(s.MaxAttempts, 10),
			Backoff: jobs.Backoff{Base: s.RetryBase, Max: s.RetryMax},
		}},
		Poll: cmp.Or(s.Poll, time.Second), Clock: s.Clock, Log: s.Log,
	}
	loop.Run(ctx, instance+"/escalations")
}

// Work decides one due timer on the ticket as it is now. Fired or
// cancelled, the timer is completed in the transaction that queues the
// messages, by the lease's holder only: one escalation per wait, however
// many replicas and restarts. A timer whose rule is not due yet (the rule
// that matches now is longer than the shortest) waits until it is.
func (s *Service) Work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	bg := context.WithoutCancel(ctx)
	var timer plusone.EscalationTimer
	if err := json.Unmarshal(j.Item.Payload, &timer); err != nil {
		return jobs.Park(fmt.Errorf("payload: %w", err))
	}
	now := s.Clock()
	policy := s.Policy()
	var (
		d          plusone.EscalationDecision
		customerID int64
		again      bool // another timer of the wait escalated it already
	)
	err := s.Store.Update(bg, func(tx plusone.Tx) error {
		var err error
		d, customerID, err = s.decide(bg, tx, policy, timer, now)
		if err != nil || d.Verdict == plusone.EscalationWait {
			return err
		}
		if err := tx.CompleteJob(bg, j.Item.ID, j.Worker, now); err != nil {
			return err
		}
		if d.Verdict != plusone.EscalationFire {
			return nil
		}
		fired, err := s.queue(bg, tx, policy, timer, d.Rule, now)
		again = !fired
		return err
	})
	if err != nil {
		return fmt.Errorf("escalation of %s: %w", timer.Ticket, err)
	}
	if d.Verdict == plusone.EscalationWait {
		return jobs.RetryAt(d.Due, nil)
	}
	if again {
		j.Log.Debug("escalation sent before", "ticket", timer.Ticket)
		return nil
	}
	if s.Metrics != nil {
		s.Metrics.Escalation(d.Verdict)
	}
	if d.Verdict.Cancelled() {
		j.Log.Debug("escalation cancelled", "ticket", timer.Ticket, "why", string(d.Verdict))
		return nil
	}
	if s.Changed != nil {
		s.Changed()
	}
	// Ids only: what the operator needs to find the ticket, nothing of hers.
	j.Log.Info("ticket escalated", "ticket", timer.Ticket, "customer_id", customerID, "rule", d.Rule.Key(),
		"notify", d.Rule.Notify, "waiting_since", timer.Since.UTC().Format(time.RFC3339))
	return nil
}

// decide decides timer on the ticket, her tier and signals as they are
// now; an unknown ticket (erased) matches no rule.
func (s *Service) decide(ctx context.Context, tx plusone.Tx, policy *plusone.Policy, timer plusone.EscalationTimer,
	now time.Time) (plusone.EscalationDecision, int64, error) {
	source, id := splitKey(timer.Ticket)
	t, err := tx.Ticket(ctx, source, id)
	if errors.Is(err, plusone.ErrNotFound) {
		return plusone.EscalationDecision{Verdict: plusone.EscalationUnmatched}, 0, nil
	}
	if err != nil {
		return plusone.EscalationDecision{}, 0, err
	}
	rule, ok, err := matching(ctx, tx, policy, *t, now)
	if err != nil {
		return plusone.EscalationDecision{}, 0, err
	}
	later, _ := policy.LaterEscalation(timer.Since, now)
	return plusone.DecideEscalation(*t, timer.Since, rule, ok, later, now), t.CustomerID, nil
}

// matching finds the rule that matches ticket t now; it reads her signals
// only when a rule asks for one.
func matching(ctx context.Context, tx plusone.Tx, policy *plusone.Policy, t plusone.TicketRecord, now time.Time) (plusone.Escalation, bool, error) {
	c, err := tx.Customer(ctx, t.CustomerID)
	if err != nil {
		return plusone.Escalation{}, false, err
	}
	if !c.ErasedAt.IsZero() {
		return plusone.Escalation{}, false, nil
	}
	in := plusone.EscalationInput{RouteInput: plusone.RouteInput{Source: t.Source, Tier: c.Profile.Tier, Tags: t.Tags, Brand: t.Brand}}
	for _, e := range policy.Escalations {
		if e.When.Signal == "" {
			continue
		}
		view, err := memory.LoadSignalView(ctx, tx, t.CustomerID)
		if err != nil {
			return plusone.Escalation{}, false, err
		}
		for _, sig := range policy.Signals.Signals(view, now) {
			in.Signals = append(in.Signals, sig.Kind)
		}
		break
	}
	rule, ok := policy.Escalation(in)
	return rule, ok, nil
}

// queue queues the escalation's messages in the outbox: one in the card's
// thread, one to the rule's channel or to each supervisor, each once per
// wait (job keys). fired is false when the wait was escalated before (by
// another of its timers): nothing is queued then.
func (s *Service) queue(ctx context.Context, tx plusone.Tx, policy *plusone.Policy, timer plusone.EscalationTimer,
	rule plusone.Escalation, now time.Time) (fired bool, err error) {
	text, err := json.Marshal(plusone.EscalationNotice{Rule: rule.Key(), Unanswered: rule.Unanswered, Since: timer.Since})
	if err != nil {
		return false, err
	}
	targets := []string{""} // the card's thread
	if rule.Notify == plusone.NotifySupervisors {
		targets = append(targets, policy.Approvals.Supervisors...)
	} else {
		targets = append(targets, rule.Notify)
	}
	base := plusone.EscalationKey(timer.Ticket, timer.Since)
	for i, to := range targets {
		payload, err := json.Marshal(plusone.Notice{Kind: plusone.NoticeEscalation, Ticket: timer.Ticket, Channel: to, Text: string(text)})
		if err != nil {
			return false, err
		}
		key := "msg:" + base + ":" + cmp.Or(to, "thread")
		added, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: key, Payload: payload, CreatedAt: now}, now)
		if err != nil {
			return false, err
		}
		if i == 0 && !added {
			return false, nil // the thread's message: queued by the wait's escalation before
		}
	}
	return true, nil
}

// errCardNotPosted retries an escalation in the card's thread while its
// card is on its way to Slack.
var errCardNotPosted = errors.New("the card is not posted yet")

// Compose composes an escalation notice (plusone.NoticeEscalation) from
// the store as it is now: the ticket, its customer and where its card is;
// in the card's thread when the notice names no channel (retried while
// the card is not posted), else to that channel or supervisor. A ticket
// or customer gone since (erased) is skipped; other kinds are EINVALID.
func (s *Service) Compose(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind}
	if n.Kind != plusone.NoticeEscalation {
		return c, plusone.Errorf(plusone.EINVALID, "not an escalation notice: %q", n.Kind)
	}
	if err := json.Unmarshal([]byte(n.Text), &c.Escalation); err != nil {
		return c, plusone.Errorf(plusone.EINVALID, "escalation notice: %v", err)
	}
	source, id := splitKey(n.Ticket)
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		t, err := tx.Ticket(ctx, source, id)
		if errors.Is(err, plusone.ErrNotFound) {
			c.Skip = true
			return nil
		}
		if err != nil {
			return err
		}
		c.Ticket = *t
		cust, err := tx.Customer(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		if !cust.ErasedAt.IsZero() {
			c.Skip = true
			return nil
		}
		c.Customer = *cust
		card, err := tx.Card(ctx, n.Ticket)
		switch {
		case errors.Is(err, plusone.ErrNotFound):
		case err != nil:
			return err
		default:
			c.CardChannel, c.CardTS = card.Channel, card.TS
		}
		return nil
	})
	if err != nil || c.Skip {
		return c, err
	}
	if n.Channel != "" {
		c.Channel = n.Channel
		return c, nil
	}
	if c.CardChannel == "" {
		c.Skip = true // a ticket without a card has no thread
		return c, nil
	}
	if c.CardTS == "" {
		return c, errCardNotPosted
	}
	c.Channel, c.ThreadTS = c.CardChannel, c.CardTS
	return c, nil
}

func splitKey(key string) (plusone.Source, string) {
	w := plusone.TicketWork{TicketKey: key}
	return w.Ticket()
}

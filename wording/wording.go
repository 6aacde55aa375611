// Package wording runs the model's worker: it words a card's suggestions
// (their order, a reason each, a note to the customer) and drafts replies
// in open reply modals, on the job runner, never in the Slack sender. A card
// is posted with the rules' suggestions first; when the model answers, its
// guarded wording is kept in the store under the key of what it was shown,
// the card is touched, and the sender updates it like any other change.
// Whatever goes wrong — a timeout, an error, a refusal, an answer that is
// not the JSON asked for, the day's token budget spent — the rules' card
// stays, and the metrics count why.
package wording

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
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/prompts"
)

// Drafts shows a reply draft in the modal an agent opened (bot.Client
// implements it with views.update).
type Drafts interface {
	ShowReplyDraft(ctx context.Context, j plusone.DraftReplyJob, card *plusone.ContextCard, draft string) error
}

// Service is the model's worker, and the queue of reply drafts.
type Service struct {
	Store  plusone.Store
	Model  *prompts.Drafter
	Policy func() *plusone.Policy
	Clock  func() time.Time
	Log    *slog.Logger
	// Metrics counts calls not made and texts the guard dropped (the
	// calls themselves are counted by Model).
	Metrics *metrics.Metrics
	// DailyTokens is the day's token budget (PLUSONE_LLM_DAILY_TOKENS), in
	// the policy's time zone.
	DailyTokens int64
	// Changed wakes the Slack sender: a card was touched.
	Changed func()
	// Drafts shows reply drafts; nil drafts none.
	Drafts Drafts
	// Poll is the longest wait for new work (1 s when unset).
	Poll time.Duration

	wake jobs.Waker
}

// Wake tells the worker that jobs were queued. It never blocks.
func (s *Service) Wake() { s.wake.Wake() }

// Run works through the model's jobs until ctx ends. A job's lease outlasts
// the model's timeout, so that one slow call is never taken over.
func (s *Service) Run(ctx context.Context, instance string) {
	lease := cmp.Or(s.Model.Timeout, prompts.DefaultTimeout) + time.Minute
	kind := func(name, queue string, h jobs.WorkFunc[*plusone.Job]) jobs.Part {
		return &jobs.Kind[*plusone.Job]{
			Name: name, Queue: jobs.StoreJobs{Store: s.Store, Kind: queue}, Handler: h,
			Batch: 4, Lease: lease, MaxAttempts: 3, Backoff: jobs.Backoff{Base: time.Second, Max: time.Minute},
		}
	}
	loop := &jobs.Loop{
		Parts: []jobs.Part{kind("card wording", plusone.JobWordCard, s.wordCard), kind("reply draft", plusone.JobDraftReply, s.draftReply)},
		Wake:  s.wake.C(), Poll: cmp.Or(s.Poll, time.Second), Clock: s.Clock, Log: s.Log,
	}
	loop.Run(ctx, instance+"/llm")
}

// QueueReplyDraft queues a draft for the reply modal j names; the modal
// was opened already, empty, and the draft fills it when the model answers.
// Nothing is queued without a model.
func (s *Service) QueueReplyDraft(ctx context.Context, j plusone.DraftReplyJob) error {
	if !s.Model.Enabled() || j.ViewID == "" || j.CustomerID == 0 {
		return nil
	}
	payload, err := json.Marshal(j)
	if err != nil {
		return err
	}
	now := s.Clock()
	err = s.Store.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobDraftReply, Key: "reply:" + j.ViewID, Payload: payload, CreatedAt: now}, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue a reply draft for %s: %w", j.Ticket, err)
	}
	s.wake.Wake()
	return nil
}

// wordCard words one card: if its prompt is still the one queued, not
// worded yet, and the day's budget covers it, the model is asked; its
// guarded answer is kept and the card touched, in one transaction with the
// job's completion. A failure completes the job too: the rules' card stays.
func (s *Service) wordCard(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	var job plusone.WordCardJob
	if err := json.Unmarshal(j.Item.Payload, &job); err != nil {
		return jobs.Park(fmt.Errorf("payload: %w", err))
	}
	now := s.Clock()
	var (
		card   *plusone.ContextCard
		worded bool
	)
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		card, err = memory.LoadCard(ctx, tx, job.Card, s.Policy(), now)
		if errors.Is(err, plusone.ErrNotFound) {
			card = nil
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Wording(ctx, job.Key)
		worded = err == nil
		if errors.Is(err, plusone.ErrNotFound) {
			err = nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("card %s: %w", job.Card, err)
	}
	if card == nil || s.Model.WordingKey(card) != job.Key {
		// Gone, or changed since: its new state was queued under its own key.
		return s.complete(ctx, j, 0, nil)
	}
	if worded {
		// Another card of hers with the same prompt was worded: show it.
		if err := s.complete(ctx, j, 0, func(tx plusone.Tx) error { return touch(ctx, tx, job.Card, now) }); err != nil {
			return err
		}
		if s.Changed != nil {
			s.Changed()
		}
		return nil
	}
	p, err := s.Model.CardPrompt(card)
	if err != nil {
		return jobs.Park(err)
	}
	reserved, err := s.reserve(ctx, p, now)
	if err != nil {
		return err
	}
	if reserved == 0 {
		return s.complete(ctx, j, 0, nil) // the budget is spent: the rules' card stays
	}
	w, usage, err := s.Model.WordCard(ctx, p)
	if err != nil && ctx.Err() != nil {
		return s.giveBack(ctx, reserved-usage.Total(), err)
	}
	if err != nil {
		j.Log.Warn("the model did not word the card; it stays rules-only", "card", job.Card, "outcome", prompts.Outcome(err), "err", err)
		return s.complete(ctx, j, usage.Total()-reserved, nil)
	}
	w = s.guardWording(w, p)
	err = s.complete(ctx, j, usage.Total()-reserved, func(tx plusone.Tx) error {
		if err := tx.SaveWording(ctx, job.Key, card.View.Customer.ID, w, now); err != nil {
			return err
		}
		return touch(ctx, tx, job.Card, now)
	})
	if err != nil {
		return err
	}
	if s.Changed != nil {
		s.Changed()
	}
	return nil
}

// guardWording keeps of w only what the policy offered and the guard lets
// through: a reason or note that fails is dropped (the rules' reason
// stands) and counted.
func (s *Service) guardWording(w plusone.Wording, p prompts.Prompt) plusone.Wording {
	out := plusone.Wording{}
	for _, ws := range w.Suggestions {
		offered := false
		for _, id := range p.Offered {
			offered = offered || id == ws.Gesture
		}
		if !offered {
			continue
		}
		if ws.Reason != "" && !s.passes("reason", ws.Reason, p.Guard, plusone.MaxWordedReason) {
			ws.Reason = ""
		}
		out.Suggestions = append(out.Suggestions, ws)
	}
	if w.Note != "" && s.passes("note", w.Note, p.Guard, plusone.MaxWordedNote) {
		out.Note = w.Note
	}
	return out
}

// passes applies the guard to a text of the model, counting a failure.
func (s *Service) passes(what, text string, in plusone.GuardInput, max int) bool {
	in.Max = max
	err := plusone.Guard(text, in)
	var ge *plusone.GuardError
	if errors.As(err, &ge) {
		s.Metrics.LLMGuardDrop(what, ge.Failure)
		s.Log.Warn("the guard dropped the model's text", "what", what, "failure", string(ge.Failure))
		return false
	}
	return err == nil
}

// reserve takes the most p may cost from the day's budget before the call,
// across replicas; 0 when the budget cannot cover it (counted).
func (s *Service) reserve(ctx context.Context, p prompts.Prompt, now time.Time) (int64, error) {
	n := p.Estimate()
	var ok bool
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		var err error
		ok, err = tx.SpendTokens(ctx, s.day(now), n, s.DailyTokens)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reserve %d tokens: %w", n, err)
	}
	if !ok {
		s.Metrics.LLMSkip("budget")
		s.Log.Info("the day's token budget is spent: rules only until tomorrow", "limit", s.DailyTokens)
		return 0, nil
	}
	return n, nil
}

func (s *Service) day(now time.Time) string {
	return plusone.DailyTokens{Limit: s.DailyTokens, Loc: s.Policy().Location()}.Day(now)
}

// complete completes the job with fn's effects, and gives back to the
// day's budget what the call did not use (correction <= 0) or takes what it
// used beyond the reservation.
func (s *Service) complete(ctx context.Context, j *jobs.Job[*plusone.Job], correction int64, fn func(tx plusone.Tx) error) error {
	bg := context.WithoutCancel(ctx)
	now := s.Clock()
	return s.Store.Update(bg, func(tx plusone.Tx) error {
		if correction != 0 {
			// Beyond the reservation it is spent already: counted whatever
			// the limit says.
			if _, err := tx.SpendTokens(bg, s.day(now), correction, 1<<62); err != nil {
				return err
			}
		}
		if fn != nil {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return tx.CompleteJob(bg, j.Item.ID, j.Worker, now)
	})
}

// giveBack returns n reserved tokens to the day's budget when the worker
// stops in the middle of a call, and returns cause: the job is released,
// and done again after the restart.
func (s *Service) giveBack(ctx context.Context, n int64, cause error) error {
	bg := context.WithoutCancel(ctx)
	err := s.Store.Update(bg, func(tx plusone.Tx) error {
		_, err := tx.SpendTokens(bg, s.day(s.Clock()), -n, 0)
		return err
	})
	if err != nil {
		return fmt.Errorf("%w; give back %d tokens: %v", cause, n, err)
	}
	return cause
}

// touch bumps a card's version, so that the sender shows its wording.
func touch(ctx context.Context, tx plusone.Tx, key string, now time.Time) error {
	cs, err := tx.Card(ctx, key)
	if errors.Is(err, plusone.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	cs.Background = false // the card's own change
	return tx.TouchCard(ctx, *cs, now)
}

// draftReply drafts a reply for an open modal: her card (memory and the
// ticket's thread), the model's draft, the guard, then the modal updated.
// A draft that fails the guard is dropped and counted; the modal stays
// as the agent has it.
func (s *Service) draftReply(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	var job plusone.DraftReplyJob
	if err := json.Unmarshal(j.Item.Payload, &job); err != nil {
		return jobs.Park(fmt.Errorf("payload: %w", err))
	}
	now := s.Clock()
	var card *plusone.ContextCard
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		// The ticket's card (the ticket key is the card's), else her card.
		var err error
		card, err = memory.LoadCard(ctx, tx, job.Ticket, s.Policy(), now)
		if errors.Is(err, plusone.ErrNotFound) {
			card, err = memory.CustomerCard(ctx, tx, job.CustomerID, s.Policy(), now)
		}
		return err
	})
	if errors.Is(err, plusone.ErrNotFound) || (err == nil && card.Erased) {
		return s.complete(ctx, j, 0, nil)
	}
	if err != nil {
		return fmt.Errorf("reply draft for %s: %w", job.Ticket, err)
	}
	p, err := s.Model.ReplyPrompt(card)
	if err != nil {
		return jobs.Park(err)
	}
	reserved, err := s.reserve(ctx, p, now)
	if err != nil {
		return err
	}
	if reserved == 0 {
		return s.complete(ctx, j, 0, nil)
	}
	draft, usage, err := s.Model.DraftReply(ctx, p)
	if err != nil && ctx.Err() != nil {
		return s.giveBack(ctx, reserved-usage.Total(), err)
	}
	if err != nil {
		j.Log.Warn("the model did not draft a reply", "ticket", job.Ticket, "outcome", prompts.Outcome(err), "err", err)
		return s.complete(ctx, j, usage.Total()-reserved, nil)
	}
	if draft == "" || !s.passes("reply", draft, p.Guard, plusone.MaxReplyDraft) {
		return s.complete(ctx, j, usage.Total()-reserved, nil)
	}
	if s.Drafts != nil {
		if err := s.Drafts.ShowReplyDraft(ctx, job, card, draft); err != nil {
			// The modal was closed or changed: the draft has nowhere to go.
			j.Log.Info("reply draft not shown", "ticket", job.Ticket, "err", err)
		}
	}
	return s.complete(ctx, j, usage.Total()-reserved, nil)
}

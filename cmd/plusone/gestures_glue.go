package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/prompts"
)

// slackGestures adapts the gestures service to the Slack app.
type slackGestures struct {
	svc *gestures.Service
}

var _ bot.Gestures = slackGestures{}

func outcome(r gestures.Result) bot.GestureOutcome {
	return bot.GestureOutcome{Entry: r.Entry, Decision: r.Decision, CustomerName: r.Customer.DisplayName(), Duplicate: r.Duplicate}
}

func (g slackGestures) Offer(ctx context.Context, agent string, v view.OfferValue, key string) (bot.GestureOutcome, error) {
	r, err := g.svc.Offer(ctx, agent, gestures.OfferRequest{CustomerID: v.CustomerID, Gesture: v.Gesture, TicketKey: v.TicketKey, Key: key})
	return outcome(r), err
}

func (g slackGestures) Resolve(ctx context.Context, actor string, id int64, approve bool) (bot.GestureOutcome, error) {
	r, err := g.svc.Resolve(ctx, actor, id, approve)
	return outcome(r), err
}

func (g slackGestures) MarkSent(ctx context.Context, actor string, id int64) (bot.GestureOutcome, error) {
	r, err := g.svc.MarkSent(ctx, actor, id)
	return outcome(r), err
}

func (g slackGestures) Budgets(ctx context.Context, agent string) ([]plusone.BudgetLine, error) {
	return g.svc.Budgets(ctx, agent, 0)
}

func (g slackGestures) Home(ctx context.Context, agent string) (view.HomeGestures, error) {
	h := view.HomeGestures{Currency: g.Currency(), Supervisor: gestures.IsSupervisor(g.svc.Policies.Current(), agent)}
	var err error
	if h.Budgets, err = g.svc.Budgets(ctx, agent, 0); err != nil {
		return h, err
	}
	if h.Recent, h.Names, err = g.svc.Recent(ctx, agent, 10); err != nil {
		return h, err
	}
	if !h.Supervisor {
		return h, nil
	}
	if h.Teams, err = g.svc.TeamBudgets(ctx); err != nil {
		return h, err
	}
	var names map[int64]string
	if h.Pending, names, err = g.svc.PendingApprovals(ctx, 20); err != nil {
		return h, err
	}
	maps.Copy(h.Names, names)
	h.Changes, err = g.svc.Changes(ctx, 10)
	return h, err
}

func (g slackGestures) Settings(_ context.Context, actor string) ([]view.EditableSetting, error) {
	if !gestures.IsSupervisor(g.svc.Policies.Current(), actor) {
		return nil, gestures.ErrNotSupervisor
	}
	var out []view.EditableSetting
	for _, s := range g.svc.Settings() {
		out = append(out, view.EditableSetting{Path: s.Path, Label: s.Label, Current: s.Current})
	}
	return out, nil
}

func (g slackGestures) SetOverride(ctx context.Context, actor, path, value string) error {
	_, err := g.svc.SetOverride(ctx, actor, path, value)
	return err
}

func (g slackGestures) Currency() string { return g.svc.Policies.Current().Currency }

// messenger posts and updates messages: Slack's client, or the terminal.
type messenger interface {
	PostMessage(ctx context.Context, channel string, m view.Message, threadTS string) (string, error)
	UpdateMessage(ctx context.Context, channel, ts string, m view.Message) error
}

// notices renders the gestures' outbox messages when they are sent.
type notices struct {
	store   plusone.Store
	svc     *gestures.Service
	slack   messenger
	policy  func() *plusone.Policy
	drafter *prompts.Drafter
	log     *slog.Logger
}

var _ delivery.Notices = (*notices)(nil)

// request is what a message about a request needs from the store.
type request struct {
	first, entry plusone.LedgerEntry
	customer     plusone.Customer
	card         *plusone.CardState
}

func (n *notices) load(ctx context.Context, o delivery.Outgoing) (request, error) {
	var r request
	err := n.store.View(ctx, func(tx plusone.Tx) error {
		chain, err := tx.Request(ctx, o.RequestID)
		if err != nil {
			return plusone.Errorf(plusone.ENOTFOUND, "request %d: %v", o.RequestID, err)
		}
		r.first, r.entry = chain[0], chain[len(chain)-1]
		for _, e := range chain {
			if e.ID == o.EntryID {
				r.entry = e
			}
		}
		c, err := tx.Customer(ctx, r.first.CustomerID)
		if err != nil {
			return err
		}
		r.customer = *c
		if r.first.TicketKey != "" {
			if card, err := tx.Card(ctx, r.first.TicketKey); err == nil {
				r.card = card
			}
		}
		return nil
	})
	return r, err
}

// thread is where replies about a request go: the card's thread, or the
// card's channel while the card is not posted yet.
func (r request) thread() (channel, ts string) {
	if r.card == nil {
		return "", ""
	}
	return r.card.Channel, r.card.TS
}

// Prepare renders an outgoing message and says how to send it.
func (n *notices) Prepare(ctx context.Context, o delivery.Outgoing) (delivery.Prepared, error) {
	if o.What == delivery.DataRequest { // about no gesture request
		m := view.DataRequestMessage(o.Source, o.Shop, o.Ref, o.Text, o.ExternalID)
		return delivery.Prepared{Channel: o.Channel, Method: "chat.postMessage", Send: func(ctx context.Context) (string, error) {
			return n.slack.PostMessage(ctx, o.Channel, m, "")
		}}, nil
	}
	r, err := n.load(ctx, o)
	if err != nil {
		return delivery.Prepared{}, err
	}
	name := r.customer.DisplayName()
	post := func(channel, thread string, m view.Message) delivery.Prepared {
		return delivery.Prepared{Channel: channel, Method: "chat.postMessage", Send: func(ctx context.Context) (string, error) {
			return n.slack.PostMessage(ctx, channel, m, thread)
		}}
	}
	update := func(purpose string, m view.Message) (delivery.Prepared, error) {
		var channel, ts string
		err := n.store.View(ctx, func(tx plusone.Tx) error {
			var err error
			channel, ts, err = tx.Message(ctx, o.RequestID, purpose)
			return err
		})
		if err != nil {
			// The message to replace was never posted: nothing to update.
			return delivery.Prepared{Skip: true}, nil
		}
		return delivery.Prepared{Channel: channel, Method: "chat.update", Send: func(ctx context.Context) (string, error) {
			return ts, n.slack.UpdateMessage(ctx, channel, ts, m)
		}}, nil
	}
	channel, thread := r.thread()
	switch o.What {
	case "approval_request":
		budgets, err := n.svc.Budgets(ctx, r.first.Agent, r.first.CustomerID)
		if err != nil {
			return delivery.Prepared{}, err
		}
		p := r.customer.Profile
		summary := fmt.Sprintf("%s · %s · %s lifetime · %d orders", name, p.Tier.Title(), p.LifetimeValue.Format(p.Currency), p.Orders)
		m := view.ApprovalRequestMessage(r.first, name, summary, blocking(r.first.Reason), budgets)
		if ch := n.policy().Approvals.Channel; ch != "" {
			return post(ch, "", m), nil
		}
		return post(channel, thread, m), nil // no approvals channel: ask in the card's thread
	case "approval_decided":
		return update("approval", view.ApprovalDecidedMessage(r.first, r.entry, name))
	case "thread_outcome":
		return post(channel, thread, view.ThreadOutcomeMessage(r.entry, r.first.Title)), nil
	case "todo":
		m := view.FulfilmentTodoMessage(r.first, name)
		if r.first.Kind == "note" {
			text, byModel := n.draft(ctx, r)
			m = view.WithDraft(m, text, byModel)
		}
		return post(channel, thread, m), nil
	case "fulfilled":
		return update("todo", view.FulfilledMessage(r.entry, r.entry.By))
	case "writeback":
		target, _, _ := strings.Cut(o.Text, " ")
		return post(channel, thread, view.WritebackResultMessage(r.entry, target, o.Text, o.OK)), nil
	default:
		return delivery.Prepared{}, plusone.Errorf(plusone.EINVALID, "unknown message %q", o.What)
	}
}

// draft words a handwritten note for the agent: the model's draft when
// one is configured and answers, the rules' otherwise.
func (n *notices) draft(ctx context.Context, r request) (string, bool) {
	var view plusone.CustomerView
	err := n.store.View(ctx, func(tx plusone.Tx) error {
		var err error
		view, err = memory.LoadView(ctx, tx, r.first.CustomerID)
		return err
	})
	if err != nil {
		n.log.Warn("note draft: the to-do goes without one", "customer", r.first.CustomerID, "err", err)
		return "", false
	}
	text, byModel, err := n.drafter.Note(ctx, prompts.FactsOf(view,
		prompts.OccasionOf(n.policy().Signals.Signals(view, n.svc.Clock()), view.Customer.Profile.Tier)))
	if err != nil {
		n.log.Warn("note draft by the model failed; using the rules' draft", "err", err)
	}
	return text, byModel
}

// blocking reads back what stood in a request's way from its reason
// ("over your limits: agent budget …; customer budget …").
func blocking(reason string) []string {
	_, rest, ok := strings.Cut(reason, ": ")
	if !ok {
		return []string{reason}
	}
	return strings.Split(rest, "; ")
}

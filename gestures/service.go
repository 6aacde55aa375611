// Package gestures runs the "plus one" gestures: an agent's offer decided
// by the policy and recorded in the ledger in one transaction, so that no
// budget is ever overspent whatever the concurrency; approvals by
// supervisors; expiry of undecided requests; fulfilment; budgets; and the
// supervisors' overrides of the policy.
package gestures

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/metrics"
)

// Policies is the policy in force and the supervisors' overrides on it
// (config.Live).
type Policies interface {
	Current() *plusone.Policy
	File() *plusone.Policy
	Overrides() []plusone.Override
	SetOverrides(os []plusone.Override) error
}

// Service runs gestures.
type Service struct {
	Store    plusone.Store
	Policies Policies
	Clock    func() time.Time
	Log      *slog.Logger
	// Writeback lists the systems a granted gesture is written back to:
	// "zendesk" (an internal note on the ticket), "shopify" (a discount
	// code for discount gestures).
	Writeback []plusone.Source
	// Changed is called after cards or the outbox changed.
	Changed func()
	// Drafter words the handwritten notes of to-dos; nil: none.
	Drafter plusone.NoteDrafter
	// Metrics counts decisions and spend; nil counts nothing.
	Metrics *metrics.Metrics
	// Outcomes, when set, gives supervisors' App Home each gesture's
	// measured effect and the window it was measured in
	// (outcomes.Service.HomeLines).
	Outcomes func(ctx context.Context, now time.Time) (window string, lines []plusone.OutcomeLine, err error)
}

// decided logs a recorded decision at info, with ids and no personal data,
// and counts it.
func (s *Service) decided(e plusone.LedgerEntry) {
	s.Log.Info("gesture decided", "ledger_id", e.ID, "request_id", e.RequestID, "gesture", e.Gesture,
		"status", string(e.Status), "agent", e.Agent, "by", e.By, "customer_id", e.CustomerID, "ticket", e.TicketKey,
		"charge", e.Charge.Decimal())
	s.Metrics.Decided(e)
}

// JobWriteback is the kind of write-back jobs.
const JobWriteback = "writeback"

// Writeback is the payload of a write-back job.
type Writeback struct {
	RequestID int64          `json:"request_id"`
	Target    plusone.Source `json:"target"`
}

// physical gestures are fulfilled by hand (a to-do with "Mark sent").
func physical(kind string) bool { return kind == "note" || kind == "gift" }

// Offer decides an agent's offer and records the decision. A granted
// gesture is charged, its fulfilment queued and her cards refreshed; an
// approval request is sent to the supervisors; a refusal is recorded too.
func (s *Service) Offer(ctx context.Context, agent string, o plusone.OfferRequest) (plusone.GestureResult, error) {
	now := s.Clock()
	p := s.Policies.Current()
	var res plusone.GestureResult
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		res = plusone.GestureResult{}
		team, inTeam := p.TeamOf(agent)
		if err := tx.Lock(ctx, budgetKeys(agent, o.CustomerID, team.ID)...); err != nil {
			return err
		}
		// Decided by the overrides stored now: a supervisor may have
		// changed a budget through another replica.
		p, err := s.current(ctx, tx, p)
		if err != nil {
			return err
		}
		g, known := p.GestureByID(o.Gesture)
		// Only what the decision reads, while the budgets are locked.
		view, err := memory.LoadSignalView(ctx, tx, o.CustomerID)
		if err != nil {
			return err
		}
		if !view.Customer.ErasedAt.IsZero() {
			return plusone.Errorf(plusone.ENOTFOUND, "this customer was erased")
		}
		res.Customer = view.Customer
		spent, err := spend(ctx, tx, p, agent, o.CustomerID, now)
		if err != nil {
			return err
		}
		var last time.Time
		if known {
			if last, err = tx.LastGranted(ctx, o.CustomerID, g.ID); err != nil {
				return err
			}
		}
		d := p.Decide(plusone.Offer{Gesture: o.Gesture, Agent: agent, Customer: view.Customer,
			Signals: p.Signals.Signals(view, now), LastGranted: last, Spent: spent, Now: now})
		e := plusone.LedgerEntry{Key: o.Key, Gesture: o.Gesture, Title: g.Title, Kind: g.Kind, Value: g.Value, Currency: p.Currency,
			CustomerID: o.CustomerID, Agent: agent, Status: d.Status, Reason: d.Reason, Blocking: d.Blocking, By: agent, TicketKey: o.TicketKey, CreatedAt: now}
		if inTeam {
			e.Team = team.ID
		}
		if d.Status == plusone.StatusGranted {
			e.Charge = g.Value
		}
		existing, dup, err := tx.AppendLedger(ctx, &e)
		if err != nil {
			return err
		}
		if dup {
			res.Entry, res.Duplicate = *existing, true
			res.Decision = plusone.Decision{Status: existing.Status, Reason: existing.Reason}
			return nil
		}
		res.Entry, res.Decision = e, d
		if err := tx.TouchAgent(ctx, agent, o.CustomerID, "offered "+strings.ToLower(g.Title), now); err != nil {
			return err
		}
		switch d.Status {
		case plusone.StatusGranted:
			if err := s.fulfil(ctx, tx, e, now); err != nil {
				return err
			}
		case plusone.StatusPendingApproval:
			if err := enqueue(ctx, tx, now, fmt.Sprintf("approval:%d", e.RequestID),
				plusone.Notice{Kind: plusone.NoticeApprovalRequest, RequestID: e.RequestID}); err != nil {
				return err
			}
		default:
			return nil // a refusal changes nothing else
		}
		return memory.TouchOpenCards(ctx, tx, o.CustomerID, now)
	})
	if err != nil {
		return plusone.GestureResult{}, fmt.Errorf("offer %s: %w", o.Gesture, err)
	}
	if !res.Duplicate {
		s.decided(res.Entry)
	}
	if !res.Duplicate && res.Decision.Status != plusone.StatusRefused {
		s.changed()
	}
	return res, nil
}

// current is the policy in force with the overrides stored now, which
// another replica may have added since this one took them in; p when they
// are the same, or do not apply to the policy file (logged).
func (s *Service) current(ctx context.Context, tx plusone.Tx, p *plusone.Policy) (*plusone.Policy, error) {
	stored, err := tx.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	held := s.Policies.Overrides()
	if len(stored) == len(held) && (len(stored) == 0 || stored[len(stored)-1].ID == held[len(held)-1].ID) {
		return p, nil
	}
	if err := s.Policies.SetOverrides(stored); err != nil {
		s.Log.Warn("overrides made on another replica do not apply; deciding with those in force", "err", err)
		return p, nil
	}
	s.Log.Info("overrides made on another replica taken in", "count", len(stored)-len(held))
	return s.Policies.Current(), nil
}

// spend reads what the offer's budgets spent in their current periods.
func spend(ctx context.Context, tx plusone.Tx, p *plusone.Policy, agent string, customerID int64, now time.Time) (plusone.Spend, error) {
	var sp plusone.Spend
	lines, err := offerLines(ctx, tx, p, agent, customerID, now)
	for _, l := range lines {
		switch l.Scope {
		case plusone.ScopeAgent:
			sp.Agent = l.Spent
		case plusone.ScopeTeam:
			sp.Team = l.Spent
		case plusone.ScopeCustomer:
			sp.Customer = l.Spent
		}
	}
	return sp, err
}

// fulfil queues what a granted gesture needs next: a to-do in the card's
// thread for a physical one, write-backs for the others.
func (s *Service) fulfil(ctx context.Context, tx plusone.Tx, e plusone.LedgerEntry, now time.Time) error {
	if physical(e.Kind) {
		return enqueue(ctx, tx, now, fmt.Sprintf("todo:%d", e.RequestID),
			plusone.Notice{Kind: plusone.NoticeTodo, RequestID: e.RequestID})
	}
	for _, target := range s.Writeback {
		if target == plusone.SourceShopify && e.Kind != "discount" {
			continue
		}
		if target == plusone.SourceZendesk && !strings.HasPrefix(e.TicketKey, string(plusone.SourceZendesk)+":") {
			continue
		}
		payload, err := json.Marshal(Writeback{RequestID: e.RequestID, Target: target})
		if err != nil {
			return err
		}
		if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: JobWriteback, Key: fmt.Sprintf("writeback:%d:%s", e.RequestID, target),
			Payload: payload, CreatedAt: now}, now); err != nil {
			return err
		}
	}
	return nil
}

// enqueue queues a notice once per key.
func enqueue(ctx context.Context, tx plusone.Tx, now time.Time, key string, n plusone.Notice) error {
	payload, err := json.Marshal(n)
	if err != nil {
		return err
	}
	_, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: "msg:" + key, Payload: payload, CreatedAt: now}, now)
	return err
}

// ErrNotSupervisor is returned when someone who is not a supervisor tries
// to decide an approval or change the policy.
var ErrNotSupervisor = plusone.Errorf(plusone.EUNAUTHORIZED, "only the supervisors listed in the policy can do this")

// IsSupervisor reports whether user may decide approvals and edit limits.
func IsSupervisor(p *plusone.Policy, user string) bool {
	return slices.Contains(p.Approvals.Supervisors, user)
}

// Resolve records a supervisor's approval or refusal of a request. Anyone
// else is refused, and the attempt audited.
func (s *Service) Resolve(ctx context.Context, actor string, requestID int64, approve bool) (plusone.GestureResult, error) {
	now := s.Clock()
	p := s.Policies.Current()
	action := "decline"
	if approve {
		action = "approve"
	}
	if !IsSupervisor(p, actor) {
		err := s.Store.Update(ctx, func(tx plusone.Tx) error {
			return tx.Audit(ctx, actor, action, strconv.FormatInt(requestID, 10), "refused: not a supervisor", now)
		})
		if err != nil {
			return plusone.GestureResult{}, err
		}
		s.Log.Warn("approval decision refused: not a supervisor", "user", actor, "request", requestID)
		return plusone.GestureResult{}, ErrNotSupervisor
	}
	var res plusone.GestureResult
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		res = plusone.GestureResult{}
		// The request's first entry never changes: it names the budgets an
		// approval spends from, locked with the request in one call. Its
		// latest state is read only once the request is locked.
		chain, err := tx.Request(ctx, requestID)
		if err != nil {
			return err
		}
		first := chain[0]
		keys := []string{plusone.RequestLock(requestID)}
		if approve {
			keys = append(keys, budgetKeys(first.Agent, first.CustomerID, first.Team)...)
		}
		if err := tx.Lock(ctx, keys...); err != nil {
			return err
		}
		if chain, err = tx.Request(ctx, requestID); err != nil {
			return err
		}
		if latest := chain[len(chain)-1]; latest.Status != plusone.StatusPendingApproval {
			res.Entry, res.Duplicate = latest, true
			return nil
		}
		c, err := tx.Customer(ctx, first.CustomerID)
		if err != nil {
			return err
		}
		res.Customer = *c
		var e plusone.LedgerEntry
		if approve {
			e = followUp(first, plusone.StatusApproved, actor, "approved by supervisor", now)
			e.Charge = first.Value
		} else {
			e = followUp(first, plusone.StatusDeclined, actor, "declined by supervisor", now)
		}
		e.RequestID, e.Key = requestID, plusone.FinalKey(requestID)
		existing, dup, err := tx.AppendLedger(ctx, &e)
		if err != nil {
			return err
		}
		if dup { // decided meanwhile by a transaction that took no lock
			res.Entry, res.Duplicate = *existing, true
			return nil
		}
		res.Entry = e
		if err := tx.Audit(ctx, actor, action, strconv.FormatInt(requestID, 10), string(e.Status), now); err != nil {
			return err
		}
		if err := s.announce(ctx, tx, e, now); err != nil {
			return err
		}
		if approve {
			if err := s.fulfil(ctx, tx, e, now); err != nil {
				return err
			}
		}
		return memory.TouchOpenCards(ctx, tx, first.CustomerID, now)
	})
	if err != nil {
		return plusone.GestureResult{}, fmt.Errorf("%s request %d: %w", action, requestID, err)
	}
	if !res.Duplicate {
		s.decided(res.Entry)
		s.changed()
	}
	return res, nil
}

// budgetKeys are the budgets an offer draws on, locked while it is decided:
// the agent's, the customer's and, when she has one, the agent's team's.
func budgetKeys(agent string, customerID int64, team string) []string {
	keys := []string{plusone.BudgetLock(plusone.ScopeAgent, agent),
		plusone.BudgetLock(plusone.ScopeCustomer, plusone.CustomerBudgetKey(customerID))}
	if team != "" {
		keys = append(keys, plusone.BudgetLock(plusone.ScopeTeam, team))
	}
	return keys
}

// followUp is the ledger entry that moves a request on from base: a new
// entry (no key of its own, no charge) with status, by whom, why and when.
func followUp(base plusone.LedgerEntry, status plusone.LedgerStatus, by, reason string, now time.Time) plusone.LedgerEntry {
	e := base
	e.ID, e.Key, e.Charge = 0, "", 0
	e.Status, e.By, e.Reason, e.CreatedAt = status, by, reason, now
	return e
}

// announce queues the messages of a decided request: the approval request
// replaced by its outcome, and a reply to the agent in the card's thread.
func (s *Service) announce(ctx context.Context, tx plusone.Tx, e plusone.LedgerEntry, now time.Time) error {
	if err := enqueue(ctx, tx, now, fmt.Sprintf("decided:%d", e.RequestID),
		plusone.Notice{Kind: plusone.NoticeApprovalDecided, RequestID: e.RequestID, EntryID: e.ID}); err != nil {
		return err
	}
	return enqueue(ctx, tx, now, fmt.Sprintf("outcome:%d", e.ID),
		plusone.Notice{Kind: plusone.NoticeThreadOutcome, RequestID: e.RequestID, EntryID: e.ID})
}

// ExpireDue records as expired the requests not decided within the
// policy's approvals.expire.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.Clock()
	p := s.Policies.Current()
	if p.Approvals.Expire <= 0 {
		return 0, nil
	}
	n := 0
	var expired []plusone.LedgerEntry
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		n, expired = 0, nil
		pending, err := tx.Pending(ctx, 500)
		if err != nil {
			return err
		}
		// Each customer's cards are refreshed once, however many of her
		// requests expire.
		var customers []int64
		for _, due := range pending {
			if now.Sub(due.CreatedAt) < p.Approvals.Expire {
				continue
			}
			// Locked in the order listed (by request), so two expirers
			// never wait on each other crosswise; read again once locked,
			// as a supervisor may have decided it meanwhile.
			if err := tx.Lock(ctx, plusone.RequestLock(due.RequestID)); err != nil {
				return err
			}
			chain, err := tx.Request(ctx, due.RequestID)
			if err != nil {
				return err
			}
			latest := chain[len(chain)-1]
			if latest.Status != plusone.StatusPendingApproval {
				continue
			}
			e := followUp(latest, plusone.StatusExpired, "plusone",
				fmt.Sprintf("not decided within %s", plusone.Duration(p.Approvals.Expire)), now)
			e.Key = plusone.FinalKey(latest.RequestID)
			_, dup, err := tx.AppendLedger(ctx, &e)
			if err != nil {
				return err
			}
			if dup {
				continue
			}
			if err := s.announce(ctx, tx, e, now); err != nil {
				return err
			}
			expired = append(expired, e)
			if !slices.Contains(customers, e.CustomerID) {
				customers = append(customers, e.CustomerID)
			}
			n++
		}
		for _, id := range customers {
			if err := memory.TouchOpenCards(ctx, tx, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && n > 0 {
		for _, e := range expired {
			s.decided(e)
		}
		s.Log.Info("approval requests expired", "count", n)
		s.changed()
	}
	return n, err
}

// Expirer runs ExpireDue every interval until ctx ends.
func (s *Service) Expirer(ctx context.Context, interval time.Duration) {
	p := &jobs.Periodic{Name: "expire approval requests", Every: interval, Log: s.Log,
		Do: func(ctx context.Context) error {
			_, err := s.ExpireDue(ctx)
			return err
		}}
	p.Run(ctx)
}

// MarkSent records that a physical gesture was sent.
func (s *Service) MarkSent(ctx context.Context, actor string, requestID int64) (plusone.GestureResult, error) {
	return s.fulfilled(ctx, actor, requestID, "sent by "+actor, true)
}

func (s *Service) fulfilled(ctx context.Context, actor string, requestID int64, how string, todo bool) (plusone.GestureResult, error) {
	now := s.Clock()
	var res plusone.GestureResult
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		var err error
		res, err = s.fulfilledIn(ctx, tx, actor, requestID, how, todo, now)
		return err
	})
	if err != nil {
		return plusone.GestureResult{}, fmt.Errorf("fulfil request %d: %w", requestID, err)
	}
	if !res.Duplicate {
		s.changed()
	}
	return res, nil
}

// fulfilledIn records in tx that a granted gesture was fulfilled, once:
// the request is locked before its state is read, and the fulfilment's
// ledger key lets one entry through whatever else happens. A gesture not
// granted is an EINVALID error, which leaves tx usable.
func (s *Service) fulfilledIn(ctx context.Context, tx plusone.Tx, actor string, requestID int64, how string, todo bool, now time.Time) (plusone.GestureResult, error) {
	if err := tx.Lock(ctx, plusone.RequestLock(requestID)); err != nil {
		return plusone.GestureResult{}, err
	}
	chain, err := tx.Request(ctx, requestID)
	if err != nil {
		return plusone.GestureResult{}, err
	}
	latest := chain[len(chain)-1]
	switch latest.Status {
	case plusone.StatusGranted, plusone.StatusApproved:
	case plusone.StatusFulfilled:
		return plusone.GestureResult{Entry: latest, Duplicate: true}, nil
	default:
		return plusone.GestureResult{}, plusone.Errorf(plusone.EINVALID, "this gesture is %s, not granted", strings.ReplaceAll(string(latest.Status), "_", " "))
	}
	e := followUp(latest, plusone.StatusFulfilled, actor, how, now)
	e.Key = plusone.FulfilledKey(requestID)
	existing, dup, err := tx.AppendLedger(ctx, &e)
	if err != nil {
		return plusone.GestureResult{}, err
	}
	if dup {
		return plusone.GestureResult{Entry: *existing, Duplicate: true}, nil
	}
	if todo {
		if err := enqueue(ctx, tx, now, fmt.Sprintf("fulfilled:%d", requestID),
			plusone.Notice{Kind: plusone.NoticeFulfilled, RequestID: requestID, EntryID: e.ID}); err != nil {
			return plusone.GestureResult{}, err
		}
	}
	return plusone.GestureResult{Entry: e}, memory.TouchOpenCards(ctx, tx, e.CustomerID, now)
}

// WritebackResult tells the agent, in the card's thread, how a write-back
// went.
func (s *Service) WritebackResult(ctx context.Context, requestID int64, text string, ok bool) error {
	now := s.Clock()
	err := s.Store.Update(ctx, func(tx plusone.Tx) error { return writebackResult(ctx, tx, requestID, text, ok, now) })
	if err == nil {
		s.changed()
	}
	return err
}

// writebackResult queues the message of WritebackResult in tx, once per
// request and text.
func writebackResult(ctx context.Context, tx plusone.Tx, requestID int64, text string, ok bool, now time.Time) error {
	return enqueue(ctx, tx, now, fmt.Sprintf("writeback:%d:%s", requestID, text),
		plusone.Notice{Kind: plusone.NoticeWriteback, RequestID: requestID, Text: text, OK: ok})
}

func (s *Service) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}

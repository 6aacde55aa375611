package gestures_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/pipeline"
	"github.com/plusone-hq/plusone/store/sqlite"
)

const policyYAML = `
currency: USD
timezone: America/New_York
gestures:
  - id: free_express_shipping
    title: Free express shipping on the next order
    kind: shipping
    value: 15
    cooldown: 720h
  - id: handwritten_note
    title: Handwritten thank-you note
    kind: note
    value: 4
roles:
  agent:  {max_per_gesture: 25, budget: {amount: 90, per: day}}
  senior: {max_per_gesture: 75, budget: {amount: 300, per: day}}
members: {U0SENIOR: senior}
teams:
  - id: frontline
    members: [U0ANA]
    budget: {amount: 1000, per: week}
customer_budget: {amount: 50, per: month}
approvals:
  channel: C0SUPERVISORS
  supervisors: [U0SUP]
  expire: 2h
`

var t0 = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC) // 10:00 in New York

type fixture struct {
	svc   *gestures.Service
	store plusone.Store
	live  *config.Live
	now   *time.Time
	ids   []int64
}

func newFixture(t *testing.T, customers int) *fixture {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := config.ParsePolicy("policy.yaml", []byte(policyYAML))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	live := config.NewLive("", p, log)
	now := t0
	f := &fixture{store: s, live: live, now: &now}
	f.svc = &gestures.Service{Store: s, Policies: live, Clock: func() time.Time { return *f.now }, Log: log}
	a := &pipeline.Applier{Policy: live.Current, DefaultChannel: "C1"}
	ctx := context.Background()
	for i := range customers {
		err := s.Update(ctx, func(tx plusone.Tx) error {
			id, err := a.Apply(ctx, tx, plusone.Event{Source: plusone.SourceGeneric, ID: fmt.Sprint("e", i), Type: plusone.EventTicketCreated,
				OccurredAt: t0.Add(-time.Hour), Customer: plusone.CustomerRef{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprint("Customer ", i)},
				Ticket: &plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Hello"}}, t0)
			f.ids = append(f.ids, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) offer(t *testing.T, agent string, customer int, gesture, key string) plusone.GestureResult {
	t.Helper()
	res, err := f.svc.Offer(context.Background(), agent, plusone.OfferRequest{CustomerID: f.ids[customer], Gesture: gesture,
		TicketKey: fmt.Sprint("generic:T-", customer), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// 200 concurrent offers by one agent on 200 customers, with a budget for
// exactly 6: 6 granted, the rest sent for approval, the budget not
// overspent; the same click 5 times at once: one entry.
func TestConcurrentOffersNeverOverspend(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 200)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[plusone.LedgerStatus]int{}
	for i := range 200 {
		wg.Go(func() {
			res := f.offer(t, "U0ANA", i, "free_express_shipping", fmt.Sprint("click-", i))
			mu.Lock()
			count[res.Entry.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if count[plusone.StatusGranted] != 6 || count[plusone.StatusPendingApproval] != 194 {
		t.Fatalf("outcomes = %v, want 6 granted and 194 pending", count)
	}
	budgets, err := f.svc.Budgets(ctx, "U0ANA", 0)
	if err != nil {
		t.Fatal(err)
	}
	if budgets[0].Spent != 90_00 || budgets[0].Remaining != 0 {
		t.Errorf("agent budget = %+v", budgets[0])
	}
	// The same click, five times at once.
	results := make([]plusone.GestureResult, 5)
	for i := range 5 {
		wg.Go(func() { results[i] = f.offer(t, "U0BEN", 7, "handwritten_note", "double-click") })
	}
	wg.Wait()
	dups := 0
	for _, r := range results {
		if r.Entry.ID != results[0].Entry.ID {
			t.Errorf("same click gave entries %d and %d", r.Entry.ID, results[0].Entry.ID)
		}
		if r.Duplicate {
			dups++
		}
	}
	entries, err := f.svc.Ledger(ctx, plusone.LedgerFilter{Agent: "U0BEN"})
	if err != nil || len(entries) != 1 || dups != 4 {
		t.Errorf("ledger of the double click: %d entries (%v), %d duplicates", len(entries), err, dups)
	}
}

func TestApprovalsAndExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	// Over the agent's limit: the senior role's gesture value 15 ≤ 25, but
	// budget exhausted by 6 grants first.
	for i := range 6 {
		f.offer(t, "U0ANA", i%3, "handwritten_note", fmt.Sprint("fill-", i))
	}
	ask := f.offer(t, "U0ANA", 0, "free_express_shipping", "ask")
	if ask.Entry.Status != plusone.StatusGranted && ask.Entry.Status != plusone.StatusPendingApproval {
		t.Fatalf("ask = %+v", ask.Entry)
	}
	// The customer budget ($50/month) stands in the way after $15 + notes.
	f.offer(t, "U0ANA", 1, "free_express_shipping", "b")
	res := f.offer(t, "U0ANA", 1, "free_express_shipping", "c") // cooldown: refused
	if res.Entry.Status != plusone.StatusRefused {
		t.Errorf("second shipping to the same customer: %+v", res.Entry)
	}
	pending, _, err := f.svc.PendingApprovals(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var req plusone.LedgerEntry
	if len(pending) == 0 {
		// Force one: an agent with no budget left.
		*f.now = f.now.Add(time.Minute)
		for i := range 20 {
			r := f.offer(t, "U0ANA", 2, "handwritten_note", fmt.Sprint("more-", i))
			if r.Entry.Status == plusone.StatusPendingApproval {
				req = r.Entry
				break
			}
		}
	} else {
		req = pending[0]
	}
	if req.ID == 0 {
		t.Fatal("no request awaits approval")
	}
	// Not a supervisor: refused and audited.
	if _, err := f.svc.Resolve(ctx, "U0ANA", req.RequestID, true); err != gestures.ErrNotSupervisor {
		t.Errorf("agent approving: %v", err)
	}
	before, _ := f.svc.Budgets(ctx, "U0ANA", 0)
	approved, err := f.svc.Resolve(ctx, "U0SUP", req.RequestID, true)
	if err != nil || approved.Entry.Status != plusone.StatusApproved || approved.Entry.Charge != req.Value {
		t.Fatalf("approve: %+v %v", approved.Entry, err)
	}
	after, _ := f.svc.Budgets(ctx, "U0ANA", 0)
	if after[0].Spent != before[0].Spent+req.Value {
		t.Errorf("approval did not charge: %v -> %v", before[0].Spent, after[0].Spent)
	}
	again, err := f.svc.Resolve(ctx, "U0SUP", req.RequestID, false)
	if err != nil || !again.Duplicate || again.Entry.Status != plusone.StatusApproved {
		t.Errorf("deciding twice: %+v %v", again, err)
	}
	must(t, f.store.View(ctx, func(tx plusone.Tx) error {
		log, err := tx.AuditLog(ctx, 10)
		if err != nil {
			return err
		}
		found := false
		for _, a := range log {
			if a.Actor == "U0ANA" && a.Outcome == "refused: not a supervisor" {
				found = true
			}
		}
		if !found {
			t.Errorf("the refused attempt is not audited: %+v", log)
		}
		return nil
	}))
	// Another request expires after approvals.expire.
	var other plusone.LedgerEntry
	for i := range 20 {
		r := f.offer(t, "U0ANA", 2, "handwritten_note", fmt.Sprint("late-", i))
		if r.Entry.Status == plusone.StatusPendingApproval {
			other = r.Entry
			break
		}
	}
	*f.now = f.now.Add(90 * time.Minute)
	if n, err := f.svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Errorf("expired too early: %d %v", n, err)
	}
	*f.now = f.now.Add(time.Hour)
	if n, err := f.svc.ExpireDue(ctx); err != nil || n < 1 {
		t.Errorf("expire: %d %v", n, err)
	}
	must(t, f.store.View(ctx, func(tx plusone.Tx) error {
		chain, err := tx.Request(ctx, other.RequestID)
		if err != nil || chain[len(chain)-1].Status != plusone.StatusExpired {
			t.Errorf("request after expiry: %+v %v", chain, err)
		}
		return nil
	}))
}

func TestFulfilmentAndOverrides(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	note := f.offer(t, "U0ANA", 0, "handwritten_note", "n1")
	if note.Entry.Status != plusone.StatusGranted {
		t.Fatalf("note: %+v", note.Entry)
	}
	sent, err := f.svc.MarkSent(ctx, "U0BEN", note.Entry.RequestID)
	if err != nil || sent.Entry.Status != plusone.StatusFulfilled || sent.Entry.Charge != 0 {
		t.Fatalf("mark sent: %+v %v", sent.Entry, err)
	}
	if again, err := f.svc.MarkSent(ctx, "U0BEN", note.Entry.RequestID); err != nil || !again.Duplicate {
		t.Errorf("marking twice: %+v %v", again, err)
	}
	// A supervisor pauses the gesture: the next offer is refused at once.
	if _, err := f.svc.SetOverride(ctx, "U0ANA", "gestures.handwritten_note.paused", "true"); err != gestures.ErrNotSupervisor {
		t.Errorf("agent editing the policy: %v", err)
	}
	if _, err := f.svc.SetOverride(ctx, "U0SUP", "gestures.nope.paused", "true"); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("unknown gesture: %v", err)
	}
	o, err := f.svc.SetOverride(ctx, "U0SUP", "gestures.handwritten_note.paused", "true")
	if err != nil || o.OldValue != "false" || o.NewValue != "true" {
		t.Fatalf("pause: %+v %v", o, err)
	}
	if r := f.offer(t, "U0ANA", 1, "handwritten_note", "n2"); r.Entry.Status != plusone.StatusRefused {
		t.Errorf("paused gesture: %+v", r.Entry)
	}
	// Raising a role's limit and budget turns an approval into a grant.
	if _, err := f.svc.SetOverride(ctx, "U0SUP", "roles.agent.budget", "0/day"); err != nil {
		t.Fatal(err)
	}
	if r := f.offer(t, "U0ANA", 1, "free_express_shipping", "s1"); r.Entry.Status != plusone.StatusPendingApproval ||
		r.Entry.Reason != "needs a supervisor's approval: agent budget: $0 left of $0 today" {
		// The ledger keeps the decision's reason as it is: each blocker once.
		t.Errorf("with no budget: %+v", r.Entry)
	}
	if _, err := f.svc.SetOverride(ctx, "U0SUP", "roles.agent.budget", "500/day"); err != nil {
		t.Fatal(err)
	}
	if r := f.offer(t, "U0ANA", 0, "free_express_shipping", "s2"); r.Entry.Status != plusone.StatusGranted {
		t.Errorf("after raising the budget: %+v", r.Entry)
	}
	changes, err := f.svc.Changes(ctx, 10)
	if err != nil || len(changes) != 3 || changes[0].NewValue != "500/day" || changes[0].By != "U0SUP" {
		t.Errorf("changes = %+v %v", changes, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

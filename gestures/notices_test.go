package gestures_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/gestures"
)

// drafter drafts "Dear <name>" and remembers the signals it was given.
type drafter struct{ signals []plusone.Signal }

func (d *drafter) DraftNote(ctx context.Context, v plusone.CustomerView, signals []plusone.Signal) (string, bool, error) {
	d.signals = signals
	return "Dear " + v.Customer.Name, true, nil
}

// postCards records every claimed card as posted in C1 at ts 111.1.
func postCards(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	cards, err := f.store.ClaimCards(ctx, plusone.Claim{Worker: "w", Limit: 100, Lease: time.Minute, Now: f.now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if err := f.store.CardDelivered(ctx, c.Key, "w", "C1", "111.1", c.Version); err != nil {
			t.Fatal(err)
		}
	}
}

// Each notice is composed from the store as it is when sent: replies in
// the card's thread, approval requests in the approvals channel with the
// budgets and what blocks them, to-dos of notes with a draft, outcomes in
// place of the message they replace (nothing to send when that was never
// posted), write-back results with their target.
func TestComposeNotices(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 8)
	d := &drafter{}
	f.svc.Drafter = d
	ctx := context.Background()

	note := f.offer(t, "U0ANA", 0, "handwritten_note", "click-note")
	var ask plusone.GestureResult
	for i := 1; i < 8 && ask.Entry.ID == 0; i++ {
		if r := f.offer(t, "U0ANA", i, "free_express_shipping", fmt.Sprint("click-", i)); r.Entry.Status == plusone.StatusPendingApproval {
			ask = r
		}
	}
	if note.Entry.Status != plusone.StatusGranted || ask.Entry.ID == 0 || len(ask.Decision.Blocking) == 0 {
		t.Fatalf("note %s, request %+v: want a granted note and a request blocked by a budget", note.Entry.Status, ask)
	}
	postCards(t, f)

	todo, err := f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeTodo, RequestID: note.Entry.RequestID})
	if err != nil {
		t.Fatal(err)
	}
	if todo.Channel != "C1" || todo.ThreadTS != "111.1" || todo.ReplaceTS != "" || todo.Skip {
		t.Errorf("to-do goes to %q/%q (replace %q, skip %v), want the card's thread C1/111.1", todo.Channel, todo.ThreadTS, todo.ReplaceTS, todo.Skip)
	}
	if todo.Draft != "Dear Customer 0" || !todo.DraftByModel || todo.Customer.Name != "Customer 0" || todo.First.ID != note.Entry.ID {
		t.Errorf("to-do = %+v, want Customer 0's note drafted by the model", todo)
	}
	if d.signals == nil {
		t.Error("the drafter was not given the customer's signals")
	}

	req, err := f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeApprovalRequest, RequestID: ask.Entry.RequestID})
	if err != nil {
		t.Fatal(err)
	}
	if req.Channel != "C0SUPERVISORS" || req.ThreadTS != "" {
		t.Errorf("approval request goes to %q/%q, want the approvals channel", req.Channel, req.ThreadTS)
	}
	if !slices.Equal(req.First.Blocking, ask.Decision.Blocking) {
		t.Errorf("approval request shows blocking %q, want the decision's %q", req.First.Blocking, ask.Decision.Blocking)
	}
	var scopes []plusone.BudgetScope
	for _, l := range req.Budgets {
		scopes = append(scopes, l.Scope)
	}
	if want := []plusone.BudgetScope{plusone.ScopeAgent, plusone.ScopeTeam, plusone.ScopeCustomer}; !slices.Equal(scopes, want) {
		t.Errorf("approval request budgets %v, want %v", scopes, want)
	}

	if _, err := f.svc.Resolve(ctx, "U0SUP", ask.Entry.RequestID, true); err != nil {
		t.Fatal(err)
	}
	decided := plusone.Notice{Kind: plusone.NoticeApprovalDecided, RequestID: ask.Entry.RequestID}
	if c, err := f.svc.Compose(ctx, decided); err != nil || !c.Skip {
		t.Errorf("outcome of an approval request never posted: %+v %v, want nothing to send", c, err)
	}
	err = f.store.Update(ctx, func(tx plusone.Tx) error {
		return tx.SaveMessage(ctx, ask.Entry.RequestID, plusone.MessageApproval, "C0SUPERVISORS", "222.2")
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Compose(ctx, decided)
	if err != nil || c.Skip || c.Channel != "C0SUPERVISORS" || c.ReplaceTS != "222.2" || c.Entry.Status != plusone.StatusApproved {
		t.Errorf("outcome = %+v %v, want the approved entry in place of C0SUPERVISORS/222.2", c, err)
	}
	c, err = f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeThreadOutcome, RequestID: ask.Entry.RequestID})
	if err != nil || c.Channel != "C1" || c.ThreadTS != "111.1" || c.Entry.Status != plusone.StatusApproved {
		t.Errorf("thread outcome = %+v %v, want the approved entry in the card's thread", c, err)
	}

	c, err = f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeWriteback, RequestID: ask.Entry.RequestID,
		Text: "zendesk internal note added", OK: true})
	if err != nil || c.Target != "zendesk" || c.Text != "zendesk internal note added" || !c.OK || c.ThreadTS != "111.1" {
		t.Errorf("write-back result = %+v %v", c, err)
	}

	if _, err := f.svc.Compose(ctx, plusone.Notice{Kind: "postcard", RequestID: ask.Entry.RequestID}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("unknown kind: %v, want EINVALID", err)
	}
	if _, err := f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 99999}); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("unknown request: %v, want ENOTFOUND", err)
	}
}

// Without an approvals channel a request is asked in the card's thread;
// without a drafter a note's to-do has no draft.
func TestComposeWithoutChannelOrDrafter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 8)
	ctx := context.Background()
	p, err := config.ParsePolicy("policy.yaml", []byte(strings.Replace(policyYAML, "  channel: C0SUPERVISORS\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &gestures.Service{Store: f.store, Policies: config.NewLive("", p, f.svc.Log), Clock: f.svc.Clock, Log: f.svc.Log}
	note := f.offer(t, "U0ANA", 0, "handwritten_note", "click-note")
	var ask plusone.GestureResult
	for i := 1; i < 8 && ask.Entry.ID == 0; i++ {
		if r := f.offer(t, "U0ANA", i, "free_express_shipping", fmt.Sprint("click-", i)); r.Entry.Status == plusone.StatusPendingApproval {
			ask = r
		}
	}
	postCards(t, f)
	c, err := f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeApprovalRequest, RequestID: ask.Entry.RequestID})
	if err != nil || c.Channel != "C1" || c.ThreadTS != "111.1" {
		t.Errorf("approval request = %q/%q %v, want the card's thread", c.Channel, c.ThreadTS, err)
	}
	c, err = f.svc.Compose(ctx, plusone.Notice{Kind: plusone.NoticeTodo, RequestID: note.Entry.RequestID})
	if err != nil || c.Draft != "" || c.DraftByModel {
		t.Errorf("to-do without a drafter = %+v %v, want no draft", c, err)
	}
}
